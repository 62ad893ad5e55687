"""The judge's false-positive rate, measured on simulated nulls: thousands of datasets whose true effect sits
exactly where the claim is false (the no-effect value, or the claimed margin, or a tolerance's edge), for
every comparison type, at n = 5 and n = 10. A false positive is a verdict that says the direction holds
(REPRODUCED, SMALLER EFFECT or DIRECTION ONLY) where the true effect is 0, or REPRODUCED where the true
effect is at the claimed margin. Bar: at most alpha + 3 Monte-Carlo standard errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks.judge import DIRECTION_HOLDS, REPRODUCED, judge_expectation
from reproductions.claim import Expectation

pytestmark = pytest.mark.unit
DATASETS = 2000
ALPHA = 0.05
BAR = ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / DATASETS)


def _expectation(**fields) -> Expectation:
    return Expectation(**{"id": "e", "statement": "s", "metric": "m", "arm": "a", "alpha": ALPHA, **fields})


def _results(arm_values, base_values=None, flags=None, base_flags=None):
    """results[arm][repeat] = {'m': value, and 'c': its censoring flag when given}."""
    def runs(values, censored):
        return {i: {"m": float(v), **({} if censored is None else {"c": float(censored[i])})}
                for i, v in enumerate(values)}

    results = {"a": runs(arm_values, flags)}
    if base_values is not None:
        results["b"] = runs(base_values, base_flags)
    return results


def _times(rng, n, budget):
    """Steps to a target: lognormal around 600, counted in windows of 25, censored at the budget."""
    steps = np.ceil(rng.lognormal(math.log(600), 0.35, n) / 25) * 25
    return np.minimum(steps, budget), steps >= budget


def _case(name, n, rng):
    """(expectation, results, what counts as a false positive) for one simulated dataset."""
    if name == "t greater, true effect 0":
        return _expectation(comparison="greater", margin=1.0, null=0.0), _results(rng.normal(0, 1, n)), DIRECTION_HOLDS
    if name == "t greater, true effect at the margin":
        return _expectation(comparison="greater", margin=1.0, null=0.0), _results(rng.normal(1, 1, n)), (REPRODUCED,)
    if name == "t less, paired, true effect 0":
        e = _expectation(comparison="less", margin=-0.5, null=0.0, baseline="b")
        shared = rng.normal(0, 1, n)  # the pairing: both arms share a seed's draw
        return e, _results(shared + rng.normal(0, 1, n), shared + rng.normal(0, 1, n)), DIRECTION_HOLDS
    if name == "t log10 ratio, paired, true ratio 1":
        e = _expectation(comparison="greater", margin=math.log10(2), null=0.0, baseline="b", scale="log10")
        return e, _results(rng.lognormal(0, 0.5, n), rng.lognormal(0, 0.5, n)), DIRECTION_HOLDS
    if name == "t within, true effect at the tolerance's edge":
        e = _expectation(comparison="within", target=2.0, margin=0.1)
        return e, _results(rng.normal(2.1, 0.2, n)), (REPRODUCED,)
    if name == "t outside, true effect at the tolerance's edge":
        e = _expectation(comparison="outside", target=0.0, margin=0.5, baseline="b")
        return e, _results(rng.normal(0.5, 1, n), np.zeros(n)), (REPRODUCED,)
    if name == "binomial rate, true rate at the margin":
        e = _expectation(comparison="greater", margin=0.5, null=0.0, test="binomial")
        return e, _results(rng.random(n) < 0.5), (REPRODUCED,)
    if name == "binomial rate below, true rate at the margin":
        e = _expectation(comparison="less", margin=0.3, null=1.0, test="binomial")
        return e, _results(rng.random(n) < 0.3), (REPRODUCED,)
    if name == "McNemar paired 0/1, equal rates":
        e = _expectation(comparison="greater", margin=0.0, test="binomial", baseline="b")
        return e, _results(rng.random(n) < 0.4, rng.random(n) < 0.4), DIRECTION_HOLDS
    for budget, label in ((900, "some censored"), (650, "half censored")):
        if name == f"time to target, paired, equal speeds, {label}":
            e = _expectation(comparison="greater", margin=math.log10(2), null=0.0, baseline="b", scale="log10",
                             censored_by="c")
            (slow, slow_c), (fast, fast_c) = _times(rng, n, budget), _times(rng, n, budget)
            return e, _results(slow, fast, slow_c, fast_c), DIRECTION_HOLDS
    raise KeyError(name)


CASES = ["t greater, true effect 0", "t greater, true effect at the margin", "t less, paired, true effect 0",
         "t log10 ratio, paired, true ratio 1", "t within, true effect at the tolerance's edge",
         "t outside, true effect at the tolerance's edge", "binomial rate, true rate at the margin",
         "binomial rate below, true rate at the margin", "McNemar paired 0/1, equal rates",
         "time to target, paired, equal speeds, some censored", "time to target, paired, equal speeds, half censored"]


@pytest.mark.parametrize("n", [5, 10])
@pytest.mark.parametrize("case", CASES)
def test_false_positives_under_the_null_are_at_most_alpha(case, n):
    rng = np.random.default_rng([CASES.index(case), n])
    false = 0
    for _ in range(DATASETS):
        expectation, results, wrong = _case(case, n, rng)
        false += judge_expectation(expectation, results).verdict in wrong
    rate = false / DATASETS
    assert rate <= BAR, f"{case}, n={n}: false positives {rate:.4f} > {BAR:.4f}"
