"""Preconditions (issue 32): a claim's regime, measured in its own runs. When one is not established, the sub-claims
it guards read NOT TESTABLE HERE (never NOT REPRODUCED), leave their Holm family, and a primary among them makes the
claim not testable here."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.judge import (
    ERROR,
    HOLDS,
    INCONCLUSIVE,
    NOT_REPRODUCED,
    NOT_TESTABLE,
    PRECONDITION,
    REPRODUCED,
    judge_claim,
)
from reproductions.claim import Arm, ArmResult, Budget, Claim, ClaimDefinitionError, Expectation, SizeSource

pytestmark = pytest.mark.unit


def sub(id, metric, margin=0.0, **changes) -> Expectation:
    return Expectation(id=id, statement="s", metric=metric, arm="a", comparison="greater", margin=margin,
                       size_source=SizeSource("ours", "a test's number"), **changes)


def claim(expectations, primary, preconditions) -> Claim:
    return Claim(id="c", title="t", statement="s", source="src", base_config={"x": 1},
                 arms=(Arm("a", {}), Arm("b", {})), expectations=tuple(expectations),
                 budgets={p: Budget(seeds=5) for p in ("smoke", "quick", "full")},
                 run=lambda config, seed, context: ArmResult({}), primary=primary, preconditions=preconditions)


# the regime: accuracy beyond a linear probe's 0.8 ('beyond' by an exact margin here: every seed above it)
REGIME = sub("beyond-linear", "accuracy", 0.8, exact=True)
EFFECT = sub("effect", "gain")          # primary: a gain above 0
OTHER = sub("other", "k")               # a secondary it guards
FREE = sub("free", "f")                 # a secondary it does not guard


def results(accuracy, gain):
    return {"a": {i: {"accuracy": accuracy[i], "gain": gain[i], "k": -5.0 - i, "f": 5.0 + 0.1 * i} for i in range(5)},
            "b": {i: {"accuracy": 0.0, "gain": 0.0, "k": 0.0, "f": 0.0} for i in range(5)}}


CONTRADICTED = [-3.0, -3.2, -2.9, -3.1, -3.05]  # the claimed gain is clearly absent: NOT REPRODUCED if tested


def test_a_failed_precondition_makes_what_it_guards_not_testable_never_not_reproduced():
    c = claim([REGIME, EFFECT, OTHER, FREE], ("effect",), {"beyond-linear": ("effect", "other")})
    tested = judge_claim(c, results([0.9] * 5, CONTRADICTED), "quick")
    assert [s.verdict for s in tested.subverdicts] == [HOLDS, NOT_REPRODUCED, NOT_REPRODUCED, REPRODUCED]
    assert tested.verdict == NOT_REPRODUCED and tested.preconditions[0].role == PRECONDITION

    failed = judge_claim(c, results([0.9, 0.9, 0.79, 0.9, 0.9], CONTRADICTED), "quick")
    by_id = {s.expectation.id: s for s in failed.subverdicts}
    assert by_id["beyond-linear"].verdict == "FAILS"
    assert by_id["effect"].verdict == by_id["other"].verdict == NOT_TESTABLE
    assert "precondition not established: beyond-linear FAILS" in by_id["effect"].reason
    assert by_id["free"].verdict == REPRODUCED  # not guarded: tested as before
    assert failed.verdict == NOT_TESTABLE and failed.counts()[NOT_TESTABLE] == 2
    assert NOT_REPRODUCED not in [s.verdict for s in failed.statistical]


def test_an_empty_guard_list_guards_every_other_sub_claim_and_a_statistical_precondition_must_be_shown():
    regime = sub("beyond-linear", "accuracy", 0.8)  # a t-test this time: shown at alpha or not established
    c = claim([regime, EFFECT, FREE], ("effect",), {"beyond-linear": ()})
    assert c.guards("free") == c.guards("effect") == ("beyond-linear",) and c.guards("beyond-linear") == ()
    noisy = judge_claim(c, results([0.7, 0.95, 0.85, 0.75, 0.95], [1, 2, 3, 2, 1]), "quick")
    assert noisy.subverdicts[0].verdict == INCONCLUSIVE
    # its seeds-to-decide are counted at the next look's alpha, as a lone secondary's are (not at a doubled alpha)
    alone = judge_claim(claim([regime, EFFECT], ("effect",), {}), results([0.7, 0.95, 0.85, 0.75, 0.95], [1, 2, 3, 2, 1]),
                        "quick").subverdicts[0]
    assert noisy.subverdicts[0].seeds_to_decide == alone.seeds_to_decide is not None
    assert [s.verdict for s in noisy.subverdicts[1:]] == [NOT_TESTABLE, NOT_TESTABLE]
    shown = judge_claim(c, results([0.9, 0.91, 0.92, 0.9, 0.93], [1, 2, 3, 2, 1]), "quick")
    assert [s.verdict for s in shown.subverdicts] == [REPRODUCED, REPRODUCED, REPRODUCED]


def test_an_untested_sub_claim_leaves_its_holm_family():
    c = claim([REGIME, EFFECT, OTHER, FREE], ("effect",), {"beyond-linear": ("other",)})
    free = next(s for s in judge_claim(c, results([0.5] * 5, [1, 2, 3, 2, 1]), "quick").subverdicts
                if s.expectation.id == "free")
    assert not free.adjustment  # 'other' was not tested, so 'free' is alone in the secondary family


def test_a_precondition_that_cannot_be_measured_is_an_error_for_what_it_guards():
    c = claim([REGIME, EFFECT], ("effect",), {"beyond-linear": ()})
    data = results([0.9] * 5, [1, 2, 3, 2, 1])
    del data["a"][2]["accuracy"]
    verdict = judge_claim(c, data, "quick")
    assert verdict.subverdicts[0].verdict == ERROR and verdict.subverdicts[1].verdict == ERROR
    assert verdict.verdict == ERROR


def test_a_refuted_primary_outranks_an_untested_one():
    c = claim([REGIME, EFFECT, sub("second", "k")], ("effect", "second"), {"beyond-linear": ("effect",)})
    verdict = judge_claim(c, results([0.5] * 5, [1, 2, 3, 2, 1]), "quick")
    assert [s.verdict for s in verdict.subverdicts[1:]] == [NOT_TESTABLE, NOT_REPRODUCED]
    assert verdict.verdict == NOT_REPRODUCED  # a conjunction with one false member is false


def test_preconditions_are_validated_and_in_the_definitions_they_guard():
    base = claim([REGIME, EFFECT, FREE], ("effect",), {"beyond-linear": ("effect",)})
    for wrong in ({"nope": ()}, {"effect": ()}, {"beyond-linear": ("nope",)}, {"beyond-linear": ("beyond-linear",)}):
        with pytest.raises(ClaimDefinitionError):
            dataclasses.replace(base, preconditions=wrong)
    looser = dataclasses.replace(base, expectations=(sub("beyond-linear", "accuracy", 0.7, exact=True), EFFECT, FREE))
    assert looser.definition_hash("effect", "quick") != base.definition_hash("effect", "quick")
    assert looser.definition_hash("free", "quick") == base.definition_hash("free", "quick")  # not guarded
    unguarded = dataclasses.replace(base, preconditions={})
    assert unguarded.definition_hash("effect", "quick") != base.definition_hash("effect", "quick")


def test_the_report_shows_the_preconditions_what_they_guard_and_each_numbers_source():
    import types

    from benchmarks import report
    from reproductions.expect import ours

    sized = dataclasses.replace(REGIME, size_source=ours("a linear probe's accuracy on these pixels"))
    c = claim([sized, EFFECT, OTHER, FREE], ("effect",), {"beyond-linear": ("effect", "other")})
    verdict = judge_claim(c, results([0.9, 0.9, 0.79, 0.9, 0.9], CONTRADICTED), "quick")
    lines = report._precondition_lines(types.SimpleNamespace(claim=c, verdict=verdict))
    text = "\n".join(lines)
    assert "Preconditions: is the claim testable here?" in text and "❌ FAILS" in text
    assert "| effect, other |" in text and "0.79 to 0.9" in text
    assert "size from ours: a linear probe's accuracy on these pixels" in text
    assert report.VERDICT_MARK[NOT_TESTABLE] == "🚧 NOT TESTABLE HERE"
    assert report.replication(verdict.subverdicts[1], None) == "not confirmed yet"
    assert report.replication(verdict.subverdicts[1], verdict.subverdicts[1]).startswith("nothing to replicate")
    assert report._precondition_lines(types.SimpleNamespace(claim=c, verdict=dataclasses.replace(
        verdict, subverdicts=verdict.subverdicts[1:]))) == []


def test_the_verdict_counts_tag_says_each_role_apart_and_is_never_empty():
    from benchmarks.recorder import verdict_counts

    c = claim([REGIME, EFFECT, OTHER, FREE], ("effect",), {"beyond-linear": ("effect", "other")})
    tested = judge_claim(c, results([0.9] * 5, CONTRADICTED), "quick")
    assert verdict_counts(tested) == ("primary: NOT REPRODUCED 1 · secondary: NOT REPRODUCED 1, REPRODUCED 1 · "
                                      "precondition: HOLDS 1")
    only_exact = claim([REGIME], ("beyond-linear",), {})  # an exact check as the claim's one sub-claim
    assert verdict_counts(judge_claim(only_exact, results([0.9] * 5, CONTRADICTED), "quick")) == "exact: HOLDS 1"
