"""The judge on constructed data: every verdict, its negative control, pairing, scales, tests, edge cases.

results[arm][repeat][metric] = value, as the store hands them back. All data come from seeded RNGs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from benchmarks.judge import (
    ERROR,
    INCONCLUSIVE,
    MIN_SEEDS,
    NOT_REPRODUCED,
    PARTIAL,
    REPRODUCED,
    VERDICTS,
    ClaimVerdict,
    SubVerdict,
    combine,
    effects,
    judge_claim,
    judge_expectation,
)
from reproductions.claim import Arm, ArmResult, Budget, Claim, Expectation

pytestmark = pytest.mark.unit


def runs(values, metric: str = "m", start: int = 0) -> dict[int, dict[str, float]]:
    """One arm's runs: repeat -> {metric: value}."""
    return {start + i: {metric: float(v)} for i, v in enumerate(values)}


def expectation(**changes) -> Expectation:
    fields = dict(id="e", statement="s", metric="m", arm="a", comparison="greater", margin=1.0)
    fields.update(changes)
    return Expectation(**fields)


def normal(seed: int, mean: float, sd: float, n: int = 10) -> np.ndarray:
    return np.random.default_rng(seed).normal(mean, sd, n)


def shaped(seed: int, mean: float, sd: float, n: int) -> np.ndarray:
    """Random-looking data with exactly this sample mean and standard deviation (p-values fixed by design)."""
    z = np.random.default_rng(seed).normal(0.0, 1.0, n)
    return mean + sd * (z - z.mean()) / z.std(ddof=1)


def judge(e: Expectation, values, **arms) -> SubVerdict:
    results = {"a": runs(values)} if values is not None else {}
    results.update({name: runs(v) for name, v in arms.items()})
    return judge_expectation(e, results)


# --------------------------------------------------------------------------- 'greater'


def test_greater_clear_effect_is_reproduced_and_its_control_is_not():
    e = expectation(margin=1.0, null=0.0)
    data = {"a": runs(normal(1, 3.0, 0.5))}
    verdict = judge_expectation(e, data)
    assert verdict.verdict == REPRODUCED
    assert verdict.n == 10
    assert verdict.p_value < e.alpha
    assert verdict.ci_low > e.margin
    assert verdict.effect_size > 0
    control = judge_expectation(e.inverted(), data)
    assert control.verdict == NOT_REPRODUCED
    assert control.expectation.id == "e-inverted"


def test_greater_above_null_but_below_margin_is_partial():
    e = expectation(margin=1.0, null=0.0)
    verdict = judge(e, normal(2, 0.5, 0.1))
    assert verdict.verdict == PARTIAL
    assert verdict.p_value < e.alpha
    assert 0.0 < verdict.ci_low and verdict.ci_high < 1.0
    # without a separate no-effect value there is no PARTIAL band: the same data rule the claim out
    assert judge(expectation(margin=1.0), normal(2, 0.5, 0.1)).verdict == NOT_REPRODUCED
    # and the negative control ('less than the margin') holds on these data
    assert judge(e.inverted(), normal(2, 0.5, 0.1)).verdict == REPRODUCED


def test_pure_noise_is_inconclusive():
    z = shaped(3, 0.0, 1.0, n=8)  # noise with mean exactly 0
    verdict = judge(expectation(margin=0.0), z)
    assert verdict.verdict == INCONCLUSIVE
    assert verdict.p_value == pytest.approx(0.5)
    assert verdict.ci_low < 0.0 < verdict.ci_high
    # its negative control cannot decide either
    assert judge(expectation(margin=0.0).inverted(), z).verdict == INCONCLUSIVE


def test_wide_noise_around_the_null_is_inconclusive_for_a_graded_claim():
    e = expectation(margin=1.0, null=0.0)
    verdict = judge(e, shaped(0, 0.5, 3.0, n=5))
    assert verdict.verdict == INCONCLUSIVE
    assert verdict.p_value >= e.alpha


def test_data_contradicting_the_claim_are_not_reproduced():
    e = expectation(margin=1.0, null=0.0)
    verdict = judge(e, normal(4, -2.0, 0.5))
    assert verdict.verdict == NOT_REPRODUCED
    assert verdict.p_value < e.alpha
    assert verdict.ci_high < e.margin
    assert verdict.effect_size < 0
    assert judge(e.inverted(), normal(4, -2.0, 0.5)).verdict == REPRODUCED


# --------------------------------------------------------------------------- 'less' mirrors it


def test_less_mirror():
    e = expectation(comparison="less", margin=-1.0, null=0.0)
    assert judge(e, normal(5, -3.0, 0.5)).verdict == REPRODUCED
    assert judge(e.inverted(), normal(5, -3.0, 0.5)).verdict == NOT_REPRODUCED
    assert judge(e, normal(6, -0.5, 0.1)).verdict == PARTIAL
    assert judge(e, normal(7, 2.0, 0.5)).verdict == NOT_REPRODUCED
    assert judge(e, shaped(8, -0.5, 3.0, n=5)).verdict == INCONCLUSIVE


@pytest.mark.parametrize("shift", [-4.0, -0.5, 0.3, 3.0])
def test_less_is_greater_of_the_negated_data(shift):
    data = normal(9, shift, 1.0)
    greater = judge(expectation(comparison="greater", margin=1.0, null=0.0), data)
    less = judge(expectation(comparison="less", margin=-1.0, null=0.0), -data)
    assert less.verdict == greater.verdict
    assert less.p_value == pytest.approx(greater.p_value)


def test_the_verdict_follows_the_data_not_a_constant():
    e = expectation(margin=1.0, null=0.0)
    verdicts = {judge(e, normal(10, mean, 0.3)).verdict for mean in (-2.0, 0.5, 3.0)}
    assert verdicts == {NOT_REPRODUCED, PARTIAL, REPRODUCED}


# --------------------------------------------------------------------------- paired comparisons


def _log_paired(seed: int = 7, n: int = 8, factor_log10: float = -2.0, jitter: float = 0.05):
    rng = np.random.default_rng(seed)
    baseline = 10 ** rng.uniform(-4.0, 4.0, n)  # eight orders of magnitude between seeds
    arm = baseline * 10 ** (factor_log10 + rng.normal(0.0, jitter, n))
    return arm, baseline


def test_paired_log10_ratio_is_reproduced_despite_between_seed_variance():
    arm, baseline = _log_paired()
    assert np.log10(arm).std() > 2.0  # the arm alone is hopelessly noisy...
    e = expectation(comparison="less", margin=-1.0, null=-0.3, baseline="b", scale="log10")
    results = {"a": runs(arm), "b": runs(baseline)}
    verdict = judge_expectation(e, results)
    assert verdict.verdict == REPRODUCED  # ...but the per-seed ratio is not
    assert verdict.n == 8
    assert verdict.mean == pytest.approx(-2.0, abs=0.05)
    np.testing.assert_allclose(verdict.values, np.log10(arm) - np.log10(baseline))
    assert judge_expectation(e.inverted(), results).verdict == NOT_REPRODUCED


def test_paired_exact_constant_factor_is_reproduced():
    arm, baseline = _log_paired(seed=11, jitter=0.0)
    e = expectation(comparison="less", margin=-1.0, null=-0.3, baseline="b", scale="log10")
    results = {"a": runs(arm), "b": runs(baseline)}
    verdict = judge_expectation(e, results)
    assert verdict.verdict == REPRODUCED
    assert verdict.mean == pytest.approx(-2.0)
    assert judge_expectation(e.inverted(), results).verdict == NOT_REPRODUCED


def test_pairing_is_by_repeat_not_by_position():
    arm, baseline = _log_paired()
    e = expectation(comparison="less", margin=-1.0, null=-0.3, baseline="b", scale="log10")
    base_runs = runs(baseline)
    reversed_order = {repeat: base_runs[repeat] for repeat in reversed(list(base_runs))}
    assert judge_expectation(e, {"a": runs(arm), "b": reversed_order}).verdict == REPRODUCED
    # break the pairing (seed i's arm against seed i+1's baseline): the between-seed noise swamps it
    shuffled = {i: {"m": float(baseline[(i + 1) % len(baseline)])} for i in range(len(baseline))}
    assert judge_expectation(e, {"a": runs(arm), "b": shuffled}).verdict == INCONCLUSIVE


def test_paired_uses_only_repeats_both_arms_have():
    arm, baseline = _log_paired()
    e = expectation(comparison="less", margin=-1.0, null=-0.3, baseline="b", scale="log10")
    results = {"a": runs(arm), "b": {r: v for r, v in runs(baseline).items() if r % 2 == 0}}
    results["a"][99] = {"m": 1e9}  # a repeat the baseline lacks: must not be used
    values, used, _ = effects(e, results)
    assert used == [0, 2, 4, 6]
    verdict = judge_expectation(e, results)
    assert verdict.n == 4
    assert verdict.verdict == REPRODUCED


def test_paired_linear_difference():
    rng = np.random.default_rng(12)
    baseline = rng.normal(0.0, 100.0, 10)
    arm = baseline + 1.0 + rng.normal(0.0, 0.05, 10)
    e = expectation(comparison="greater", margin=0.5, baseline="b")
    assert e.effective_null == 0.0
    results = {"a": runs(arm), "b": runs(baseline)}
    verdict = judge_expectation(e, results)
    assert verdict.verdict == REPRODUCED
    assert verdict.mean == pytest.approx(1.0, abs=0.05)
    assert judge_expectation(e.inverted(), results).verdict == NOT_REPRODUCED
    # an effect in the claimed direction but short of the margin
    short = {"a": runs(baseline + 0.2 + rng.normal(0.0, 0.02, 10)), "b": runs(baseline)}
    assert judge_expectation(e, short).verdict == PARTIAL


def test_negative_control_of_a_paired_non_inferiority_claim():
    rng = np.random.default_rng(3)
    baseline = rng.normal(10.0, 5.0, 10)
    arm = baseline + rng.normal(0.0, 0.01, 10)  # the arms are equal: A is not worse than B by 0.5
    e = expectation(comparison="greater", margin=-0.5, baseline="b")
    results = {"a": runs(arm), "b": runs(baseline)}
    assert judge_expectation(e, results).verdict == REPRODUCED
    assert judge_expectation(e.inverted(), results).verdict != REPRODUCED


# --------------------------------------------------------------------------- 'within' and 'outside'


def test_within_tight_inside_is_reproduced():
    e = expectation(comparison="within", target=2.3, margin=0.1)
    verdict = judge(e, normal(13, 2.3, 0.01))
    assert verdict.verdict == REPRODUCED
    assert 2.2 < verdict.ci_low < verdict.ci_high < 2.4
    assert judge(e.inverted(), normal(13, 2.3, 0.01)).verdict == NOT_REPRODUCED


@pytest.mark.parametrize("centre", [2.6, 2.0])
def test_within_tight_outside_is_not_reproduced(centre):
    e = expectation(comparison="within", target=2.3, margin=0.1)
    assert judge(e, normal(14, centre, 0.01)).verdict == NOT_REPRODUCED


def test_within_wide_is_inconclusive():
    e = expectation(comparison="within", target=2.3, margin=0.1)
    verdict = judge(e, shaped(15, 2.3, 1.0, n=5))
    assert verdict.verdict == INCONCLUSIVE
    assert verdict.p_value >= e.alpha


def test_within_needs_both_edges():
    # significantly above the lower edge, but right at the upper one: TOST must not pass
    e = expectation(comparison="within", target=0.0, margin=1.0)
    assert judge(e, normal(16, 1.0, 0.3)).verdict != REPRODUCED
    assert judge(e, normal(16, -1.0, 0.3)).verdict != REPRODUCED


def test_outside_is_the_inverse_of_within():
    within = expectation(comparison="within", target=2.3, margin=0.1)
    outside = expectation(comparison="outside", target=2.3, margin=0.1)
    assert within.inverted().comparison == "outside"
    assert outside.inverted().comparison == "within"
    expected = {  # data -> (within, outside)
        "inside": (normal(13, 2.3, 0.01), REPRODUCED, NOT_REPRODUCED),
        "above": (normal(14, 2.6, 0.01), NOT_REPRODUCED, REPRODUCED),
        "below": (normal(14, 2.0, 0.01), NOT_REPRODUCED, REPRODUCED),
        "wide": (shaped(15, 2.3, 1.0, n=5), INCONCLUSIVE, INCONCLUSIVE),
    }
    for name, (data, want_within, want_outside) in expected.items():
        assert judge(within, data).verdict == want_within, name
        assert judge(outside, data).verdict == want_outside, name


def test_within_on_log10_scale_compares_ratios():
    e = expectation(comparison="within", target=0.0, margin=math.log10(2.0), scale="log10")
    assert judge(e, 10 ** normal(17, 0.0, 0.02)).verdict == REPRODUCED  # ratios ≈ 1
    assert judge(e, 10 ** normal(17, 1.0, 0.02)).verdict == NOT_REPRODUCED  # ratios ≈ 10


# --------------------------------------------------------------------------- the Wilcoxon variant


def test_wilcoxon_variant():
    e = expectation(margin=1.0, null=0.0, test="wilcoxon")
    data = normal(18, 3.0, 0.5)
    verdict = judge(e, data)
    assert verdict.verdict == REPRODUCED
    assert verdict.p_value == pytest.approx(stats.wilcoxon(data - 1.0, alternative="greater").pvalue)
    assert judge(e.inverted(), data).verdict == NOT_REPRODUCED
    assert judge(e, normal(19, 0.5, 0.1)).verdict == PARTIAL
    assert judge(e, normal(20, -2.0, 0.5)).verdict == NOT_REPRODUCED


def test_wilcoxon_is_actually_used():
    # three seeds all above the margin: the t test is significant, an exact signed-rank test
    # cannot be (its smallest one-sided p with n = 3 is 1/8)
    data = [5.0, 6.0, 7.0]
    assert judge(expectation(test="t"), data).verdict == REPRODUCED
    verdict = judge(expectation(test="wilcoxon"), data)
    assert verdict.verdict == INCONCLUSIVE
    assert verdict.p_value == pytest.approx(0.125)


def test_t_test_p_value_matches_scipy():
    data = normal(21, 1.4, 0.5)
    verdict = judge(expectation(margin=1.0), data)
    assert verdict.p_value == pytest.approx(stats.ttest_1samp(data, 1.0, alternative="greater").pvalue)
    ci = stats.ttest_1samp(data, 0.0).confidence_interval(0.95)
    assert (verdict.ci_low, verdict.ci_high) == pytest.approx((ci.low, ci.high))
    assert verdict.mean == pytest.approx(data.mean())
    assert verdict.effect_size == pytest.approx((data.mean() - 1.0) / data.std(ddof=1))


def test_alpha_is_respected():
    data = shaped(22, 1.4, 0.5, n=4)  # t = 1.6 on 3 degrees of freedom
    p = stats.ttest_1samp(data, 1.0, alternative="greater").pvalue
    assert 0.05 < p < 0.2  # between the two levels below
    assert judge(expectation(alpha=0.25), data).verdict == REPRODUCED
    assert judge(expectation(alpha=0.01), data).verdict == INCONCLUSIVE


# --------------------------------------------------------------------------- too little, missing, broken data


def test_single_seed_is_inconclusive():
    verdict = judge(expectation(margin=1.0), [100.0])
    assert verdict.verdict == INCONCLUSIVE
    assert verdict.n == 1
    assert str(MIN_SEEDS) in verdict.reason and "seed" in verdict.reason


def test_missing_arm_is_an_error():
    verdict = judge_expectation(expectation(), {"other": runs([3.0, 4.0, 5.0])})
    assert verdict.verdict == ERROR
    assert "a" in verdict.reason
    empty = judge_expectation(expectation(), {"a": {}})
    assert empty.verdict == ERROR


def test_missing_baseline_arm_is_an_error():
    e = expectation(baseline="b", margin=0.5)
    verdict = judge_expectation(e, {"a": runs(normal(23, 3.0, 0.1))})
    assert verdict.verdict == ERROR
    assert "b" in verdict.reason


def test_missing_metric_is_reported():
    data = runs(normal(24, 3.0, 0.5))
    data[10] = {"other": 1.0}
    verdict = judge_expectation(expectation(null=0.0), {"a": data})
    assert verdict.n == 10
    assert verdict.verdict == REPRODUCED
    assert "seed 10" in verdict.reason and "missing" in verdict.reason


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_dropped_and_reported(bad):
    values = list(normal(25, 3.0, 0.5, n=6))
    data = runs(values)
    data[6] = {"m": bad}
    data[7] = {"m": bad}
    verdict = judge_expectation(expectation(null=0.0), {"a": data})
    assert verdict.n == 6
    assert all(math.isfinite(v) for v in verdict.values)
    assert math.isfinite(verdict.mean) and verdict.mean == pytest.approx(np.mean(values))
    assert "finite" in verdict.reason
    assert "seed 6" in verdict.reason and "seed 7" in verdict.reason
    assert verdict.verdict == REPRODUCED


def test_non_positive_values_on_log10_scale_are_not_used():
    e = expectation(comparison="less", margin=-1.0, scale="log10")
    data = runs(10 ** normal(26, -3.0, 0.1, n=6))
    data[6] = {"m": 0.0}
    data[7] = {"m": -1.0}
    verdict = judge_expectation(e, {"a": data})
    assert verdict.n == 6
    assert "finite" in verdict.reason
    assert verdict.verdict == REPRODUCED


def test_only_non_finite_values_is_an_error():
    verdict = judge(expectation(), [math.nan, math.nan, math.inf])
    assert verdict.verdict == ERROR
    assert verdict.n == 0
    assert "finite" in verdict.reason


def test_non_finite_leaving_one_seed_is_inconclusive_and_says_why():
    verdict = judge(expectation(), [3.0, math.nan, math.nan])
    assert verdict.verdict == INCONCLUSIVE
    assert "finite" in verdict.reason


@pytest.mark.parametrize("e, value, want", [
    (expectation(margin=1.0, null=0.0), 3.0, REPRODUCED),
    (expectation(margin=1.0, null=0.0), -3.0, NOT_REPRODUCED),
    (expectation(margin=1.0, null=0.0), 0.5, PARTIAL),
    (expectation(margin=1.0, null=0.0, test="wilcoxon"), 3.0, REPRODUCED),
    (expectation(comparison="less", margin=1.0), -3.0, REPRODUCED),
    (expectation(comparison="less", margin=1.0), 3.0, NOT_REPRODUCED),
    (expectation(comparison="within", target=2.0, margin=0.1), 2.0, REPRODUCED),
    (expectation(comparison="within", target=2.0, margin=0.1), 3.0, NOT_REPRODUCED),
    (expectation(comparison="outside", target=2.0, margin=0.1), 3.0, REPRODUCED),
    (expectation(comparison="outside", target=2.0, margin=0.1), 2.0, NOT_REPRODUCED),
])
def test_identical_values_on_every_seed(e, value, want):
    verdict = judge(e, [value] * 6)
    assert verdict.verdict == want
    assert verdict.n == 6
    assert verdict.mean == value
    assert verdict.ci_low == verdict.ci_high == value
    assert not math.isnan(verdict.p_value) and not math.isnan(verdict.effect_size)


def test_identical_values_exactly_at_the_margin_are_not_reproduced():
    verdict = judge(expectation(margin=1.0), [1.0] * 5)
    assert verdict.verdict == INCONCLUSIVE
    assert verdict.effect_size == 0.0


def test_identical_paired_values_have_zero_effect():
    base = normal(27, 5.0, 2.0)
    verdict = judge_expectation(expectation(baseline="b", margin=0.0), {"a": runs(base), "b": runs(base)})
    assert verdict.verdict == INCONCLUSIVE
    assert verdict.mean == 0.0


# --------------------------------------------------------------------------- combining sub-verdicts


@pytest.mark.parametrize("verdict", VERDICTS)
def test_combine_all_the_same(verdict):
    assert combine([verdict]) == verdict
    assert combine([verdict] * 3) == verdict


@pytest.mark.parametrize("verdicts, want", [
    ([REPRODUCED, ERROR], ERROR),
    ([ERROR, INCONCLUSIVE, NOT_REPRODUCED], ERROR),
    ([REPRODUCED, REPRODUCED, PARTIAL], PARTIAL),
    ([REPRODUCED, NOT_REPRODUCED], PARTIAL),
    ([REPRODUCED, INCONCLUSIVE], PARTIAL),
    ([PARTIAL, NOT_REPRODUCED, INCONCLUSIVE], PARTIAL),
    ([NOT_REPRODUCED, INCONCLUSIVE], NOT_REPRODUCED),
    ([INCONCLUSIVE, NOT_REPRODUCED, INCONCLUSIVE], NOT_REPRODUCED),
    ([], ERROR),
])
def test_combine_rules(verdicts, want):
    assert combine(verdicts) == want
    assert combine(list(reversed(verdicts))) == want


# --------------------------------------------------------------------------- a whole claim


def _toy_claim() -> Claim:
    return Claim(
        id="toy-claim", title="toy", statement="a beats b; a is about 3", source="test",
        base_config={"k": 0},
        arms=(Arm("a", {"k": 1}), Arm("b", {"k": 2})),
        expectations=(
            expectation(id="a-beats-b", baseline="b", margin=0.5),
            expectation(id="a-is-three", comparison="within", target=3.0, margin=0.2),
        ),
        budgets={"smoke": Budget(seeds=2), "quick": Budget(seeds=5), "full": Budget(seeds=10)},
        run=lambda config, seed, context: ArmResult(scalars={"m": 0.0}),
    )


def _toy_results(n: int = 8):
    rng = np.random.default_rng(28)
    a = 3.0 + rng.normal(0.0, 0.02, n)
    b = a - 2.0 + rng.normal(0.0, 0.02, n)
    return {"a": runs(a), "b": runs(b)}


def test_judge_claim_quick():
    verdict = judge_claim(_toy_claim(), _toy_results(), "quick")
    assert isinstance(verdict, ClaimVerdict)
    assert verdict.claim_id == "toy-claim"
    assert verdict.profile == "quick"
    assert verdict.verdict == REPRODUCED
    assert [s.verdict for s in verdict.subverdicts] == [REPRODUCED, REPRODUCED]
    assert [c.verdict for c in verdict.controls] == [NOT_REPRODUCED, NOT_REPRODUCED]
    assert [c.expectation.id for c in verdict.controls] == ["a-beats-b-inverted", "a-is-three-inverted"]
    assert verdict.n_seeds == 8
    assert verdict.counts()[REPRODUCED] == 2 and sum(verdict.counts().values()) == 2


def test_judge_claim_mixed_is_partial():
    results = _toy_results()
    results["a"] = {r: {"m": v["m"] + 1.0} for r, v in results["a"].items()}  # still beats b, no longer ~3
    verdict = judge_claim(_toy_claim(), results, "quick")
    assert [s.verdict for s in verdict.subverdicts] == [REPRODUCED, NOT_REPRODUCED]
    assert verdict.verdict == PARTIAL


def test_judge_claim_on_smoke_profile_is_inconclusive_with_a_reason():
    verdict = judge_claim(_toy_claim(), _toy_results(), "smoke")
    assert verdict.verdict == INCONCLUSIVE
    assert "smoke" in verdict.reason
    # the sub-claims are still judged on their own
    assert [s.verdict for s in verdict.subverdicts] == [REPRODUCED, REPRODUCED]


def test_judge_claim_with_a_missing_arm_is_an_error_even_on_smoke():
    results = _toy_results()
    del results["b"]
    for profile in ("smoke", "quick"):
        verdict = judge_claim(_toy_claim(), results, profile)
        assert verdict.verdict == ERROR
        assert verdict.subverdicts[0].verdict == ERROR
