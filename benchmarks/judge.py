"""The judge: statistics over seeds -> a graded verdict per sub-claim and per claim.

For each expectation the per-seed effect is computed (one arm's metric, or the paired difference of
two arms on the same seed, optionally of log10 values), then one-sided tests (Student's t or the
Wilcoxon signed-rank test, scipy.stats) at level alpha decide:

  claim 'greater than margin m' (no-effect value n <= m):
    REPRODUCED      effect > m is significant
    PARTIAL         effect > n is significant, but not effect > m (direction holds, magnitude short)
    NOT REPRODUCED  effect < m is significant (the data rule the claimed effect out)
    INCONCLUSIVE    none of these: too noisy at this budget
  'less' mirrors it; 'within' is equivalence by two one-sided tests (TOST); 'outside' its inverse.
  ERROR           the runs it needs failed or are missing.

The mean, its (1 - alpha) t confidence interval and Cohen's d are reported with every verdict.
The judge reads plain numbers, so any expectation can be evaluated on stored runs, including the
negative controls (`Expectation.inverted()`), which must come out NOT REPRODUCED.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
from scipy import stats

from reproductions.claim import Claim, Expectation

REPRODUCED = "REPRODUCED"
PARTIAL = "PARTIAL"
NOT_REPRODUCED = "NOT REPRODUCED"
INCONCLUSIVE = "INCONCLUSIVE"
ERROR = "ERROR"
VERDICTS = (REPRODUCED, PARTIAL, NOT_REPRODUCED, INCONCLUSIVE, ERROR)
MIN_SEEDS = 2

# results[arm][repeat][metric] = value, as read back from the store
Results = Mapping[str, Mapping[int, Mapping[str, float]]]


@dataclasses.dataclass(frozen=True)
class SubVerdict:
    expectation: Expectation
    verdict: str
    n: int
    mean: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    p_value: float = math.nan  # of the test that decided (or of the claimed direction when none did)
    effect_size: float = math.nan  # Cohen's d against the no-effect value (or the target)
    values: tuple[float, ...] = ()
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class ClaimVerdict:
    claim_id: str
    verdict: str
    subverdicts: tuple[SubVerdict, ...]
    controls: tuple[SubVerdict, ...]  # the inverted sub-claims, judged on the same runs
    n_seeds: int
    profile: str
    reason: str = ""

    def counts(self) -> dict[str, int]:
        return {v: sum(s.verdict == v for s in self.subverdicts) for v in VERDICTS}


def _transform(value: float, scale: str) -> float:
    if scale == "log10":
        return math.log10(value) if value > 0 else (-math.inf if value == 0 else math.nan)
    return value


def effects(expectation: Expectation, results: Results) -> tuple[list[float], list[int], str]:
    """Per-seed effects, the repeats they come from, and why some repeats gave none."""
    arm_runs = results.get(expectation.arm, {})
    base_runs = results.get(expectation.baseline, {}) if expectation.baseline else None
    repeats = sorted(arm_runs) if base_runs is None else sorted(set(arm_runs) & set(base_runs))
    values, used, problems = [], [], []
    for repeat in repeats:
        a = arm_runs[repeat].get(expectation.metric)
        b = None if base_runs is None else base_runs[repeat].get(expectation.metric)
        if a is None or (base_runs is not None and b is None):
            problems.append(f"seed {repeat}: metric {expectation.metric!r} missing")
            continue
        effect = _transform(a, expectation.scale)
        if b is not None:
            effect -= _transform(b, expectation.scale)
        if not math.isfinite(effect):
            problems.append(f"seed {repeat}: effect not finite ({effect})")
            continue
        values.append(effect)
        used.append(repeat)
    return values, used, "; ".join(problems)


def _p_one_sided(x: np.ndarray, value: float, alternative: str, test: str) -> float:
    """p-value of H1: mean (or median) of x is `alternative` ('greater'/'less') than value."""
    d = x - value
    if np.ptp(d) == 0:  # identical on every seed: the sign alone decides
        holds = d[0] > 0 if alternative == "greater" else d[0] < 0
        return 0.0 if holds else 1.0
    if test == "wilcoxon":
        if np.all(d == 0):
            return 1.0
        return float(stats.wilcoxon(d, alternative=alternative).pvalue)
    return float(stats.ttest_1samp(d, 0.0, alternative=alternative).pvalue)


def _interval(x: np.ndarray, alpha: float) -> tuple[float, float]:
    if np.ptp(x) == 0:
        return float(x[0]), float(x[0])
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(confidence_level=1 - alpha)
    return float(ci.low), float(ci.high)


def judge_expectation(expectation: Expectation, results: Results) -> SubVerdict:
    values, _, problems = effects(expectation, results)
    n = len(values)
    missing = [arm for arm in expectation.arms if not results.get(arm)]
    if missing:
        return SubVerdict(expectation, ERROR, n, reason=f"no finished runs for arm(s) {', '.join(missing)}")
    if n < MIN_SEEDS:
        return SubVerdict(expectation, INCONCLUSIVE if n else ERROR, n, values=tuple(values),
                          reason=f"{n} usable seed(s); at least {MIN_SEEDS} are needed. {problems}".strip())
    x = np.asarray(values, dtype="float64")
    mean = float(x.mean())
    low, high = _interval(x, expectation.alpha)
    sd = float(x.std(ddof=1))
    e, alpha, test = expectation, expectation.alpha, expectation.test

    def p(value, alternative):
        return _p_one_sided(x, value, alternative, test)

    if e.comparison in ("greater", "less"):
        better = e.comparison
        worse = "less" if better == "greater" else "greater"
        reference = e.effective_null
        p_claim, p_direction, p_against = p(e.margin, better), p(reference, better), p(e.margin, worse)
        if p_claim < alpha:
            verdict, p_value = REPRODUCED, p_claim
        elif p_direction < alpha and reference != e.margin:
            verdict, p_value = PARTIAL, p_direction
        elif p_against < alpha:
            verdict, p_value = NOT_REPRODUCED, p_against
        else:
            verdict, p_value = INCONCLUSIVE, p_claim
    else:
        reference = e.target
        low_edge, high_edge = e.target - e.margin, e.target + e.margin
        p_inside = max(p(low_edge, "greater"), p(high_edge, "less"))  # TOST
        p_outside = min(p(high_edge, "greater"), p(low_edge, "less"))
        inside_verdict, outside_verdict = (REPRODUCED, NOT_REPRODUCED) if e.comparison == "within" else (
            NOT_REPRODUCED, REPRODUCED)
        if p_inside < alpha:
            verdict, p_value = inside_verdict, p_inside
        elif p_outside < alpha:
            verdict, p_value = outside_verdict, p_outside
        else:
            verdict, p_value = INCONCLUSIVE, p_inside if e.comparison == "within" else p_outside
    effect_size = (mean - reference) / sd if sd > 0 else math.copysign(math.inf, mean - reference) if mean != reference else 0.0
    return SubVerdict(e, verdict, n, mean, low, high, p_value, effect_size, tuple(values), problems)


def combine(verdicts: list[str]) -> str:
    """A claim's verdict from its sub-claims' verdicts."""
    if not verdicts:
        return ERROR
    if ERROR in verdicts:
        return ERROR
    distinct = set(verdicts)
    if len(distinct) == 1:
        return verdicts[0]
    if distinct & {REPRODUCED, PARTIAL}:
        return PARTIAL
    return NOT_REPRODUCED if NOT_REPRODUCED in distinct else INCONCLUSIVE


def judge_claim(claim: Claim, results: Results, profile: str) -> ClaimVerdict:
    subverdicts = tuple(judge_expectation(e, results) for e in claim.expectations)
    controls = tuple(judge_expectation(e.inverted(), results) for e in claim.expectations)
    seeds = {repeat for runs in results.values() for repeat in runs}
    verdict = combine([s.verdict for s in subverdicts])
    reason = ""
    if profile == "smoke" and verdict != ERROR:
        verdict, reason = INCONCLUSIVE, "smoke profile: proves the pipeline on tiny data, never decides a claim"
    return ClaimVerdict(claim.id, verdict, subverdicts, controls, len(seeds), profile, reason)
