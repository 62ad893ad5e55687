"""What the report says of replication on fresh seeds: per sub-claim, per claim, and what counts as settled."""

from types import SimpleNamespace

import pytest

from benchmarks import judge
from benchmarks.report import NOT_REPLICATED, REPLICATED, replication_summary, is_settled, replication
from reproductions import registry

pytestmark = pytest.mark.unit

CLAIM = registry()["initial-loss"]


def _sub(verdict, expectation=CLAIM.expectations[0]):
    return judge.SubVerdict(expectation, verdict, 5)


def _evidence(discovery, confirmation=None):
    """The attributes the report reads of a claim's Evidence: its verdict and its confirmation's."""
    def judged(verdict):
        return SimpleNamespace(verdict=judge.ClaimVerdict(CLAIM.id, verdict, (_sub(verdict),), (), 5, "quick"))
    found = judged(discovery)
    found.claim, found.confirmation = CLAIM, judged(confirmation) if confirmation else None
    return found


@pytest.mark.parametrize("discovery, confirmation, expected", [
    (judge.REPRODUCED, judge.REPRODUCED, REPLICATED),
    (judge.NOT_REPRODUCED, judge.NOT_REPRODUCED, REPLICATED),
    (judge.REPRODUCED, judge.DIRECTION_ONLY, NOT_REPLICATED),
    (judge.SMALLER, judge.INCONCLUSIVE, NOT_REPLICATED),
    # issue 31: the same nulls rejected again, not the same grade
    (judge.DIRECTION_ONLY, judge.REPRODUCED, REPLICATED),
    (judge.DIRECTION_ONLY, judge.SMALLER, REPLICATED),
    (judge.NOT_REPRODUCED, judge.SMALLER, REPLICATED),
    (judge.SMALLER, judge.NOT_REPRODUCED, NOT_REPLICATED),
    (judge.SMALLER, judge.DIRECTION_ONLY, NOT_REPLICATED),
    (judge.REPRODUCED, judge.SMALLER, NOT_REPLICATED),
    (judge.INCONCLUSIVE, judge.INCONCLUSIVE, "nothing to replicate (inconclusive)"),
    (judge.INCONCLUSIVE, judge.REPRODUCED, "nothing to replicate (inconclusive)"),
])
def test_a_sub_claim_replicates_when_its_rejected_nulls_are_rejected_again(discovery, confirmation, expected):
    assert replication(_sub(discovery), _sub(confirmation)) == expected
    assert replication(_sub(discovery), None) == "not confirmed yet"


def test_settled_means_decisive_and_its_nulls_rejected_again():
    assert is_settled(_evidence(judge.NOT_REPRODUCED, judge.NOT_REPRODUCED))
    assert is_settled(_evidence(judge.DIRECTION_ONLY, judge.REPRODUCED))
    assert not is_settled(_evidence(judge.REPRODUCED, judge.DIRECTION_ONLY))
    assert not is_settled(_evidence(judge.INCONCLUSIVE, judge.INCONCLUSIVE))
    assert not is_settled(_evidence(judge.REPRODUCED))


def test_the_claim_line_never_calls_an_inconclusive_claim_unreplicated():
    assert replication_summary(_evidence(judge.REPRODUCED)).startswith("not confirmed yet")
    assert replication_summary(_evidence(judge.REPRODUCED, judge.REPRODUCED)).startswith(
        "the claim's verdict replicated: REPRODUCED on 5 fresh seeds")
    assert replication_summary(_evidence(judge.REPRODUCED, judge.SMALLER)).startswith(
        "the claim's verdict did not replicate: SMALLER EFFECT")
    line = replication_summary(_evidence(judge.INCONCLUSIVE, judge.INCONCLUSIVE))
    assert line.startswith("the claim's verdict (inconclusive) has nothing to replicate") and "did not" not in line.split(";")[0]


def test_the_pooled_estimate_uses_every_seed_of_both_streams():
    """Discovery and confirmation pooled: 10 seeds, repeats renumbered so no pair crosses streams."""
    from benchmarks.judge import judge_expectation, pooled_results
    from benchmarks.report import pooled

    claim = CLAIM
    first = claim.expectations[0]
    discovery = {arm: {r: {first.metric: 1.0 + 0.1 * r} for r in range(5)} for arm in first.arms}
    confirmation = {arm: {r: {first.metric: 2.0 + 0.1 * r} for r in range(5)} for arm in first.arms}
    both = pooled_results(discovery, confirmation)
    assert sorted(both[first.arm]) == list(range(10))
    assert both[first.arm][7][first.metric] == 2.2
    evidence = SimpleNamespace(claim=claim, results=discovery,
                               confirmation=SimpleNamespace(results=confirmation))
    together = pooled(evidence)[first.id]
    assert together.n == 10 and together == judge_expectation(first, both)
    assert pooled(SimpleNamespace(claim=claim, results=discovery, confirmation=None)) == {}


def test_a_verdict_judged_on_bought_seeds_says_which_look_and_the_alpha_it_spent():
    """More seeds than the profile plans (`--seeds`) is another look at the same claim: the caveats say which, and
    the share of alpha it was tested at (alpha spending over the looks the execution records)."""
    from benchmarks.report import caveats

    planned = CLAIM.budgets["quick"].seeds

    def evidence(n_seeds, earlier=()):
        look = judge.look_of(n_seeds, planned, earlier)
        return SimpleNamespace(
            execution=SimpleNamespace(tags={"profile": "quick"}), profile="quick", tuning={}, used={}, children=[],
            verdict=judge.ClaimVerdict(CLAIM.id, judge.REPRODUCED, (_sub(judge.REPRODUCED),), (), n_seeds, "quick",
                                       look=look))

    bought = "\n".join(caveats(CLAIM, evidence(planned + 3, (planned,))))
    share = judge.alpha_share(planned + 3, planned) - judge.FIRST_LOOK_SHARE
    assert f"Look 2 at this claim's seeds** (judged at {planned}, then {planned + 3} seeds" in bought
    assert f"{share:.3g}·α" in bought
    assert "Look" not in "\n".join(caveats(CLAIM, evidence(planned)))
