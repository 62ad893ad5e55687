"""The judge: statistics over seeds -> a graded verdict per sub-claim, and the claim's verdict from its primaries.

For each expectation the per-seed effect is computed (one arm's metric, or the paired difference of two
arms on the same seed, optionally of log10 values) and judged at level alpha, every interval matching its
tests: one-sided tests at alpha, so a (1 − 2·alpha) two-sided interval. The alpha a look tests at is the sub-claim's
alpha times the look's share (alpha spending, FIRST_LOOK_SHARE): 0.045 at the seeds a profile plans, a 91 % interval.

  test 't'           Student's t on the effects; the t interval.
  test 'binomial'    0/1 outcomes: one arm's rate by an exact binomial test with a Clopper–Pearson interval;
                     two arms by an exact McNemar test on the discordant pairs (the direction only).
  censored_by        time-to-target: a censored run is a bound, so each pair's effect is an interval (both
                     censored: (−∞, ∞)). When some pair is a bound, every pair counts, each one-sided test taking
                     it at its end least favourable to that test's alternative (a pair censored on the claim's
                     side at its bound, one censored against it anywhere beyond: the largest rank against), in an
                     exact Wilcoxon signed-rank test over sign flips; its p can only grow as values move against
                     the alternative, so bounds in place of values never make a difference appear, whichever arm
                     is censored more often. The interval inverts the same tests. When every pair is a value, the
                     t-test as above. With 5 seeds the signed-rank p cannot go below 1/32: enough for a primary
                     (tested at alpha, below), not inside a Holm family. tests/unit/test_judge_null.py measures
                     the false positives (censoring that depends on the arm included) and the power kept.
  exact              computed, not sampled: HOLDS when every seed satisfies the comparison, else FAILS;
                     reported apart, outside the statistics.

The grades, for a claim 'effect greater than margin m' with no-effect value n < m ('less' mirrors it):

  REPRODUCED      effect > m is significant: the direction and the claimed size hold.
  SMALLER EFFECT  effect > n and effect < m are both significant: the direction holds, the claimed size
                  is ruled out.
  DIRECTION ONLY  effect > n is significant, effect < m is not: the direction holds, the size is undecided.
  NOT REPRODUCED  effect < m is significant and the direction is not: the data contradict the claim.
  INCONCLUSIVE    none of these: too noisy at this budget (the report says how many seeds would decide it).
  NOT TESTABLE HERE  a precondition of the claim (the regime its mechanism needs: a target beyond a linear model's
                  reach, nets converged, units that died at some rate) was not established in its runs, so the
                  sub-claims it guards were not tested; never NOT REPRODUCED. Counted apart.
  ERROR           the runs it needs failed or are missing.

Preconditions (Claim.preconditions) are sub-claims judged first, each on its own at alpha (they must all hold: an
intersection, no correction); one holds when it reads REPRODUCED (or HOLDS, exact). A sub-claim a failed precondition
guards leaves its Holm family (the families are of the sub-claims tested); a primary not testable makes the claim
NOT TESTABLE HERE, unless another primary refutes it.

'within' is equivalence (two one-sided tests), 'outside' its inverse (either side, each at alpha / 2). Values
equal to within TIE (relative) are equal: a ratio of step counts exactly at its margin is at it, and values
identical to rounding have no spread. A claim's verdict is that of its primary sub-claims, the lecture's headline:
the weakest of them (a size ruled out, SMALLER EFFECT, is weaker than a size undecided, DIRECTION ONLY); the others
are secondary findings. The primaries are an intersection–union test: the claim holds only when every primary
does, so each primary's claim and direction are tested at alpha with no correction; the tests that refute a
primary (NOT REPRODUCED, a size ruled out) are Holm-adjusted over the primaries, since one refuted primary refutes
the claim. Secondaries judged on the same runs are corrected by Holm's step-down method within the secondary
family (or a named family the claim declares), for each kind of test.

Placebos (A/A): a claim's baseline arm (its first primary paired comparison's) run again on an
independent seed stream and compared with itself on each metric of a paired claim of a difference, measured as
that claim measures it; the true effect is 0, so a difference either way, two-sided at alpha, is a false
positive (BIAS).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping

import numpy as np
from scipy import special, stats

from reproductions.claim import Claim, Expectation

REPRODUCED = "REPRODUCED"
SMALLER = "SMALLER EFFECT"
DIRECTION_ONLY = "DIRECTION ONLY"
NOT_REPRODUCED = "NOT REPRODUCED"
INCONCLUSIVE = "INCONCLUSIVE"
NOT_TESTABLE = "NOT TESTABLE HERE"
ERROR = "ERROR"
VERDICTS = (REPRODUCED, SMALLER, DIRECTION_ONLY, NOT_REPRODUCED, INCONCLUSIVE, NOT_TESTABLE, ERROR)
DIRECTION_HOLDS = (REPRODUCED, SMALLER, DIRECTION_ONLY)
HOLDS, FAILS = "HOLDS", "FAILS"  # exact checks
BIAS, NO_BIAS = "BIAS", "NO BIAS SEEN"  # placebos: a difference either way where none exists (a false positive), or none
MIN_SEEDS = 2
# alpha spending over looks (`--seeds N` buys seeds after a look): the share of a sub-claim's alpha spent by the
# looks up to n seeds, for a profile that plans n0: FIRST_LOOK_SHARE at n <= n0, then 1 − (1 − FIRST_LOOK_SHARE)(n0/n)²,
# which rises to 1 as n grows without bound; each look is tested at its increment (Bonferroni over looks, valid
# however the looks share seeds), so the chance of a false grade over every look a user takes is at most alpha.
FIRST_LOOK_SHARE = 0.9
POWER = 0.8  # of the seed count the report suggests for an undecided sub-claim
MAX_SEEDS_TO_DECIDE = 100_000  # beyond this the report says "> 10000": the effect sits on its boundary
PRIMARY, SECONDARY, EXACT, PLACEBO = "primary", "secondary", "exact", "placebo"
PRECONDITION = "precondition"  # the regime a claim needs, measured in its runs (Claim.preconditions)
ESTABLISHED = (REPRODUCED, HOLDS)  # a precondition holds only when shown at alpha (or on every seed, exact)
# the claim's verdict from its primaries: the weakest (ERROR whenever one is)
# (a size ruled out is weaker than a size undecided; a primary that could not be tested here makes the claim not
# testable here, unless another primary refutes it: a conjunction with one false member is false)
_STRENGTH = {REPRODUCED: 0, DIRECTION_ONLY: 1, SMALLER: 2, INCONCLUSIVE: 3, NOT_TESTABLE: 4, NOT_REPRODUCED: 5}

# results[arm][repeat][metric] = value, as read back from the store
Results = Mapping[str, Mapping[int, Mapping[str, float]]]


@dataclasses.dataclass(frozen=True)
class SubVerdict:
    expectation: Expectation
    verdict: str
    n: int
    mean: float = math.nan  # the estimate: the mean (t), the rate (binomial), the median (censored), or the
    ci_low: float = math.nan  # difference in rates (McNemar); with its (1 − 2α) interval
    ci_high: float = math.nan
    p_value: float = math.nan  # of the test that decided (Holm-adjusted), or of the claim's own test when none did
    effect_size: float = math.nan  # Cohen's d against the no-effect value (t only)
    values: tuple[float, ...] = ()
    reason: str = ""
    role: str = SECONDARY
    method: str = ""
    confidence: float = math.nan  # of the interval
    seeds_to_decide: int | None = None  # at the observed spread, for an undecided sub-claim
    seeds_range: tuple[int, int | None] | None = None  # the same at the ends of the interval (None: unbounded)
    adjustment: str = ""  # e.g. "Holm over 3 secondary sub-claims"
    censored: int = 0  # pairs with a bound instead of a value


@dataclasses.dataclass(frozen=True)
class ClaimVerdict:
    claim_id: str
    verdict: str
    subverdicts: tuple[SubVerdict, ...]  # every sub-claim, in the claim's order, each with its role
    placebos: tuple[SubVerdict, ...]
    n_seeds: int
    profile: str
    reason: str = ""
    look: Look | None = None  # which look at the seeds, and the share of alpha it tested at
    asymmetric: tuple[str, ...] = ()  # paired sub-claims graded otherwise with their arms exchanged (mirrored)

    def of_role(self, *roles: str) -> tuple[SubVerdict, ...]:
        return tuple(s for s in self.subverdicts if s.role in roles)

    @property
    def statistical(self) -> tuple[SubVerdict, ...]:
        return self.of_role(PRIMARY, SECONDARY)

    @property
    def preconditions(self) -> tuple[SubVerdict, ...]:
        return self.of_role(PRECONDITION)

    def counts(self) -> dict[str, int]:
        return {v: sum(s.verdict == v for s in self.statistical) for v in VERDICTS}


def _transform(value: float, scale: str) -> float:
    if scale == "log10":
        return math.log10(value) if value > 0 else (-math.inf if value == 0 else math.nan)
    return value


def _repeats(expectation: Expectation, results: Results) -> tuple[Mapping, Mapping | None, list[int]]:
    arm_runs = results.get(expectation.arm, {})
    base_runs = results.get(expectation.baseline, {}) if expectation.baseline else None
    repeats = sorted(arm_runs) if base_runs is None else sorted(set(arm_runs) | set(base_runs))
    return arm_runs, base_runs, repeats


def effect_bounds(expectation: Expectation, results: Results) -> tuple[list[tuple[float, float]], list[int], str]:
    """Per-seed effects as (low, high): equal for a value, open on one side where a censored run makes it a
    bound (only with `censored_by`); the repeats they come from; and why some repeats gave none."""
    arm_runs, base_runs, repeats = _repeats(expectation, results)
    bounds, used, problems = [], [], []
    for repeat in repeats:
        absent = [arm for arm, runs in ((expectation.arm, arm_runs), (expectation.baseline, base_runs))
                  if runs is not None and repeat not in runs]
        if absent:  # the seed's run of one arm failed or is missing: the pair is not dropped unseen
            problems.append(f"repeat {repeat}: no finished run of {', '.join(absent)}")
            continue
        sides = [arm_runs[repeat]] + ([] if base_runs is None else [base_runs[repeat]])
        values = [side.get(expectation.metric) for side in sides]
        if any(v is None for v in values):
            problems.append(f"repeat {repeat}: metric {expectation.metric!r} missing")
            continue
        flags = [bool(side.get(expectation.censored_by, 0.0)) if expectation.censored_by else False for side in sides]
        points = [_transform(v, expectation.scale) for v in values]
        effect = points[0] - (points[1] if len(points) > 1 else 0.0)
        if not math.isfinite(effect):
            if any(flag and not math.isfinite(point) for flag, point in zip(flags, points)):
                bounds.append((-math.inf, math.inf))  # a censored run with no value: a pair that tells nothing
                used.append(repeat)
                continue
            problems.append(f"repeat {repeat}: effect not finite ({effect})")
            continue
        # a censored arm took longer than counted (effect up); a censored baseline too (effect down)
        low = -math.inf if len(flags) > 1 and flags[1] else effect
        high = math.inf if flags[0] else effect
        bounds.append((low, high))
        used.append(repeat)
    return bounds, used, "; ".join(problems)


@dataclasses.dataclass(frozen=True)
class _Measured:
    """What the data say about one effect: an estimate, its interval, and a one-sided p-value at any value."""

    n: int
    estimate: float
    low: float
    high: float
    method: str
    p_at: Callable[[float, str], float]  # p of H1 'effect <alternative> value'
    spread: float = math.nan  # sd (t), for the seed count that would decide
    rate: float = math.nan  # observed rate (binomial) or share of discordant pairs up (McNemar), for the same
    informative: float = 1.0  # share of pairs that count (McNemar; sign test: 0 when none is known)
    sides_at: Callable[[float], tuple[int, int]] | None = None  # sign test: pairs known above / below a value
    censored: int = 0
    reason: str = ""


def _t(x: np.ndarray, alpha: float) -> _Measured:
    sd = float(x.std(ddof=1))
    if sd <= TIE * float(np.max(np.abs(x))):  # identical to rounding, relative to their size
        return _Measured(len(x), float(x[0]), float(x[0]), float(x[0]), "t", lambda v, a: math.nan, reason=(
            f"every seed gave {x[0]:.6g}: a t-test needs spread (a computed quantity is declared exact)"))
    n = len(x)
    mean, se = float(x.mean()), sd / math.sqrt(n)
    half = float(special.stdtrit(n - 1, 1 - alpha)) * se  # scipy.stats.ttest_1samp's numbers, without its overhead

    def p_at(value: float, alternative: str) -> float:  # one-sided Student's t p of 'mean <alternative> value'
        t = float((x - value).mean()) / se
        return float(special.stdtr(n - 1, -t if alternative == "greater" else t))

    return _Measured(n, mean, mean - half, mean + half, "t", p_at, spread=sd)


def _binomial(x: np.ndarray, alpha: float) -> _Measured:
    k, n = int(x.sum()), len(x)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=1 - 2 * alpha, method="exact")
    return _Measured(n, k / n, float(ci.low), float(ci.high), "exact binomial",
                     lambda v, a: float(stats.binomtest(k, n, min(max(v, 0.0), 1.0), alternative=a).pvalue), rate=k / n)


def _mcnemar(arm: np.ndarray, base: np.ndarray, alpha: float) -> _Measured:
    """Paired 0/1 outcomes: the exact McNemar test is a binomial test of the discordant pairs (arm 1 and
    baseline 0, against the reverse); the interval is the difference in rates given those pairs."""
    n = len(arm)
    up, down = int(np.sum((arm == 1) & (base == 0))), int(np.sum((arm == 0) & (base == 1)))
    discordant = up + down
    difference = (up - down) / n
    if discordant == 0:
        return _Measured(n, difference, 0.0, 0.0, "exact McNemar", lambda v, a: 1.0, informative=0.0,
                         reason="no discordant pair: the two arms never differ")
    ci = stats.binomtest(up, discordant).proportion_ci(confidence_level=1 - 2 * alpha, method="exact")
    scale = discordant / n
    return _Measured(n, difference, scale * (2 * ci.low - 1), scale * (2 * ci.high - 1), "exact McNemar",
                     lambda v, a: float(stats.binomtest(up, discordant, 0.5, alternative=a).pvalue),
                     rate=up / discordant, informative=discordant / n)


# two values this close, relative to the larger, are equal: log10 of step counts exactly at a 2x margin differ from it
# by ~1e-16 (a bound like 1e-12 or 1 - 1e-12 that a claim states on purpose stays apart: 1e-12 relative > TIE)
TIE = 1e-13


def _at(values: np.ndarray, value: float) -> np.ndarray:
    """values - value, exact zeros where they agree to rounding (a ratio of integers exactly at its margin)."""
    shifted = values - value
    with np.errstate(invalid="ignore"):
        tied = np.abs(shifted) <= TIE * np.maximum(np.abs(values), abs(value))
    shifted[tied & np.isfinite(values)] = 0.0
    return shifted


def signed_rank_p(c: np.ndarray) -> float:
    """One-sided exact p of the Wilcoxon signed-rank test for 'c is shifted above 0' on sign flips: c may hold
    -inf (a pair that could be anywhere below: the largest rank, against) and zeros (a tie: counted against,
    never for). Non-increasing in every value, so values smaller than the truth give a p no smaller (valid)."""
    n = len(c)
    magnitude = np.abs(c)
    finite = np.isfinite(magnitude)
    order = np.where(finite, magnitude, np.inf)
    ranks = stats.rankdata(order)  # midranks; ties share; infinities rank last
    doubled = np.rint(2 * ranks).astype(int)
    observed = int(doubled[c > 0].sum())
    # the distribution of the sum of doubled ranks over the 2^n equally likely sign flips
    counts = np.zeros(int(doubled.sum()) + 1)
    counts[0] = 1.0
    for r in doubled:  # every rank is >= 1, so doubled >= 2
        counts[r:] = counts[r:] + counts[:-r]
    return float(counts[observed:].sum() / 2.0 ** n)


def _walsh(values: np.ndarray) -> np.ndarray:
    """The pairwise means (x_i + x_j) / 2, i <= j: where a signed-rank statistic can change as the tested value moves."""
    i, j = np.triu_indices(len(values))
    return np.unique((values[i] + values[j]) / 2)


def _interval_by_inversion(p_at: Callable[[float, str], float], alpha: float, lows: np.ndarray,
                           highs: np.ndarray) -> tuple[float, float]:
    """The (1 − 2·alpha) interval that inverts the one-sided tests: every value neither 'greater' nor 'less'
    rejects at alpha. The p-values are step functions of the tested value, constant between the pairwise means of
    the ends each test uses; the interval's ends are among those means (open where no value is rejected)."""

    def edge(alternative: str, ends: np.ndarray) -> float:
        steps = _walsh(ends[np.isfinite(ends)])
        if not len(steps):
            return -math.inf if alternative == "greater" else math.inf
        # one value inside each stretch between steps (and beyond either end); the tests reject a prefix of them
        # ('greater': every value below the low end) or a suffix ('less'): bisect for where that stops
        probes = np.concatenate([[steps[0] - 1.0], (steps[:-1] + steps[1:]) / 2, [steps[-1] + 1.0]])
        if alternative == "less":
            probes = probes[::-1]
        first, last = 0, len(probes)  # the first probe not rejected lies in [first, last]
        while first < last:
            middle = (first + last) // 2
            if p_at(float(probes[middle]), alternative) < alpha:
                first = middle + 1
            else:
                last = middle
        if first == 0:  # none rejected
            return -math.inf if alternative == "greater" else math.inf
        if first == len(probes):  # all rejected (cannot happen with a valid test, kept total)
            return math.inf if alternative == "greater" else -math.inf
        return float(steps[first - 1] if alternative == "greater" else steps[len(steps) - first])

    return edge("greater", lows), edge("less", highs)


def _rank_on_bounds(bounds: list[tuple[float, float]], alpha: float) -> _Measured:
    """Paired effects of which some are bounds (a censored run): each one-sided test takes every pair at the end
    least favourable to its alternative (a pair censored on the claim's side at its bound, one censored against
    it anywhere beyond), and the exact Wilcoxon signed-rank test on those values, so censoring that depends on
    the arm cannot make a difference appear; every pair counts. The interval inverts the same tests."""
    n = len(bounds)
    lows = np.asarray([lo for lo, _ in bounds], dtype="float64")
    highs = np.asarray([hi for _, hi in bounds], dtype="float64")
    censored = int(np.sum(lows != highs))
    known = np.asarray([lo if math.isfinite(lo) else hi for lo, hi in bounds if math.isfinite(lo) or math.isfinite(hi)])
    if not len(known):
        return _Measured(n, math.nan, -math.inf, math.inf, "signed-rank on bounds", lambda v, a: 1.0, censored=censored,
                         informative=0.0, reason="no run reached the target: every pair is censored on both sides")

    def p_at(value: float, alternative: str) -> float:
        # H1 'effect > value': pairs at their low ends; H1 'effect < value': the mirror, at their high ends
        c = _at(lows, value) if alternative == "greater" else -_at(highs, value)
        return signed_rank_p(c)

    def sides_at(value: float) -> tuple[int, int]:
        return int(np.sum(_at(lows, value) > 0)), int(np.sum(_at(highs, value) < 0))

    low, high = _interval_by_inversion(p_at, alpha, lows, highs)
    spread = float(np.std(known, ddof=1)) if len(known) > 1 else math.nan
    estimate = float(np.median(known))  # a bound counts at its known end: a display value, never tested
    return _Measured(n, estimate, low, high, "signed-rank on bounds", p_at, spread=spread, censored=censored,
                     sides_at=sides_at)


def _measure(e: Expectation, bounds: list[tuple[float, float]], results: Results) -> _Measured:
    alpha = e.alpha
    if e.censored_by and any(lo != hi for lo, hi in bounds):
        return _rank_on_bounds(bounds, alpha)
    x = np.asarray([lo for lo, _ in bounds], dtype="float64")
    if e.test == "binomial":
        arm_runs, base_runs, repeats = _repeats(e, results)
        outcome = [arm_runs[r].get(e.metric) for r in repeats]
        if base_runs is None:
            return _binomial(np.asarray(outcome, dtype="float64"), alpha)
        return _mcnemar(np.asarray(outcome, dtype="float64"),
                        np.asarray([base_runs[r].get(e.metric) for r in repeats], dtype="float64"), alpha)
    return _t(x, alpha)


def _raw_p(e: Expectation, measured: _Measured) -> dict[str, float]:
    """The one-sided p-values a verdict is read from: the claimed size, the direction and against the
    claimed size ('greater'/'less'); inside and outside the tolerance ('within'/'outside')."""
    p = measured.p_at
    if e.comparison in ("greater", "less"):
        better = e.comparison
        worse = "less" if better == "greater" else "greater"
        found = {"claim": p(e.margin, better), "against": p(e.margin, worse)}
        if e.effective_null != e.margin:
            found["direction"] = p(e.effective_null, better)
        return found
    low_edge, high_edge = e.target - e.margin, e.target + e.margin
    # inside: both one-sided tests (TOST); outside: either side, each at alpha / 2
    return {"inside": max(p(low_edge, "greater"), p(high_edge, "less")),
            "outside": min(1.0, 2 * min(p(high_edge, "greater"), p(low_edge, "less")))}


def _grade(e: Expectation, p: Mapping[str, float]) -> tuple[str, float]:
    alpha = e.alpha
    if e.comparison in ("greater", "less"):
        if p["claim"] < alpha:
            return REPRODUCED, p["claim"]
        if p.get("direction", 1.0) < alpha:
            if p["against"] < alpha:
                return SMALLER, max(p["direction"], p["against"])
            return DIRECTION_ONLY, p["direction"]
        if p["against"] < alpha:
            return NOT_REPRODUCED, p["against"]
        return INCONCLUSIVE, p["claim"]
    inside, outside = (REPRODUCED, NOT_REPRODUCED) if e.comparison == "within" else (NOT_REPRODUCED, REPRODUCED)
    if p["inside"] < alpha:
        return inside, p["inside"]
    if p["outside"] < alpha:
        return outside, p["outside"]
    return INCONCLUSIVE, p["inside"] if e.comparison == "within" else p["outside"]


def _boundary(e: Expectation, estimate: float) -> float:
    """The value an undecided sub-claim would be decided against: the claimed margin, or a tolerance's nearer edge."""
    if e.comparison in ("greater", "less"):
        return e.margin
    return min((e.target - e.margin, e.target + e.margin), key=lambda edge: abs(estimate - edge))


def t_seeds_needed(distance: float, spread: float, alpha: float) -> float:
    """Seeds a one-sided t-test at alpha needs for POWER at this distance from the boundary and this spread: the
    fewest n >= 2 with ((t_{1−alpha, n−1} + t_{POWER, n−1}) · spread / distance)² <= n, by bisection (the left side
    falls and the right rises with n; a fixed-point iteration from the normal approximation oscillated at small
    alpha, where t quantiles at 2 or 3 degrees of freedom are huge); MAX_SEEDS_TO_DECIDE + 1 beyond it, inf at no
    distance."""
    if not distance > 0 or not math.isfinite(spread) or not spread > 0:
        return math.inf
    ratio = spread / distance

    def enough(n: int) -> bool:
        return ((special.stdtrit(n - 1, 1 - alpha) + special.stdtrit(n - 1, POWER)) * ratio) ** 2 <= n

    low, high = 2, MAX_SEEDS_TO_DECIDE
    if not enough(high):
        return float(MAX_SEEDS_TO_DECIDE + 1)  # more than any count given ("> 10000")
    if enough(low):
        return float(low)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return float(high)


def rate_trials_needed(rate: float, null_rate: float, alpha: float, cap: int = 5000) -> float:
    """Exact: the fewest trials m for which the one-sided exact binomial test at alpha (against null_rate, on the
    side `rate` lies) has power >= POWER when the true rate is `rate` (no normal approximation, which under-delivers
    for 0/1 outcomes); inf beyond `cap`. The critical count never falls as m grows, so one pass finds both."""
    if not math.isfinite(rate) or rate == null_rate:
        return math.inf
    if rate < null_rate:  # mirror 'fewer' onto 'more'
        rate, null_rate = 1 - rate, 1 - null_rate

    def tail(k: int, m: int, p: float) -> float:  # P(Binomial(m, p) >= k), k >= 1
        return float(special.betainc(k, m - k + 1, p))

    k = 1
    for m in range(1, cap + 1):
        while k <= m and tail(k, m, null_rate) > alpha:
            k += 1
        if k <= m and tail(k, m, rate) >= POWER:
            return float(m)
    return math.inf


def _rate_of(e: Expectation, measured: _Measured, boundary: float) -> tuple[float, float, float, int, int]:
    """(rate, null rate, share of seeds that count, successes, trials) of a rate-based test at the boundary."""
    if measured.method == "exact binomial":
        k = int(round(measured.rate * measured.n))
        return measured.rate, min(max(boundary, 1e-6), 1 - 1e-6), 1.0, k, measured.n
    if measured.sides_at is not None:  # bounds: the pairs known on each side (a sign test's reading)
        above, below = measured.sides_at(boundary)
        known = above + below
        return (above / known if known else math.nan), 0.5, known / measured.n, above, known
    trials = int(round(measured.informative * measured.n))  # McNemar: the discordant pairs
    return measured.rate, 0.5, measured.informative, int(round(measured.rate * trials)), trials


def _count(n: float, measured: _Measured) -> int | None:
    return None if not math.isfinite(n) else max(measured.n + 1, math.ceil(min(n, MAX_SEEDS_TO_DECIDE)))


def _seeds_at(needed: Callable[[float], float], alpha: float, measured: _Measured,
              next_alpha: Callable[[int], float] | None) -> int | None:
    """The seed count `needed(alpha)` asks for, as a count above the seeds judged; with `next_alpha` (a look's
    alpha spending: the alpha a look at n seeds would get, rising with n), the fewest n with needed(next_alpha(n))
    <= n, found by bisection (needed falls as alpha rises, so the condition holds from some n on)."""
    if next_alpha is None:
        return _count(needed(alpha), measured)
    low, high = measured.n + 1, MAX_SEEDS_TO_DECIDE
    top = needed(next_alpha(high))
    if not top <= high:  # beyond any count given ("> 10000"), or none at all
        return high if math.isfinite(top) else None
    if needed(next_alpha(low)) <= low:
        return low
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if needed(next_alpha(middle)) <= middle else (middle, high)
    return high


def seeds_to_decide(e: Expectation, measured: _Measured, family: int = 1,
                    next_alpha: Callable[[int], float] | None = None) -> int | None:
    """Seeds that would decide an undecided sub-claim at the observed effect and spread (one-sided test at alpha,
    divided over a multiplicity family of that size, with 80 % power) against the boundary nearest its estimate:
    a point estimate from few seeds, so seeds_range gives its range too. `next_alpha`: the alpha a next look at n
    seeds would be tested at (Look.next_alpha; None: e.alpha at any count)."""
    alpha, boundary = e.alpha / family, _boundary(e, measured.estimate)
    at = None if next_alpha is None else (lambda n: next_alpha(n) / family)
    if measured.method == "t":
        distance = abs(measured.estimate - boundary)
        return _seeds_at(lambda a: t_seeds_needed(distance, measured.spread, a), alpha, measured, at)
    rate, null_rate, informative, _, _ = _rate_of(e, measured, boundary)
    return _seeds_at(lambda a: rate_trials_needed(rate, null_rate, a) / informative if informative > 0 else math.inf,
                     alpha, measured, at)


def seeds_range(e: Expectation, measured: _Measured, family: int = 1,
                next_alpha: Callable[[int], float] | None = None) -> tuple[int, int | None] | None:
    """The seeds that would decide it, at the ends of what the data allow: the (1 − 2·alpha) interval of the effect
    (and, for a t-test, of the spread, from the chi-square): fewest where the effect is farthest from the boundary
    (and the spread least), most where it is nearest (None: the interval reaches the boundary, so no count is sure
    to decide it). From 5 seeds a point of 27 can range 12–718: the range is the honest figure."""
    alpha = e.alpha / family
    at = None if next_alpha is None else (lambda n: next_alpha(n) / family)
    boundary = _boundary(e, measured.estimate)
    if measured.method == "t":
        if not math.isfinite(measured.spread) or measured.n < 2:
            return None
        df = measured.n - 1
        spread_low = measured.spread * math.sqrt(df / stats.chi2.ppf(1 - e.alpha, df))
        spread_high = measured.spread * math.sqrt(df / stats.chi2.ppf(e.alpha, df))
        ends = (measured.low, measured.high)
        far = max(abs(end - boundary) for end in ends)
        near = 0.0 if measured.low <= boundary <= measured.high else min(abs(end - boundary) for end in ends)
        fewest = _seeds_at(lambda a: t_seeds_needed(far, spread_low, a), alpha, measured, at)
        most = _seeds_at(lambda a: t_seeds_needed(near, spread_high, a), alpha, measured, at)
    else:
        rate, null_rate, informative, successes, trials = _rate_of(e, measured, boundary)
        if not trials or not math.isfinite(rate):
            return None
        ci = stats.binomtest(successes, trials).proportion_ci(confidence_level=1 - 2 * e.alpha, method="exact")
        low, high = float(ci.low), float(ci.high)
        side = 1 if rate > null_rate else -1
        far_rate = high if side > 0 else low
        near_rate = null_rate if low <= null_rate <= high else (low if side > 0 else high)
        if not informative > 0:
            return None
        fewest = _seeds_at(lambda a: rate_trials_needed(far_rate, null_rate, a) / informative, alpha, measured, at)
        most = _seeds_at(lambda a: rate_trials_needed(near_rate, null_rate, a) / informative, alpha, measured, at)
    return None if fewest is None else (fewest, most)


def _exact(e: Expectation, bounds: list[tuple[float, float]], problems: str, results: Results) -> SubVerdict:
    """Every seed must satisfy the comparison: a seed whose metric is missing makes the check an ERROR, one whose
    value is not finite makes it FAIL (before issue 31 both were dropped, and 4 of 5 seeds could HOLD)."""
    values = [lo for lo, _ in bounds]
    arm_runs, base_runs, repeats = _repeats(e, results)
    missing = [r for r in repeats if any(runs.get(r, {}).get(e.metric) is None
                                          for runs in filter(None, (arm_runs, base_runs)))]
    if not values or missing:
        return SubVerdict(e, ERROR, len(values), reason=f"no value to check on every seed. {problems}".strip(),
                          role=EXACT, method="exact")
    if len(values) < len(repeats):  # the rest gave a value that is not finite: it satisfies no comparison
        return SubVerdict(e, FAILS, len(repeats), float(np.mean(values)), float(min(values)), float(max(values)),
                          values=tuple(values), reason=f"fails on {len(repeats) - len(values)} of {len(repeats)} seeds "
                                                       f"({problems})", role=EXACT, method="exact")

    def holds(v: float) -> bool:  # a value equal to its bound to rounding (a ratio of integers) is equal
        above = float(_at(np.asarray([v]), e.margin)[0])
        distance = float(_at(np.asarray([abs(v - e.target)]), e.margin)[0]) if e.comparison in ("within", "outside") else 0.0
        return {"greater": above > 0, "less": above < 0, "within": distance <= 0,
                "outside": distance > 0}[e.comparison]

    failing = [f"{v:.6g}" for v in values if not holds(v)]
    reason = f"fails on {len(failing)} of {len(values)} seeds (values {', '.join(failing[:5])})" if failing else problems
    return SubVerdict(e, FAILS if failing else HOLDS, len(values), float(np.mean(values)), float(min(values)),
                      float(max(values)), values=tuple(values), reason=reason, role=EXACT, method="exact")


def _measurement(e: Expectation, results: Results, role: str) -> tuple[SubVerdict | None, _Measured | None, dict]:
    """What a sub-claim's (or a placebo's) runs measure: (the verdict when nothing can be measured, else None; the
    measurement; the SubVerdict fields it fills)."""
    bounds, _, problems = effect_bounds(e, results)
    missing = [arm for arm in e.arms if not results.get(arm)]
    if missing:
        return SubVerdict(e, ERROR, len(bounds), reason=f"no finished runs for arm(s) {', '.join(missing)}", role=role), None, {}
    if e.exact:
        return _exact(e, bounds, problems, results), None, {}
    n = len(bounds)
    if problems:  # a failed, missing or non-finite seed is counted, never dropped: the sub-claim cannot be judged
        return SubVerdict(e, ERROR, n, values=tuple(lo for lo, _ in bounds), role=role,
                          reason=f"{problems} (a seed's value is missing or not finite: judging the others would "
                                 "drop it unseen)"), None, {}
    if n < MIN_SEEDS:
        return SubVerdict(e, INCONCLUSIVE if n else ERROR, n, values=tuple(lo for lo, _ in bounds), role=role,
                          reason=f"{n} usable seed(s); at least {MIN_SEEDS} are needed. {problems}".strip()), None, {}
    if e.test == "binomial":
        arm_runs, base_runs, repeats = _repeats(e, results)
        outcomes = {runs[r].get(e.metric) for runs in filter(None, (arm_runs, base_runs)) for r in repeats}
        if None in outcomes:
            return SubVerdict(e, ERROR, n, role=role, reason=f"a 0/1 outcome is missing: {problems}"), None, {}
        if not outcomes <= {0.0, 1.0}:
            return SubVerdict(e, ERROR, n, role=role, reason=f"a binary test needs 0/1 outcomes; {e.metric} has "
                                                               f"{sorted(outcomes)[:5]}"), None, {}
    measured = _measure(e, bounds, results)
    reason = "; ".join(part for part in (measured.reason, problems) if part)
    # a bound enters the list of values at its known end (both ends unknown: nan)
    values = tuple(lo if math.isfinite(lo) else hi if math.isfinite(hi) else math.nan for lo, hi in bounds)
    return None, measured, dict(n=n, mean=measured.estimate, ci_low=measured.low, ci_high=measured.high, values=values,
                                reason=reason, role=role, method=measured.method, confidence=1 - 2 * e.alpha,
                                censored=measured.censored)


def _measured_verdict(e: Expectation, results: Results, role: str, next_alpha: Callable[[int], float] | None = None
                      ) -> tuple[SubVerdict, dict[str, float] | None, _Measured | None]:
    """The sub-claim judged on its own (no multiplicity correction yet), its raw p-values and measurement."""
    early, measured, base = _measurement(e, results, role)
    if early is not None:
        return early, None, None
    if measured.reason:  # no spread for a t-test, no pair that tells anything
        return SubVerdict(e, INCONCLUSIVE, **base), None, None
    p = _raw_p(e, measured)
    verdict, p_value = _grade(e, p)
    reference = e.effective_null if e.comparison in ("greater", "less") else e.target
    effect_size = (measured.estimate - reference) / measured.spread if measured.spread > 0 else math.nan
    undecided = verdict in (INCONCLUSIVE, DIRECTION_ONLY)
    return SubVerdict(e, verdict, p_value=p_value, effect_size=effect_size,
                      seeds_to_decide=seeds_to_decide(e, measured, 1, next_alpha) if undecided else None,
                      seeds_range=seeds_range(e, measured, 1, next_alpha) if undecided else None, **base), p, measured


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment: family-wise error at most alpha over the family."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted, running = [1.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def _refuting(e: Expectation) -> str:
    """The kind of p-value whose rejection says the claim is false (NOT REPRODUCED, or its size ruled out)."""
    return {"within": "outside", "outside": "inside"}.get(e.comparison, "against")


def _adjusted(family: list[tuple[SubVerdict, dict[str, float], _Measured]], name: str,
              primaries: bool = False, look: Look | None = None) -> list[SubVerdict]:
    """Each verdict of a family graded again on Holm-adjusted p-values (each kind of test apart).

    The primaries are an intersection–union test: the claim holds only when every primary does, so each primary's
    claim and direction are tested at alpha unadjusted (the conjunction's error is at most alpha); only the tests
    that refute a primary (one false primary makes the claim false: a union) are Holm-adjusted among them."""
    if len(family) < 2:
        return [verdict for verdict, _, _ in family]
    adjusted = [dict(p) for _, p, _ in family]
    # primaries: only the refuting kind of each; the others: every kind
    adjusts = [{_refuting(v.expectation)} & set(p) if primaries else set(p) for v, p, _ in family]
    for kind in set().union(*adjusts):
        members = [i for i, kinds in enumerate(adjusts) if kind in kinds]
        for i, value in zip(members, holm([family[i][1][kind] for i in members])):
            adjusted[i][kind] = value
    out = []
    for (verdict, _, measured), p in zip(family, adjusted):
        grade, p_value = _grade(verdict.expectation, p)
        undecided = grade in (INCONCLUSIVE, DIRECTION_ONLY)
        note = (f"intersection–union over {len(family)} primaries: each holds at alpha, refuted after Holm"
                if primaries else f"Holm over {len(family)} {name} sub-claims")
        out.append(dataclasses.replace(
            verdict, verdict=grade, p_value=p_value, adjustment=note,
            seeds_to_decide=seeds_to_decide(verdict.expectation, measured, 1 if primaries else len(family),
                                            _next(look, verdict.expectation)) if undecided else None,
            seeds_range=seeds_range(verdict.expectation, measured, 1 if primaries else len(family),
                                    _next(look, verdict.expectation)) if undecided else None))
    return out


def _next(look: Look | None, e: Expectation) -> Callable[[int], float] | None:
    """The alpha a next look would test `e` at (e carries this look's alpha: its declared alpha is that over the
    share), or None without a look."""
    return None if look is None or e.exact else look.next_alpha(e.alpha / look.share)


def judge_expectation(expectation: Expectation, results: Results, role: str = SECONDARY) -> SubVerdict:
    """One sub-claim on its own (no multiplicity correction)."""
    return _measured_verdict(expectation, results, role)[0]


def placebo_arm(arm: str) -> str:
    """The name under which an arm's placebo runs (its A/A replicate) enter the results."""
    return f"placebo:{arm}"


def placebo_of(expectation: Expectation, arm: str) -> Expectation:
    """The A/A control of a paired sub-claim's metric: `arm` on independent seeds against `arm`, measured as the
    sub-claim measures (scale, test, censoring) and judged by judge_placebo: two-sided at no difference."""
    scale = "log10 " if expectation.scale == "log10" else ""
    return dataclasses.replace(
        expectation, id=f"{expectation.id}-placebo", arm=placebo_arm(arm), baseline=arm,
        statement=f"placebo: {arm} on independent seeds against {arm}: no difference in {scale}{expectation.metric}")


def judge_placebo(expectation: Expectation, results: Results) -> SubVerdict:
    """An A/A comparison, whose true effect is 0 whatever its sub-claim's margin or no-effect value: BIAS when a
    difference either way is significant at alpha (two-sided: each side at alpha / 2), else NO BIAS SEEN. Judged
    at the sub-claim's own margin (until issue 31), a placebo of a claim whose no-effect value is −0.3 could not fail,
    and one significant the wrong way was written off."""
    early, measured, base = _measurement(expectation, results, PLACEBO)
    if early is not None:  # too few seeds is an ERROR for a placebo: it controls nothing
        return early if early.verdict == ERROR else dataclasses.replace(early, verdict=ERROR)
    if measured.reason:  # no spread (identical to rounding) or nothing known: no difference shown
        return SubVerdict(expectation, NO_BIAS, **base)
    p = min(1.0, 2 * min(measured.p_at(0.0, "greater"), measured.p_at(0.0, "less")))
    return SubVerdict(expectation, BIAS if p < expectation.alpha else NO_BIAS, p_value=p, **base)


def distinct_placebos(claim: Claim) -> tuple[Expectation, ...]:
    """The sub-claims whose placebos are distinct tests: one per metric as measured (scale, test, censoring); two
    sub-claims on one metric with different margins would judge the same A/A pair the same way."""
    seen, kept = set(), []
    for e in claim.expectations:
        key = (e.metric, e.scale, e.test, e.censored_by)
        if e.has_placebo and key not in seen:
            seen.add(key)
            kept.append(e)
    return tuple(kept)


def placebo_arms(claim: Claim) -> tuple[str, ...]:
    """The arm a claim's placebos re-run (none when no sub-claim is a paired claim of a difference): the
    baseline of its first such primary sub-claim, else of its first such sub-claim. One arm per claim: its
    A/A pair is judged under every such sub-claim whose metric it records."""
    paired = [e for e in claim.expectations if e.has_placebo]
    chosen = [e for e in paired if e.id in claim.primary] + paired
    return (chosen[0].baseline,) if chosen else ()


def smallest_p(e: Expectation, n: int) -> dict[str, float]:
    """The smallest one-sided p-values a sub-claim's test can give with n seeds, for its claim and for the test that
    refutes it (the data as extreme as they can be, each way). Student's t: no floor (0). A censored comparison: the
    exact signed-rank test over n pairs, 2^-n (any run may be censored). A rate: the exact binomial test with every
    seed on one side, margin^n or (1 − margin)^n; two arms' rates (McNemar): every pair discordant, 2^-n."""
    if e.censored_by or (e.test == "binomial" and e.baseline is not None):
        floor = signed_rank_p(np.arange(1.0, n + 1.0))
        return {"claim": floor, "against": floor}
    if e.test == "binomial":
        up, down = e.margin ** n, (1.0 - e.margin) ** n  # P(all n successes), P(no success), at the margin
        return {"claim": up if e.comparison == "greater" else down,
                "against": down if e.comparison == "greater" else up}
    return {"claim": 0.0, "against": 0.0}


def undecidable(claim: Claim, profile: str, alpha_share_at_plan: float = FIRST_LOOK_SHARE,
                seeds: int | None = None) -> list[str]:
    """The sub-claims whose test cannot reach its alpha at the profile's planned seeds (issue 32, "decidable by
    design"): each test at its look's alpha (alpha × FIRST_LOOK_SHARE), after the correction its family applies to it
    (primaries: their claim tests unadjusted, their refuting tests Holm over the primaries; a precondition alone;
    the others Holm over their family); its best-case p is smallest_p's. Exact checks have no test. `seeds`: at
    another seed count than the profile plans (a run with `--seeds`)."""
    n = seeds or claim.budgets[profile].seeds
    families: dict[str, int] = {}
    for e in claim.expectations:
        if not e.exact:
            families[claim.family(e.id)] = families.get(claim.family(e.id), 0) + 1
    found = []
    for e in claim.expectations:
        if e.exact:
            continue
        family = claim.family(e.id)
        size = families[family]
        best = smallest_p(e, n)
        level = e.alpha * alpha_share_at_plan
        kinds = {"claim": 1 if family in (PRIMARY, PRECONDITION) else size,
                 "against": 1 if family == PRECONDITION else size}
        for kind, times in kinds.items():
            if times * best[kind] >= level:
                said = "its claim" if kind == "claim" else "its refutation"
                found.append(f"{claim.id}/{e.id}: {said} cannot reach alpha {level:.3g} at {n} seeds "
                             f"(smallest p {best[kind]:.3g}" + (f" × {times} by Holm over the {family} family"
                                                               if times > 1 else "") + ")")
    return found


def alpha_share(n: int, planned: int) -> float:
    """The share of alpha spent by the looks up to `n` seeds when the profile plans `planned` (see FIRST_LOOK_SHARE)."""
    if n <= planned:
        return FIRST_LOOK_SHARE
    return 1.0 - (1.0 - FIRST_LOOK_SHARE) * (planned / n) ** 2


@dataclasses.dataclass(frozen=True)
class Look:
    """Which look at a claim's seeds a verdict is: the k-th of the seed counts judged so far on one stream (`seeds`,
    increasing), and the share of alpha it tests at (its increment of alpha_share)."""

    k: int
    seeds: tuple[int, ...]
    share: float
    planned: int = 0  # the seeds the profile plans (where the spending starts)

    @property
    def n(self) -> int:
        return self.seeds[-1]

    def next_alpha(self, alpha: float) -> Callable[[int], float]:
        """The alpha a next look at n seeds would be tested at (buying seeds up to n in one step): the rise of
        alpha_share from this look's seeds to n."""
        spent = alpha_share(self.n, self.planned or self.n)
        return lambda n: alpha * (alpha_share(n, self.planned or self.n) - spent)


def look_of(seeds: int, planned: int, earlier: tuple[int, ...] = ()) -> Look:
    """The look at `seeds` seeds, after earlier looks at the seed counts `earlier` (those at `seeds` or more are
    not earlier looks: a larger execution judged first, or the same count again, spends nothing new)."""
    counts = sorted({n for n in earlier if n < seeds} | {seeds})
    before = alpha_share(counts[-2], planned) if len(counts) > 1 else 0.0
    return Look(len(counts), tuple(counts), alpha_share(seeds, planned) - before, planned)


def mirrored(e: Expectation) -> Expectation:
    """A paired sub-claim with its arms' roles exchanged: 'a − b > m' said as 'b − a < −m' (a log10 ratio likewise;
    censoring travels with each arm's runs). The same claim, so the judge must grade it the same: a judge that
    favoured one side (the treatment over the baseline, the censored over the uncensored) would not."""
    flip = {"greater": "less", "less": "greater"}.get(e.comparison, e.comparison)
    return dataclasses.replace(
        e, id=f"{e.id}-mirrored", arm=e.baseline, baseline=e.arm, comparison=flip,
        margin=e.margin if e.comparison in ("within", "outside") else -e.margin,
        null=None if e.null is None else -e.null,
        target=-e.target if e.comparison in ("within", "outside") else e.target,
        statement=f"arms exchanged: {e.statement}")


def mirror_disagreements(claim: Claim, results: Results, look: Look | None = None) -> tuple[str, ...]:
    """The paired statistical sub-claims whose grade (on their own, before any correction) changes when their arms'
    roles are exchanged: the judge's check for a bias between arms, in the paired and censored paths alike."""
    share = look.share if look is not None else FIRST_LOOK_SHARE
    found = []
    for e in claim.expectations:
        if e.baseline is None or e.exact:
            continue
        e = dataclasses.replace(e, alpha=e.alpha * share)
        if judge_expectation(e, results).verdict != judge_expectation(mirrored(e), results).verdict:
            found.append(e.id)
    return tuple(found)


def _untested(e: Expectation, unmet: list[SubVerdict], role: str) -> SubVerdict:
    """A sub-claim whose precondition was not established: NOT TESTABLE HERE, with the failing measurement (ERROR
    when the precondition's own runs could not be measured)."""
    def said(p: SubVerdict) -> str:
        if not math.isfinite(p.mean):
            return f"{p.expectation.id} {p.verdict}"
        if p.method == "exact":
            return f"{p.expectation.id} {p.verdict} (values {p.ci_low:.4g} to {p.ci_high:.4g})"
        return f"{p.expectation.id} {p.verdict} ({p.mean:.4g}, interval [{p.ci_low:.4g}, {p.ci_high:.4g}])"
    grade = ERROR if any(p.verdict == ERROR for p in unmet) else NOT_TESTABLE
    return SubVerdict(e, grade, 0, role=EXACT if e.exact else role,
                      reason="precondition not established: " + "; ".join(said(p) for p in unmet))


def _primary_verdict(primaries: list[SubVerdict]) -> str:
    verdicts = [{HOLDS: REPRODUCED, FAILS: NOT_REPRODUCED}.get(s.verdict, s.verdict) for s in primaries]
    if not verdicts or ERROR in verdicts:
        return ERROR
    return max(verdicts, key=lambda v: _STRENGTH[v])


def judge_claim(claim: Claim, results: Results, profile: str, placebo_results: Results | None = None,
                look: Look | None = None) -> ClaimVerdict:
    """Every sub-claim (primaries and secondaries Holm-adjusted within their family, exact checks apart), the
    placebos (each alone: their rate of false positives is compared with alpha), and the claim's verdict.

    `look`: which look at the claim's seeds this is (look_of); each statistical sub-claim is tested at its alpha
    times the look's share. None: the first look at the seeds the profile plans."""
    judged = {}
    families: dict[str, list] = {PRIMARY: [], SECONDARY: []}
    if look is None:
        planned = claim.budgets[profile].seeds if profile in claim.budgets else 0
        look = Look(1, (planned,), FIRST_LOOK_SHARE, planned)
    for e in claim.expectations:  # the preconditions first: what they guard is not tested when one fails
        if e.id in claim.preconditions:
            e = e if e.exact else dataclasses.replace(e, alpha=e.alpha * look.share)
            verdict = _measured_verdict(e, results, PRECONDITION, _next(look, e))[0]
            judged[e.id] = dataclasses.replace(verdict, role=PRECONDITION)
    for e in claim.expectations:
        if e.id in claim.preconditions:
            continue
        role = PRIMARY if e.id in claim.primary else SECONDARY
        unmet = [judged[c] for c in claim.guards(e.id) if judged[c].verdict not in ESTABLISHED]
        if unmet:  # not tested here, and out of its Holm family (a family of the sub-claims tested)
            judged[e.id] = _untested(e, unmet, role)
            continue
        if not e.exact:
            e = dataclasses.replace(e, alpha=e.alpha * look.share)
        verdict, p, measured = _measured_verdict(e, results, role, _next(look, e))
        judged[e.id] = verdict
        if p is not None:
            families.setdefault(claim.family(e.id), []).append((verdict, p, measured))
    for name, family in families.items():
        for verdict in _adjusted(family, name, primaries=name == PRIMARY, look=look):
            judged[verdict.expectation.id] = verdict
    subverdicts = tuple(judged[e.id] for e in claim.expectations)
    placebos = ()
    for arm in placebo_arms(claim):
        replicate = (placebo_results or {}).get(arm)
        if not replicate:
            continue
        combined = {**results, placebo_arm(arm): replicate}
        recorded = {metric for metrics in replicate.values() for metric in metrics}
        placebos += tuple(judge_placebo(placebo_of(e, arm), combined)
                          for e in distinct_placebos(claim) if e.metric in recorded)
    seeds = {repeat for runs in results.values() for repeat in runs}
    verdict = _primary_verdict([s for s in subverdicts if s.expectation.id in claim.primary])
    reason = ""
    if profile == "smoke" and verdict != ERROR:
        verdict, reason = INCONCLUSIVE, "smoke profile: proves the pipeline on tiny data, never decides a claim"
    return ClaimVerdict(claim.id, verdict, subverdicts, placebos, len(seeds), profile, reason, look,
                        mirror_disagreements(claim, results, look))


# the nulls a grade rejects: 'claim' (effect beyond the margin's far side: no claimed size), 'direction' (no effect
# in the claimed direction), 'against' (the claimed size or more); a replication rejects them again
REJECTS = {REPRODUCED: frozenset({"claim", "direction"}), SMALLER: frozenset({"direction", "against"}),
           DIRECTION_ONLY: frozenset({"direction"}), NOT_REPRODUCED: frozenset({"against"}),
           HOLDS: frozenset({"claim", "direction"}), FAILS: frozenset({"against"})}


def rejects_again(discovery: str, confirmation: str) -> bool:
    """A decisive grade is replicated when the confirmation rejects every null the discovery rejected, at alpha:
    DIRECTION ONLY then REPRODUCED replicates (the direction again), REPRODUCED then DIRECTION ONLY does not."""
    found = REJECTS.get(discovery)
    return bool(found) and found <= REJECTS.get(confirmation, frozenset())


def pooled_results(*streams: Results) -> Results:
    """Several executions' results as one (repeats renumbered stream after stream; pairs stay within a stream)."""
    pooled: dict[str, dict[int, Mapping[str, float]]] = {}
    offset = 0
    for results in streams:
        repeats = {repeat for runs in results.values() for repeat in runs}
        for arm, runs in results.items():
            for repeat, metrics in runs.items():
                pooled.setdefault(arm, {})[offset + repeat] = metrics
        offset += max(repeats, default=-1) + 1
    return pooled


def false_positive_rate(verdicts: list[ClaimVerdict]) -> tuple[int, int]:
    """(placebos that found a difference, placebos judged) over claims, one per claim and metric: the suite's
    false-positive count, to set beside alpha. Within a claim they share the baseline's runs (not independent)."""
    judged = [p for v in verdicts for p in v.placebos if p.verdict != ERROR]
    return sum(p.verdict == BIAS for p in judged), len(judged)
