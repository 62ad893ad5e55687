"""Fair tests over the registry (issue 32, DESIGN.md "Fair tests"): every number a sub-claim states has a source,
and every sub-claim's test can reach alpha at its claim's seed count and family size ("decidable by design")."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.judge import FIRST_LOOK_SHARE, smallest_p, undecidable
from reproductions import registry
from reproductions.claim import Arm, ArmResult, Budget, Claim, ClaimDefinitionError
from reproductions.expect import faster, from_lecture, higher, ours

pytestmark = pytest.mark.unit

CLAIMS = registry()
# quick designs that cannot decide every sub-claim, found by this test when it was written (issue 32): each a
# censored or paired-binary comparison (2^-5 = 0.031 at 5 seeds) in a Holm family of two or more. The six found
# (linear-basics, preprocessing, init-depth-training, random-labels, early-stopping, random-vs-grid-search) got the
# seeds that make them decidable on 2026-12-08 (6 to 8 at quick). strict: a claim that becomes decidable must leave
# this list.
UNDECIDABLE_AT_QUICK_PENDING_ISSUE_35 = frozenset()
# the six commissioned claims are decidable at quick since issue 32 (relu-vs-saturating at 7 seeds)
UNDECIDABLE_AT_QUICK_PENDING_ISSUE_32 = frozenset()
PENDING = UNDECIDABLE_AT_QUICK_PENDING_ISSUE_35 | UNDECIDABLE_AT_QUICK_PENDING_ISSUE_32


def _marked(claim_id):
    if claim_id in PENDING:
        issue = 32 if claim_id in UNDECIDABLE_AT_QUICK_PENDING_ISSUE_32 else 35
        return pytest.param(claim_id, marks=pytest.mark.xfail(strict=True, reason=f"issue {issue} redesigns it"))
    return claim_id


@pytest.mark.parametrize("claim_id", [_marked(c) for c in CLAIMS])
@pytest.mark.parametrize("profile", ["quick", "full"])
def test_every_sub_claim_can_reach_alpha_at_its_seeds(claim_id, profile):
    if profile == "full" and claim_id in PENDING:  # decidable at full's 10 seeds: shown there, unmarked
        assert not undecidable(CLAIMS[claim_id], profile)
        pytest.xfail("undecidable at quick only")
    assert not undecidable(CLAIMS[claim_id], profile)


def _two_censored_primaries(seeds: int) -> Claim:
    subs = (faster("a-faster-than-b", "a", than="b", factor=2, statement="s", size=ours("r")),
            faster("a-faster-than-c", "a", than="c", factor=2, statement="s", size=ours("r")))
    return Claim(id="c", title="t", statement="s", source="src", base_config={"x": 1},
                 arms=(Arm("a", {}), Arm("b", {}), Arm("c", {})), expectations=subs,
                 budgets={p: Budget(seeds=seeds) for p in ("smoke", "quick", "full")},
                 run=lambda config, seed, context: ArmResult({}), primary=("a-faster-than-b", "a-faster-than-c"))


def test_a_five_seed_censored_design_with_two_primaries_cannot_be_refuted_and_six_seeds_can():
    five = undecidable(_two_censored_primaries(5), "quick")
    assert len(five) == 2 and all("its refutation cannot reach alpha 0.045 at 5 seeds" in line for line in five)
    assert "0.0312 × 2 by Holm over the primary family" in five[0]
    assert not undecidable(_two_censored_primaries(6), "quick")  # 2 × 2^-6 = 0.031 < 0.045


def test_the_floors_are_the_tests_own():
    e = faster("f", "a", than="b", factor=2, statement="s", size=ours("r"))
    assert smallest_p(e, 5) == {"claim": 1 / 32, "against": 1 / 32}
    assert smallest_p(higher("h", "a", "m", than="b", by=1.0, statement="s", size=ours("r")), 3)["claim"] == 0.0
    assert FIRST_LOOK_SHARE * 0.05 == pytest.approx(0.045)


# ------------------------------------------------------------------------------------------- every size has a source

def test_every_number_a_sub_claim_states_has_a_source():
    missing = [f"{c.id}/{e.id}" for c in CLAIMS.values() for e in c.expectations if e.has_size and not e.size_source]
    assert not missing


def test_claim_validation_refuses_a_margin_without_a_source():
    claim = _two_censored_primaries(5)
    unsourced = faster("a-faster-than-b", "a", than="b", factor=2, statement="s")
    with pytest.raises(ClaimDefinitionError, match="a-faster-than-b.*no source"):
        dataclasses.replace(claim, expectations=(unsourced, claim.expectations[1]))
    direction = faster("a-faster-than-b", "a", than="b", factor=1, statement="s")  # a bare direction: no number
    dataclasses.replace(claim, expectations=(direction, claim.expectations[1]))


def test_a_lecture_source_names_its_seed_file():
    with pytest.raises(ClaimDefinitionError):
        from_lecture("e.g. 6x", seed="")
    assert from_lecture("e.g. 6x", seed="000").describe() == "lecture (000): e.g. 6x"


def test_the_report_flags_a_design_that_cannot_decide_at_its_seeds():
    from benchmarks.report import undecidable_notes

    note, = undecidable_notes(_two_censored_primaries(5), "quick", 5)
    assert note.startswith("**Cannot decide at 5 seeds, whatever the data:**") and "a-faster-than-c" in note
    assert undecidable_notes(_two_censored_primaries(5), "quick", 6) == []  # more seeds than planned: decidable
    assert undecidable_notes(_two_censored_primaries(6), "quick", 6) == []
