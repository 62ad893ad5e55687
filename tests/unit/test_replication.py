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
    (judge.INCONCLUSIVE, judge.INCONCLUSIVE, "nothing to replicate (inconclusive)"),
    (judge.INCONCLUSIVE, judge.REPRODUCED, "nothing to replicate (inconclusive)"),
])
def test_a_sub_claim_replicates_only_as_the_same_decisive_verdict(discovery, confirmation, expected):
    assert replication(_sub(discovery), _sub(confirmation)) == expected
    assert replication(_sub(discovery), None) == "not confirmed yet"


def test_settled_means_decisive_and_the_same_again():
    assert is_settled(_evidence(judge.NOT_REPRODUCED, judge.NOT_REPRODUCED))
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
