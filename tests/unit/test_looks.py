"""Seeds bought after a look (`reprobench run ID --seeds N`) are the next look at the same claim: the execution records
every seed count it was judged at, and each look is tested at its share of alpha (benchmarks/judge.py, alpha
spending), so a user who buys seeds until a claim passes does not inflate alpha (tests/unit/test_judge_null.py)."""

import pytest

from benchmarks import judge
from benchmarks.evidence import collect
from benchmarks.runner import run_claim
from mlflow_tracking import runs
from reproductions import registry

pytestmark = pytest.mark.unit


def test_buying_seeds_is_recorded_as_the_next_look_and_judged_at_its_share_of_alpha(store):
    claim = registry()["initial-loss"]  # forward passes only: seconds at smoke
    planned = claim.budgets["smoke"].seeds
    run_claim(claim, "smoke", planned, store, progress=lambda _: None)
    experiment = store.experiment_id(claim.id, create=False)
    first = runs.executions(store, experiment)[0]
    assert first.tags["looks"] == str(planned) and first.tags["look"].startswith("1 ")
    assert collect(store, claim, "smoke").verdict.look == judge.look_of(planned, planned)

    run_claim(claim, "smoke", planned + 1, store, progress=lambda _: None)  # one seed bought
    again = runs.executions(store, experiment)
    assert len(again) == 1  # the same execution, judged again
    assert again[0].tags["looks"] == f"{planned},{planned + 1}" and again[0].tags["look"].startswith("2 ")
    look = collect(store, claim, "smoke").verdict.look
    assert (look.k, look.seeds) == (2, (planned, planned + 1))
    assert look.share == pytest.approx(judge.alpha_share(planned + 1, planned) - judge.FIRST_LOOK_SHARE)
    assert again[0].metrics["alpha_share"] == pytest.approx(look.share)
    statistical = [s for s in collect(store, claim, "smoke").verdict.subverdicts if not s.expectation.exact]
    assert statistical and all(s.expectation.alpha == pytest.approx(0.05 * look.share) for s in statistical)
