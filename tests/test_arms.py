"""Every arm of every claim runs: each claim's experiment, once per arm at the smoke profile, in this process.

The cheapest check that a claim's code still runs end to end on every arm and records what its sub-claims and plots
read: one seed, no store, no judge (the smoke tier's pipeline tests, tests/test_smoke.py, take a sample of
claims through the store, the judge and the report). A tuned arm runs at its grid's middle value, an arm that
follows a tuned one at that value times its factor.
"""

from __future__ import annotations

import math

import pytest

from benchmarks.executors import train
from benchmarks.identity import PRECISIONS, RunSpec, derive_seed
from reproductions import registry
from tests.conftest import claim_marker


def _arm_params():
    return [pytest.param(cid, arm.name, marks=[pytest.mark.smoke, pytest.mark.ci, getattr(pytest.mark, claim_marker(cid))],
                         id=f"{cid}/{arm.name}")
            for cid, claim in registry().items() for arm in claim.arms]


def tuned_values(claim, profile: str = "smoke") -> dict[str, float]:
    """Each tuned arm's middle grid value: what a tuned arm (and the arms following it) runs at here."""
    if claim.tuning is None:
        return {}
    values = {}
    for arm in claim.arms:
        if arm.tuned:
            grid = claim.tuning_grid(arm.name, profile)
            values[arm.name] = grid[len(grid) // 2]
    return values


@pytest.mark.parametrize("claim_id, arm", _arm_params())
def test_every_arm_runs_and_records_what_is_judged_and_drawn(claim_id, arm):
    claim = registry()[claim_id]
    config = claim.resolve_config(arm, "smoke", tuned_values(claim))
    spec = RunSpec(claim_id=claim_id, name=arm, stage="eval", config=config, seed=derive_seed(claim_id, 0),
                   profile="smoke", backend="", precision=PRECISIONS["float32"], step_cap=None, data_dir=None,
                   code_hash="", threads=None, environment={})
    outcome = train(claim, spec)
    assert outcome.status == "finished", outcome.error + "\n" + outcome.traceback
    recorded = set(outcome.scalars) | set(outcome.series)
    judged = {m for e in claim.expectations if arm in e.arms for m in (e.metric, e.censored_by) if m}
    assert judged <= recorded, f"metrics its sub-claims read but it did not record: {sorted(judged - recorded)}"
    drawn = {p.metric for p in claim.plots if p.kind in ("series", "images")}
    for metric in drawn & set(outcome.series):
        assert outcome.series[metric], metric
    assert all(isinstance(v, float) and (math.isfinite(v) or math.isnan(v) or math.isinf(v))
               for v in outcome.scalars.values())
