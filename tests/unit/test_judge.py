"""The judge on constructed data: every grade, intervals that match the tests, binary outcomes, censored
pairs, exact checks, Holm within a claim, primaries, placebos and the seeds that would decide.

results[arm][repeat][metric] = value, as the store hands them back. All data come from seeded RNGs or are
written out by hand."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from benchmarks.judge import (
    BIAS,
    NO_BIAS,
    DIRECTION_ONLY,
    ERROR,
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    MIN_SEEDS,
    NOT_REPRODUCED,
    PLACEBO,
    PRIMARY,
    REPRODUCED,
    SECONDARY,
    SMALLER,
    effect_bounds,
    false_positive_rate,
    holm,
    judge_claim,
    judge_expectation,
    placebo_arms,
)
from reproductions.claim import Arm, ArmResult, Budget, Claim, ClaimDefinitionError, Expectation, SizeSource

pytestmark = pytest.mark.unit


def runs(values, metric: str = "m", start: int = 0, **extra) -> dict[int, dict[str, float]]:
    """One arm's runs: repeat -> {metric: value, and any per-repeat extras given as lists}."""
    return {start + i: {metric: float(v), **{k: float(vs[i]) for k, vs in extra.items()}} for i, v in enumerate(values)}


def expectation(**changes) -> Expectation:
    fields = dict(id="e", statement="s", metric="m", arm="a", comparison="greater", margin=1.0,
                  size_source=SizeSource("ours", "a test's number"))
    fields.update(changes)
    return Expectation(**fields)


def normal(seed: int, mean: float, sd: float, n: int = 10) -> np.ndarray:
    return np.random.default_rng(seed).normal(mean, sd, n)


def shaped(seed: int, mean: float, sd: float, n: int) -> np.ndarray:
    """Random-looking data with exactly this sample mean and standard deviation (p-values fixed by design)."""
    z = np.random.default_rng(seed).normal(0.0, 1.0, n)
    return mean + sd * (z - z.mean()) / z.std(ddof=1)


def judge(e: Expectation, values, **arms):
    results = {"a": runs(values)} if values is not None else {}
    results.update({name: runs(v) for name, v in arms.items()})
    return judge_expectation(e, results)


# --------------------------------------------------------------------------- the grades ('greater')


def test_clear_effect_beyond_the_margin_is_reproduced_with_a_90_percent_interval_above_it():
    e = expectation(margin=1.0, null=0.0)
    verdict = judge(e, normal(1, 3.0, 0.5))
    assert verdict.verdict == REPRODUCED and verdict.n == 10
    assert verdict.p_value < e.alpha and verdict.ci_low > e.margin
    assert verdict.confidence == pytest.approx(0.90) and verdict.method == "t"
    assert verdict.effect_size > 0 and verdict.seeds_to_decide is None


def test_direction_with_the_size_ruled_out_is_a_smaller_effect():
    verdict = judge(expectation(margin=1.0, null=0.0), normal(2, 0.5, 0.1))
    assert verdict.verdict == SMALLER
    assert 0.0 < verdict.ci_low and verdict.ci_high < 1.0  # both tests decided: the interval lies between


def test_direction_with_the_size_undecided_is_direction_only_and_says_how_many_seeds_would_decide():
    data = shaped(7, 0.8, 0.5, n=6)  # clearly above 0, not clearly on either side of 1
    verdict = judge(expectation(margin=1.0, null=0.0), data)
    assert verdict.verdict == DIRECTION_ONLY
    assert 0.0 < verdict.ci_low < 1.0 < verdict.ci_high
    assert verdict.seeds_to_decide > 6
    # more seeds at the same spread and mean: the count it gave decides it (80 % power is an average; these
    # data are shaped to the very same mean and spread, so the test is decided)
    many = shaped(7, 0.8, 0.5, n=verdict.seeds_to_decide)
    assert judge(expectation(margin=1.0, null=0.0), many).verdict == SMALLER


def test_without_a_no_effect_value_there_is_no_direction_grade():
    assert judge(expectation(margin=1.0), normal(2, 0.5, 0.1)).verdict == NOT_REPRODUCED


def test_pure_noise_is_inconclusive():
    z = shaped(3, 0.0, 1.0, n=8)
    verdict = judge(expectation(margin=0.0), z)
    assert verdict.verdict == INCONCLUSIVE and verdict.p_value == pytest.approx(0.5)
    assert verdict.ci_low < 0.0 < verdict.ci_high


def test_data_contradicting_the_claim_are_not_reproduced():
    e = expectation(margin=1.0, null=0.0)
    verdict = judge(e, normal(4, -2.0, 0.5))
    assert verdict.verdict == NOT_REPRODUCED and verdict.ci_high < e.margin and verdict.effect_size < 0


def test_less_mirrors_greater():
    x = normal(5, 0.7, 0.4)
    for margin, null in ((1.0, 0.0), (0.5, 0.0), (2.0, 0.0)):
        up = judge(expectation(margin=margin, null=null), x)
        down = judge(expectation(comparison="less", margin=-margin, null=-null), -x)
        assert up.verdict == down.verdict
        assert up.ci_low == pytest.approx(-down.ci_high)


@pytest.mark.parametrize("seed", range(12))
def test_the_interval_matches_the_test(seed):
    """One-sided t at alpha and the (1 − 2 alpha) interval agree: REPRODUCED exactly when the interval clears
    the margin, the direction exactly when it clears the no-effect value."""
    e = expectation(margin=1.0, null=0.0)
    x = normal(seed, 0.9, 0.8, n=5)
    verdict = judge(e, x)
    assert (verdict.verdict == REPRODUCED) == (verdict.ci_low > 1.0)
    assert (verdict.verdict in (REPRODUCED, SMALLER, DIRECTION_ONLY)) == (verdict.ci_low > 0.0)
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(0.90)
    assert (verdict.ci_low, verdict.ci_high) == pytest.approx((ci.low, ci.high))


# --------------------------------------------------------------------------- paired comparisons


def test_paired_log10_ratio_is_reproduced_despite_between_seed_variance():
    base = np.exp(normal(6, 5.0, 1.0))  # seeds differ a lot; the ratio on each seed is about 10
    arm = base * 10 * np.exp(normal(7, 0.0, 0.05))
    e = expectation(baseline="b", scale="log10", margin=math.log10(5), null=0.0)
    assert judge(e, arm, b=base).verdict == REPRODUCED


def test_pairing_is_by_repeat_and_uses_only_repeats_both_arms_have():
    e = expectation(baseline="b", margin=0.0)
    results = {"a": runs([5, 6, 7]), "b": {2: {"m": 6.0}, 1: {"m": 5.0}, 0: {"m": 4.0}, 9: {"m": 0.0}}}
    bounds, used, _ = effect_bounds(e, results)
    assert used == [0, 1, 2] and bounds == [(1.0, 1.0)] * 3


def test_within_and_outside():
    inside = expectation(comparison="within", target=2.0, margin=0.1)
    assert judge(inside, normal(8, 2.0, 0.01)).verdict == REPRODUCED
    assert judge(inside, normal(8, 3.0, 0.01)).verdict == NOT_REPRODUCED
    assert judge(inside, normal(8, 2.0, 1.0)).verdict == INCONCLUSIVE
    outside = expectation(comparison="outside", target=2.0, margin=0.1)
    assert judge(outside, normal(8, 3.0, 0.01)).verdict == REPRODUCED
    assert judge(outside, normal(8, 2.0, 0.01)).verdict == NOT_REPRODUCED


# --------------------------------------------------------------------------- binary outcomes


def test_a_rate_is_judged_by_an_exact_binomial_test_with_a_clopper_pearson_interval():
    e = expectation(margin=0.5, null=0.0, test="binomial")
    five = judge(e, [1, 1, 1, 1, 1])
    assert five.verdict == REPRODUCED and five.p_value == pytest.approx(1 / 32)  # not 0, as a t-test once gave
    assert five.method == "exact binomial" and five.mean == 1.0
    ci = stats.binomtest(5, 5).proportion_ci(0.90, method="exact")
    assert (five.ci_low, five.ci_high) == pytest.approx((ci.low, 1.0))
    two = judge(e, [0, 1, 0, 0, 1])  # the direction (ever) holds, 'in most seeds' is undecided
    assert two.verdict == DIRECTION_ONLY and two.mean == pytest.approx(0.4)
    assert judge(e, [0, 0, 0, 0, 0]).verdict == NOT_REPRODUCED  # p = 1/32 against > 0.5, no direction
    assert judge(e, [0, 1, 0.5, 0, 1]).verdict == ERROR  # not a 0/1 outcome


def test_paired_binary_outcomes_use_mcnemar_on_the_discordant_pairs():
    e = expectation(margin=0.0, test="binomial", baseline="b")
    arm, base = [1] * 8 + [0, 1], [0] * 8 + [0, 1]  # 8 discordant pairs, all for the arm
    verdict = judge(e, arm, b=base)
    assert verdict.method == "exact McNemar" and verdict.verdict == REPRODUCED
    assert verdict.p_value == pytest.approx(stats.binomtest(8, 8, 0.5, alternative="greater").pvalue)
    assert verdict.mean == pytest.approx(0.8) and verdict.ci_low > 0
    same = judge(e, [1, 0, 1, 0], b=[1, 0, 1, 0])
    assert same.verdict == INCONCLUSIVE and "no discordant pair" in same.reason


# --------------------------------------------------------------------------- censored pairs (time to target)


def censored(**changes) -> Expectation:
    return expectation(baseline="b", scale="log10", margin=math.log10(2), null=0.0, censored_by="c", **changes)


def paired_times(arm, arm_c, base, base_c):
    return {"a": runs(arm, c=arm_c), "b": runs(base, c=base_c)}


def test_every_pair_censored_on_both_sides_tells_nothing():
    e = censored()
    results = paired_times([2000] * 5, [1] * 5, [2000] * 5, [1] * 5)
    verdict = judge_expectation(e, results)
    assert verdict.verdict == INCONCLUSIVE and "no run reached the target" in verdict.reason
    assert math.isnan(verdict.p_value) and verdict.ci_low == -math.inf and verdict.ci_high == math.inf
    assert verdict.censored == 5


def test_a_censored_slow_arm_is_a_lower_bound_and_a_censored_fast_one_an_upper_bound():
    e = censored()
    # the arm (slow) never reached on 3 seeds: those ratios are at least 2000/400 = 5 (> 2): known above
    slow_censored = paired_times([2000, 2000, 2000, 1000, 1200], [1, 1, 1, 0, 0], [400, 400, 400, 400, 400], [0] * 5)
    verdict = judge_expectation(e, slow_censored)
    assert verdict.method == "signed-rank on bounds" and verdict.censored == 3
    assert verdict.verdict == REPRODUCED and verdict.p_value == pytest.approx(1 / 32)  # 5 of 5 known above 2
    assert verdict.ci_high == math.inf and verdict.ci_low == pytest.approx(math.log10(1000 / 400))
    # the baseline (fast) never reached on 3 seeds: those ratios are at most 1000/2000: below 2, and below 1
    fast_censored = paired_times([1000] * 5, [0] * 5, [2000, 2000, 2000, 300, 300], [1, 1, 1, 0, 0])
    verdict = judge_expectation(e, fast_censored)
    assert verdict.verdict == INCONCLUSIVE  # 3 known below the margin, 2 above: the test cannot decide
    assert verdict.ci_low == -math.inf


def test_half_censored_pairs_count_only_as_far_as_their_bounds_tell():
    e = censored()
    # seeds 0-1: both censored (nothing); seeds 2-4: the arm censored at 2000 against 900 (ratio ≥ 2.2 > 2)
    results = paired_times([2000] * 5, [1] * 5, [2000, 2000, 900, 900, 900], [1, 1, 0, 0, 0])
    verdict = judge_expectation(e, results)
    # every pair counts, an unknown one at its end least favourable to the claim (-inf: the largest ranks, against):
    # the doubled ranks are 4, 4, 4 (known above) and 9, 9 (unknown); 23 of the 32 sign flips reach 12
    assert verdict.verdict == INCONCLUSIVE
    assert verdict.p_value == pytest.approx(23 / 32)
    assert verdict.seeds_to_decide is not None


def test_without_censoring_a_time_comparison_uses_the_t_test():
    e = censored()
    base = np.array([400, 500, 600, 450, 550.0])
    arm = base * np.array([3.0, 3.2, 2.9, 3.1, 3.0])  # about 3× slower on every seed
    verdict = judge_expectation(e, paired_times(arm, [0] * 5, base, [0] * 5))
    assert verdict.method == "t" and verdict.censored == 0
    assert verdict.verdict == REPRODUCED and verdict.ci_low > math.log10(2)
    # the same data with one pair censored (at its bound, ×5: on the claim's side): the signed-rank test, whose
    # floor at 5 pairs is 1/32, enough for a primary (an intersection–union test: no Holm among primaries)
    arm[0] = 2000
    verdict = judge_expectation(e, paired_times(arm, [1, 0, 0, 0, 0], base, [0] * 5))
    assert verdict.method == "signed-rank on bounds" and verdict.p_value == pytest.approx(1 / 32)
    assert verdict.verdict == REPRODUCED and verdict.ci_low == pytest.approx(math.log10(2.9))


# --------------------------------------------------------------------------- exact checks, identical values


def test_an_exact_quantity_holds_or_fails_on_every_seed():
    e = expectation(comparison="within", target=5.0, margin=0.5, exact=True)
    holds = judge(e, [5, 5, 5])
    assert holds.verdict == HOLDS and holds.n == 3 and holds.method == "exact"
    fails = judge(e, [5, 5, 7])
    assert fails.verdict == FAILS and "fails on 1 of 3 seeds (values 7)" in fails.reason
    assert judge(expectation(comparison="less", margin=1.0, exact=True), [0.72]).verdict == HOLDS  # one seed suffices


def test_identical_sampled_values_decide_nothing():
    """No p = 0 from identical random values: a t-test needs spread; a computed quantity is declared exact."""
    verdict = judge(expectation(margin=0.0), [1.0] * 5)
    assert verdict.verdict == INCONCLUSIVE and "needs spread" in verdict.reason
    assert math.isnan(verdict.p_value)


# --------------------------------------------------------------------------- too little, missing, broken data


def test_single_seed_is_inconclusive_and_a_missing_arm_an_error():
    assert judge(expectation(margin=0.0), [3.0]).verdict == INCONCLUSIVE
    assert MIN_SEEDS == 2
    assert judge(expectation(baseline="b", margin=0.0), [1, 2, 3]).verdict == ERROR
    assert "no finished runs for arm(s) a" in judge(expectation(margin=0.0), None).reason


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_values_are_dropped_and_reported(bad):
    verdict = judge(expectation(margin=0.0), [1.0, 2.0, bad, 1.5])
    assert verdict.n == 3 and "repeat 2: effect not finite" in verdict.reason


# --------------------------------------------------------------------------- Holm, primaries, a whole claim


def test_holm_matches_the_step_down_definition():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5]) == [0.5]
    assert holm([0.001, 0.9]) == pytest.approx([0.002, 0.9])


def _claim(expectations, primary, arms=("a", "b")):
    return Claim(id="c", title="t", statement="s", source="src", base_config={"x": 1},
                 arms=tuple(Arm(name, {}) for name in arms), expectations=tuple(expectations),
                 budgets={p: Budget(seeds=5) for p in ("smoke", "quick", "full")},
                 run=lambda config, seed, context: ArmResult({}), primary=primary)


def test_secondary_sub_claims_are_corrected_for_multiplicity():
    # each alone clears alpha (p ≈ 0.03-0.04); two on the same runs do not, after Holm
    lone = expectation(id="one", margin=0.0, metric="m")
    other = expectation(id="two", margin=0.0, metric="k")
    head = expectation(id="head", margin=0.0, metric="h")
    x = shaped(11, 1.0, 1.0, n=5)  # one-sided p ≈ 0.04
    assert 0.03 < judge_expectation(lone, {"a": runs(x)}).p_value < 0.05
    results = {"a": {i: {"m": x[i], "k": x[i], "h": 10 + x[i]} for i in range(5)}}
    verdict = judge_claim(_claim([head, lone, other], ("head",)), results, "quick")
    one, two = verdict.subverdicts[1], verdict.subverdicts[2]
    assert one.role == two.role == SECONDARY and verdict.subverdicts[0].role == PRIMARY
    assert one.verdict == two.verdict == INCONCLUSIVE
    assert "Holm over 2 secondary" in one.adjustment
    assert verdict.verdict == REPRODUCED  # the claim's verdict is its primary's


def test_a_named_family_of_secondaries_is_corrected_apart_from_the_others():
    # the same two secondaries as above, each in a family of its own: each alone clears alpha again
    lone = expectation(id="one", margin=0.0, metric="m")
    other = expectation(id="two", margin=0.0, metric="k")
    head = expectation(id="head", margin=0.0, metric="h")
    x = shaped(11, 1.0, 1.0, n=5)
    results = {"a": {i: {"m": x[i], "k": x[i], "h": 10 + x[i]} for i in range(5)}}
    claim = dataclasses.replace(_claim([head, lone, other], ("head",)), families={"later": ("two",)})
    assert claim.family("two") == "later" and claim.family("one") == "secondary" and claim.family("head") == "primary"
    one, two = judge_claim(claim, results, "quick").subverdicts[1:]
    assert one.role == two.role == SECONDARY
    assert one.verdict == two.verdict == REPRODUCED and not one.adjustment and not two.adjustment
    with pytest.raises(ClaimDefinitionError):  # a primary is never moved into another family
        dataclasses.replace(claim, families={"later": ("head",)})
    with pytest.raises(ClaimDefinitionError):
        dataclasses.replace(claim, families={"later": ("nope",)})


def test_the_claims_verdict_is_its_weakest_primary_and_exact_checks_stay_apart():
    good = expectation(id="good", margin=0.0, metric="g")
    bad = expectation(id="bad", margin=0.0, metric="b")
    fact = expectation(id="fact", margin=0.0, metric="f", exact=True)
    results = {"a": {i: {"g": 5 + 0.1 * i, "b": -5 - 0.1 * i, "f": 1.0} for i in range(5)}}
    both = judge_claim(_claim([good, bad, fact], ("good", "bad")), results, "quick")
    assert [s.verdict for s in both.subverdicts] == [REPRODUCED, NOT_REPRODUCED, HOLDS]
    assert both.verdict == NOT_REPRODUCED
    assert both.counts()[REPRODUCED] == 1 and sum(both.counts().values()) == 2  # exact checks are not counted
    only_fact = judge_claim(_claim([good, fact], ("fact",)), results, "quick")
    assert only_fact.verdict == REPRODUCED  # an exact primary that holds
    assert judge_claim(_claim([good], ("good",)), results, "smoke").verdict == INCONCLUSIVE


def test_placebos_compare_the_baseline_with_its_replicate_under_each_paired_claim():
    claimed = expectation(id="faster", baseline="b", margin=1.0, null=0.0)
    level = expectation(id="level", baseline="b", margin=-1.0)  # non-inferiority: a zero effect satisfies it
    claim = _claim([claimed, level], ("faster",))
    assert placebo_arms(claim) == ("b",)
    results = {"a": runs(normal(1, 5.0, 0.5, 5)), "b": runs(normal(2, 0.0, 0.5, 5))}
    noise = {"b": runs(normal(3, 0.0, 0.5, 5))}
    verdict = judge_claim(claim, results, "quick", noise)
    assert [p.expectation.id for p in verdict.placebos] == ["faster-placebo"]  # none for the non-inferiority claim
    placebo = verdict.placebos[0]
    assert placebo.role == PLACEBO and placebo.expectation.arm == "placebo:b" and placebo.n == 5
    assert placebo.verdict == NO_BIAS
    assert false_positive_rate([verdict]) == (0, 1)
    # a replicate that is not a replicate (a real effect): the placebo catches it
    shifted = judge_claim(claim, results, "quick", {"b": runs(normal(3, 3.0, 0.5, 5))})
    assert shifted.placebos[0].verdict == BIAS and false_positive_rate([shifted]) == (1, 1)
    assert judge_claim(claim, results, "quick").placebos == ()  # no placebo runs: none judged


def test_a_placebo_is_two_sided_at_no_difference_whatever_its_claims_margin():
    """Issue 31: judged at its sub-claim's no-effect value of −0.3, an A/A with a 21 % bias could not fail (0 of 300);
    a placebo significant the wrong way was written off. Both are BIAS now."""
    # 'a is 100x below b' (log10 margin −2) with its direction band at 2x below (−0.3), as init-scale-collapse has
    lenient = expectation(id="lenient", baseline="b", comparison="less", margin=-2.0, null=-0.3, scale="log10")
    claim = _claim([lenient], ("lenient",))
    results = {"a": runs(np.abs(normal(1, 0.001, 0.0001, 8))), "b": runs(normal(2, 1.0, 0.05, 8))}
    for shift in (0.21, -0.21):  # the replicate 21 % above, or below, the baseline's own runs (same noise)
        replicate = {"b": runs(normal(9, 1.0 + shift, 0.05, 8))}
        verdict = judge_claim(claim, results, "quick", replicate)
        assert verdict.placebos[0].verdict == BIAS, shift
    same = judge_claim(claim, results, "quick", {"b": runs(normal(9, 1.0, 0.05, 8))})
    assert same.placebos[0].verdict == NO_BIAS


def test_one_placebo_per_metric_as_measured():
    """Two paired claims of a difference on one metric judge the same A/A pair the same way: one distinct test."""
    big = expectation(id="big", baseline="b", margin=2.0, null=0.0)
    small = expectation(id="small", baseline="b", margin=1.0, null=0.0)
    other = expectation(id="other", baseline="b", margin=1.0, null=0.0, metric="k")
    claim = _claim([big, small, other], ("big",))
    both = {"a": {i: {"m": 5.0 + i, "k": 3.0 + i} for i in range(5)}, "b": {i: {"m": 0.1 * i, "k": 0.2 * i} for i in range(5)}}
    replicate = {"b": {i: {"m": 0.1 * i + 0.01 * (-1) ** i, "k": 0.2 * i + 0.01 * (-1) ** i} for i in range(5)}}
    verdict = judge_claim(claim, both, "quick", replicate)
    assert [p.expectation.id for p in verdict.placebos] == ["big-placebo", "other-placebo"]


def test_the_inverted_sub_claim_is_a_consistency_check_of_the_grades():
    """Not a control (on the same runs it cannot fail apart from the claim): the complement of a reproduced
    'greater than m' is ruled out, and vice versa."""
    e = expectation(margin=1.0, null=0.0)
    for x, inverted in ((normal(1, 3.0, 0.5), NOT_REPRODUCED), (normal(4, -2.0, 0.5), REPRODUCED)):
        assert judge(e.inverted(), x).verdict == inverted


# --------------------------------------------------------------------------- issue 31: the judge's second pass


def test_primaries_are_an_intersection_union_test():
    """Two primaries that each clear alpha alone (p ≈ 0.04) reproduce the claim: it holds only when both do, so
    no Holm among them (the conjunction's error is at most alpha). Refuting one is a union over the primaries:
    that side is Holm-adjusted. Today's judge (Holm over both) read the first INCONCLUSIVE."""
    first, second = expectation(id="one", margin=0.0, metric="m"), expectation(id="two", margin=0.0, metric="k")
    x = shaped(11, 1.0, 1.0, n=5)  # one-sided p ≈ 0.04 against 0
    results = {"a": {i: {"m": x[i], "k": x[i]} for i in range(5)}}
    verdict = judge_claim(_claim([first, second], ("one", "two")), results, "quick")
    assert [s.verdict for s in verdict.subverdicts] == [REPRODUCED, REPRODUCED]
    assert verdict.verdict == REPRODUCED and "intersection–union" in verdict.subverdicts[0].adjustment
    # the mirror: each primary alone is refuted at p ≈ 0.04; after Holm over the two refutations, neither is
    refuted = {"a": {i: {"m": -x[i], "k": -x[i]} for i in range(5)}}
    assert judge_expectation(first, refuted).verdict == NOT_REPRODUCED
    verdict = judge_claim(_claim([first, second], ("one", "two")), refuted, "quick")
    assert [s.verdict for s in verdict.subverdicts] == [INCONCLUSIVE, INCONCLUSIVE]


def test_a_size_ruled_out_is_weaker_than_a_size_undecided():
    """Primaries SMALLER EFFECT and DIRECTION ONLY: the claim reads SMALLER EFFECT (its size is ruled out for one
    primary), never 'size undecided'."""
    smaller = expectation(id="smaller", margin=1.0, null=0.0, metric="s")  # 0.5 ± tiny: direction, size ruled out
    undecided = expectation(id="undecided", margin=1.0, null=0.0, metric="u")  # 0.9, noisy
    s, u = shaped(1, 0.5, 0.05, n=5), shaped(2, 0.9, 0.4, n=5)
    results = {"a": {i: {"s": s[i], "u": u[i]} for i in range(5)}}
    verdict = judge_claim(_claim([smaller, undecided], ("smaller", "undecided")), results, "quick")
    assert [v.verdict for v in verdict.subverdicts] == [SMALLER, DIRECTION_ONLY]
    assert verdict.verdict == SMALLER


def test_outside_a_tolerance_is_two_one_sided_tests_at_half_alpha():
    """'outside' rejects when either side does, so each side is tested at alpha / 2 (today: the smaller p at
    alpha, up to 2·alpha false positives)."""
    e = expectation(comparison="outside", target=0.0, margin=0.5)
    x = shaped(5, 1.3, 1.0, n=10)
    one_sided = float(stats.ttest_1samp(x - 0.5, 0.0, alternative="greater").pvalue)
    verdict = judge(e, x)
    assert verdict.p_value == pytest.approx(min(1.0, 2 * one_sided))
    assert (verdict.verdict == REPRODUCED) == (2 * one_sided < 0.05)
    x = shaped(5, 1.2, 1.0, n=10)
    one_sided = float(stats.ttest_1samp(x - 0.5, 0.0, alternative="greater").pvalue)
    assert 0.025 < one_sided < 0.05 and judge(e, x).verdict == INCONCLUSIVE


def test_a_ratio_exactly_at_its_margin_is_at_the_margin():
    """Step counts exactly 2× apart: log10 rounding must not put them above (or below) a 2× margin."""
    ratio = expectation(baseline="b", scale="log10", margin=math.log10(2), exact=True)
    exactly = {"a": runs([600, 1000, 1400, 50, 7]), "b": runs([300, 500, 700, 25, 3.5])}
    assert judge_expectation(ratio, exactly).verdict == FAILS  # 'greater than 2×' fails at exactly 2×
    at_most = dataclasses.replace(ratio, comparison="less")
    assert judge_expectation(at_most, exactly).verdict == FAILS
    # a censored comparison: pairs exactly at the margin count for neither side
    e = censored()
    tied = paired_times([800, 1000, 1200, 1400, 2000], [0, 0, 0, 0, 1], [400, 500, 600, 700, 1000], [0] * 5)
    verdict = judge_expectation(e, tied)
    # exactly 2× on every seed: slower (p = 1/32 against 1×), not more than 2× slower, nor less
    assert verdict.method == "signed-rank on bounds" and verdict.verdict == DIRECTION_ONLY


def test_identical_values_are_judged_on_their_relative_spread():
    """Values equal to rounding (1e6 and 1e6 + 1e-9) have no spread to test: not p ≈ 0."""
    verdict = judge(expectation(margin=0.0), [1e6, 1e6 + 1e-9, 1e6, 1e6 - 1e-9, 1e6])
    assert verdict.verdict == INCONCLUSIVE and "needs spread" in verdict.reason


@pytest.mark.parametrize("n", [5, 8, 12])
def test_the_signed_rank_distribution_is_scipys_without_ties(n):
    from benchmarks.judge import signed_rank_p

    x = normal(n, 0.3, 1.0, n)
    assert signed_rank_p(x) == pytest.approx(stats.wilcoxon(x, alternative="greater", method="exact").pvalue)


def test_the_censored_interval_inverts_its_test():
    """Every value inside the printed interval is rejected by neither one-sided test; just outside, one rejects."""
    e = censored()
    results = paired_times([2000, 1700, 1500, 1300, 1200, 2000, 900, 1600],
                           [1, 0, 0, 0, 0, 1, 0, 0], [400, 500, 600, 450, 550, 700, 300, 500], [0] * 8)
    verdict = judge_expectation(e, results)
    assert verdict.ci_high == math.inf
    moved = dataclasses.replace(e, margin=verdict.ci_low + 1e-6)
    assert judge_expectation(moved, results).verdict != REPRODUCED
    moved = dataclasses.replace(e, margin=verdict.ci_low - 1e-3)
    assert judge_expectation(moved, results).verdict == REPRODUCED


def test_an_exact_check_fails_on_a_non_finite_seed_and_errs_on_a_missing_one():
    """Before issue 31 both seeds were dropped and the check HELD on the other four."""
    e = expectation(comparison="within", target=5.0, margin=0.5, exact=True)
    assert judge(e, [5, 5, 5, 5, math.nan]).verdict == FAILS
    assert judge(e, [5, 5, 5, 5, math.inf]).verdict == FAILS
    gap = {"a": {**runs([5, 5, 5, 5]), 4: {"other": 1.0}}}
    assert judge_expectation(e, gap).verdict == ERROR


def test_a_missing_binary_outcome_is_an_error_not_a_crash():
    e = expectation(margin=0.5, null=0.0, test="binomial")
    results = {"a": {**runs([1, 1, 0, 1]), 4: {"other": 1.0}}}
    assert judge_expectation(e, results).verdict == ERROR


def test_the_seeds_that_would_decide_come_with_their_range():
    """A point from 5 seeds is noisy (the issue's example: a true need of 27 read anywhere from 12 to 718); the
    range, at the ends of the effect's interval and the spread's, holds the true need in most datasets."""
    from benchmarks.judge import t_seeds_needed

    e = expectation(margin=1.0, null=0.0)
    true_need = math.ceil(t_seeds_needed(0.5, 1.0, 0.05))  # effect 1.5 against a margin of 1, spread 1
    rng = np.random.default_rng(27)
    covered = judged = 0
    for _ in range(300):
        verdict = judge(e, rng.normal(1.5, 1.0, 5))
        if verdict.seeds_range is None:
            continue
        judged += 1
        low, high = verdict.seeds_range
        covered += low <= true_need and (high is None or true_need <= high)
        assert low <= verdict.seeds_to_decide and (high is None or verdict.seeds_to_decide <= high)
    assert judged > 200 and covered / judged >= 0.9


def test_the_seeds_a_rate_needs_are_exact_not_a_normal_approximation():
    """0/1 outcomes: the fewest trials whose exact binomial test has 80 % power (the normal approximation
    under-delivers). Checked by the exact power at the count given, and just below it."""
    from benchmarks.judge import POWER, rate_trials_needed

    for rate, null in ((0.8, 0.5), (0.3, 0.6), (0.95, 0.8)):
        m = int(rate_trials_needed(rate, null, 0.05))
        def power(trials):
            flip = rate < null
            r, n0 = (1 - rate, 1 - null) if flip else (rate, null)
            critical = stats.binom.isf(0.05, trials, n0) + 1
            return stats.binom.sf(critical - 1, trials, r)
        assert power(m) >= POWER and all(power(k) < POWER for k in range(1, m))


def test_a_bound_a_claim_states_on_purpose_is_not_a_rounding_tie():
    """'less than 1e-12' holds at 0 and 'greater than 1 − 1e-12' fails at 1 − 1e-12 but holds at 1: the tie rule is
    for rounding (~1e-16 relative), not for bounds a claim writes (dead-relu's exact checks)."""
    assert judge(expectation(comparison="less", margin=1e-12, exact=True), [0.0] * 5).verdict == HOLDS
    assert judge(expectation(comparison="greater", margin=0.999999999999, exact=True), [1.0] * 5).verdict == HOLDS
    assert judge(expectation(comparison="greater", margin=0.999999999999, exact=True), [0.999999999999] * 5).verdict == FAILS


def test_a_measured_sub_claim_counts_a_missing_failed_or_non_finite_seed_instead_of_dropping_it():
    """Issue 31: a seed whose run failed (absent for one arm), whose metric is missing or whose effect is not finite
    makes a measured sub-claim an ERROR; before, it was dropped and the others judged as if it never was."""
    e = expectation(baseline="b", margin=0.5, null=0.0)
    good = {"a": runs(normal(1, 3.0, 0.3, 5)), "b": runs(normal(2, 1.0, 0.3, 5))}
    assert judge_expectation(e, good).verdict == REPRODUCED
    failed = {"a": {r: v for r, v in good["a"].items() if r != 3}, "b": good["b"]}  # arm a's seed 3 failed
    nan = {"a": {**good["a"], 2: {"m": float("nan")}}, "b": good["b"]}
    missing = {"a": {**good["a"], 1: {}}, "b": good["b"]}
    for results, why in ((failed, "repeat 3: no finished run of a"), (nan, "repeat 2: effect not finite"),
                         (missing, "repeat 1: metric 'm' missing")):
        verdict = judge_expectation(e, results)
        assert verdict.verdict == ERROR and why in verdict.reason, verdict.reason


def test_a_censored_run_without_a_value_is_a_pair_that_tells_nothing_not_an_error():
    e = expectation(baseline="b", margin=0.5, null=0.0, censored_by="c")
    a = runs(normal(1, 3.0, 0.3, 6), c=[0] * 6)
    a[4] = {"m": float("nan"), "c": 1.0}  # censored, its value lost
    verdict = judge_expectation(e, {"a": a, "b": runs(normal(2, 1.0, 0.3, 6), c=[0] * 6)})
    assert verdict.verdict != ERROR and verdict.n == 6 and verdict.censored == 1


def test_the_seeds_that_would_decide_it_are_counted_at_the_alpha_the_next_look_would_spend():
    """With alpha spent over looks, a look at n bought seeds tests at alpha·(share(n) − share(now)), far below alpha:
    the count the report gives is the fewest n whose own look has 80 % power, not n at the first look's alpha."""
    e = expectation(margin=1.0, null=0.0)
    results = {"a": runs(shaped(5, 1.4, 0.6, 5))}  # undecided: 0.4 above the margin, sd 0.6, 5 seeds
    claim = _claim([e], ("e",), arms=("a",))
    sub = judge_claim(claim, results, "quick").subverdicts[0]
    assert sub.verdict in (INCONCLUSIVE, DIRECTION_ONLY)
    from benchmarks.judge import look_of, t_seeds_needed
    look = look_of(5, 5)
    next_alpha = look.next_alpha(0.05)
    n = sub.seeds_to_decide

    def enough(count):
        return t_seeds_needed(abs(sub.mean - 1.0), float(np.std(sub.values, ddof=1)), next_alpha(count)) <= count

    assert enough(n) and not enough(n - 1), n
    at_alpha = judge_expectation(dataclasses.replace(e, alpha=0.045), results).seeds_to_decide
    assert n > at_alpha  # the first look's alpha would promise too few
    low, high = sub.seeds_range
    assert low <= n <= (high or n)
