"""Claims tier: each claim at the `quick` profile (real data, 5 seeds), asserting what the data robustly show.

What is pinned was decided from three executions of every claim on the 2-core development CPU
(TensorFlow 2.21): the discovery run with oneDNN on (the project's setting, what this tier runs), the same
with oneDNN off, and a confirmation on fresh seeds (`reprobench confirm`) with oneDNN on:

- a sub-claim's verdict label, where all three gave the same one;
- otherwise the position of its interval that all three share (e.g. "above the no-effect value": the
  direction holds, whatever the grade). Such a sub-claim sits near a threshold, where rounding or seeds
  decide between neighbouring labels: its label is not pinned, its direction or range is.

Each pin carries the sub-claim's definition hash: a changed definition (margin, arms, tuning rule,
budget) fails here until the pin is renewed, with the reason in the commit. Every check also asserts
that no seed was lost and no run failed (there are no expected failures to hide a crash), exact checks
hold, and no placebo says the direction holds. `test_a_broken_arm_fails_the_tier` shows the tier fails
when a claim's effect really changes.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from benchmarks import judge
from benchmarks.runner import run_claim
from reproductions import registry
from tests.conftest import claim_marker

QUICK_SEEDS = 5


@dataclasses.dataclass(frozen=True)
class Pin:
    """What the tier asserts of one sub-claim: its verdict, or where its interval lies."""

    definition: str  # the definition hash the pin was decided under
    verdict: str | None = None  # the label, where on, off and confirmation agree
    low_above: float | None = None  # else: the interval's low end is above this
    high_below: float | None = None  # and/or its high end below this
    why: str = ""  # what the data showed, in the three executions

    def failures(self, sub: judge.SubVerdict) -> list[str]:
        found = f"{sub.verdict}, {sub.mean:.4g} [{sub.ci_low:.4g}, {sub.ci_high:.4g}]"
        wrong = []
        if self.verdict is not None and sub.verdict != self.verdict:
            wrong.append(f"verdict {found}, pinned {self.verdict}")
        if self.low_above is not None and not sub.ci_low > self.low_above:
            wrong.append(f"interval {found}: its low end should lie above {self.low_above:g}")
        if self.high_below is not None and not sub.ci_high < self.high_below:
            wrong.append(f"interval {found}: its high end should lie below {self.high_below:g}")
        return wrong


# (claim, sub-claim) -> Pin. Decided from the three executions described above (docs/verdicts-cpu.md).
PINS: dict[tuple[str, str], Pin] = {}

# claim -> its verdict, where the three executions agree on it (else its primaries' pins speak for it)
CLAIM_VERDICTS: dict[str, str] = {}


def check(claim, verdict: judge.ClaimVerdict, seeds: int = QUICK_SEEDS) -> dict[str, list[str]]:
    """Every way a claim's judged execution departs from its pins: {sub-claim or 'claim'/'placebos': problems}."""
    problems: dict[str, list[str]] = {}
    for sub in verdict.subverdicts:
        found = []
        if sub.n != seeds:
            found.append(f"{sub.n} usable seeds of {seeds}: a seed was lost or a run failed ({sub.reason})")
        if sub.verdict == judge.ERROR:
            found.append(f"ERROR: {sub.reason}")
        pin = PINS.get((claim.id, sub.expectation.id))
        now = claim.definition_hash(sub.expectation.id, "quick")
        if pin is None:
            found.append(f"no pin: decide one from runs (definition {now})")
        elif pin.definition != now:
            found.append(f"definition changed ({pin.definition} -> {now}): renew the pin, with the reason in the commit")
        else:
            found += pin.failures(sub)
        if found:
            problems[sub.expectation.id] = found
    expected = CLAIM_VERDICTS.get(claim.id)
    if expected is not None and verdict.verdict != expected:
        problems["claim"] = [f"verdict {verdict.verdict}, pinned {expected}"]
    wrong = [f"{p.expectation.id}: {p.verdict}" for p in verdict.placebos if p.verdict in judge.DIRECTION_HOLDS]
    if wrong or (judge.placebo_arms(claim) and not verdict.placebos):
        problems["placebos"] = wrong or ["no placebo was judged"]
    return problems


@pytest.fixture(scope="session")
def quick_verdict(tmp_path_factory):
    """Runs a claim at `quick` once per session (lazily: only the claims selected run)."""
    from mlflow_tracking import Store

    cache = {}
    # one store for every claim: with REPROBENCH_CLAIMS_STORE=DIR it is kept there, a whole quick suite
    # to look at in the UI or to time the report on
    directory = Path(os.environ.get("REPROBENCH_CLAIMS_STORE") or tmp_path_factory.mktemp("claims"))
    directory.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{directory.resolve() / 'mlflow.db'}")

    def get(claim_id):
        if claim_id not in cache:
            cache[claim_id] = run_claim(registry()[claim_id], "quick", QUICK_SEEDS, store,
                                        progress=lambda _: None).verdict
        return cache[claim_id]

    return get


def _marks(claim_id):
    return [pytest.mark.claims, getattr(pytest.mark, claim_marker(claim_id))]


@pytest.mark.parametrize("claim_id, expectation_id",
                         [pytest.param(cid, e.id, marks=_marks(cid), id=f"{cid}/{e.id}")
                          for cid, claim in registry().items() for e in claim.expectations])
def test_subclaim_as_pinned(claim_id, expectation_id, quick_verdict):
    problems = check(registry()[claim_id], quick_verdict(claim_id)).get(expectation_id, [])
    pin = PINS.get((claim_id, expectation_id))
    assert not problems, f"{expectation_id}: " + "; ".join(problems) + (f" (pinned because: {pin.why})" if pin else "")


@pytest.mark.parametrize("claim_id", [pytest.param(cid, marks=_marks(cid), id=cid) for cid in registry()])
def test_claim_verdict_and_placebos(claim_id, quick_verdict):
    problems = check(registry()[claim_id], quick_verdict(claim_id))
    assert not problems.get("claim") and not problems.get("placebos"), problems


@pytest.mark.claims
@pytest.mark.init_scale_collapse
def test_a_broken_arm_fails_the_tier(tmp_path, monkeypatch):
    """The tier is no rubber stamp: give init-scale-collapse's Xavier/tanh arm the 0.01·randn init (its effect
    really changes) and the checks fail, first for the changed definition, then on the numbers alone."""
    from mlflow_tracking import Store

    claim = registry()["init-scale-collapse"]
    arms = tuple(dataclasses.replace(a, overrides={**a.overrides, "init": "normal", "init_scale": 0.01})
                 if a.name == "tanh-xavier" else a for a in claim.arms)
    broken = dataclasses.replace(claim, arms=arms)
    store = Store(f"sqlite:///{tmp_path / 'mlflow.db'}")
    verdict = run_claim(broken, "quick", QUICK_SEEDS, store, progress=lambda _: None).verdict
    problems = check(broken, verdict)
    assert any("definition changed" in p for p in problems["xavier-keeps-tanh-alive"]), problems
    # judged against the pins as though the definition had not changed, the numbers fail on their own account
    for (claim_id, expectation_id), pin in list(PINS.items()):
        if claim_id == claim.id:
            monkeypatch.setitem(PINS, (claim_id, expectation_id),
                                dataclasses.replace(pin, definition=broken.definition_hash(expectation_id, "quick")))
    problems = check(broken, verdict)
    assert "xavier-keeps-tanh-alive" in problems and "table-tanh-xavier" in problems, problems
    assert not any("definition changed" in p for found in problems.values() for p in found)
