"""The report's verdict line (issue 33): each verdict says the scale it was reached at and, in one plain sentence,
what it means; where only a size of our own choosing fails, it says that the lecture's claim is not what failed. The
summary's one number per claim carries what it measures."""

from __future__ import annotations

import types

import pytest

from benchmarks import report
from benchmarks.judge import (
    DIRECTION_ONLY,
    INCONCLUSIVE,
    NOT_REPRODUCED,
    NOT_TESTABLE,
    REPRODUCED,
    SMALLER,
    judge_claim,
)
from reproductions.claim import Arm, ArmResult, Budget, Claim, Expectation, SizeSource

pytestmark = pytest.mark.unit

OURS = SizeSource("ours", "a test's number")
LECTURE = SizeSource("lecture", "'about 2x faster'", seed="000")


def claim(expectations, primary=("effect",), preconditions=None) -> Claim:
    return Claim(id="c", title="t", statement="s", source="src", base_config={"x": 1},
                 arms=(Arm("a", {}), Arm("b", {})), expectations=tuple(expectations),
                 budgets={"smoke": Budget(seeds=5), "quick": Budget(seeds=5, note="10k images, 1500 steps."),
                          "full": Budget(seeds=5)},
                 run=lambda config, seed, context: ArmResult({}), primary=primary, preconditions=preconditions or {})


def gain(margin=0.0, source=None, statement="a beats b", **changes) -> Expectation:
    return Expectation(id=changes.pop("id", "effect"), statement=statement, metric="gain", arm="a", baseline="b",
                       comparison="greater", margin=margin, size_source=source, **changes)


def judged(c, gains, other=None, baseline=0.0):
    rows = {"a": {i: {"gain": g, "k": (other or [0.0] * 5)[i], "r": 0.9} for i, g in enumerate(gains)},
            "b": {i: {"gain": baseline, "k": 0.0, "r": 0.9} for i in range(5)}}
    return judge_claim(c, rows, "quick")


CLEAR = [1.0, 1.1, 0.9, 1.05, 0.95]      # about 1.0, tight
SMALL = [0.30, 0.32, 0.28, 0.31, 0.29]   # about 0.3, tight
NOISY = [2.0, -1.5, 0.5, -0.8, 1.2]      # about 0.3, wide
NONE = [0.01, -0.01, 0.0, 0.02, -0.02]   # about 0, tight


def said(expectations, gains, **changes):
    """The claim's grade and its plain sentence, from runs with these gains."""
    c = claim(expectations)
    verdict = judged(c, gains, **changes)
    return verdict.verdict, report.plain_verdict(c, verdict)


def test_a_reproduced_claim_says_it_holds_and_at_what_size():
    grade, text = said([gain(0.5, LECTURE)], CLEAR)
    assert grade == REPRODUCED
    assert text.startswith("The lecture's claim holds in these runs: “a beats b”") and "a − b in gain > 0.5" in text


def test_only_our_size_failing_is_said_to_be_ours_not_the_lectures():
    grade, text = said([gain(1.0, OURS)], SMALL)
    assert grade == SMALLER
    assert text.startswith("The lecture's qualitative claim holds; only a size we chose") and "ruled out" in text
    grade, text = said([gain(1.0, LECTURE)], SMALL)
    assert grade == SMALLER
    assert text.startswith("The lecture's direction holds; the size claimed") and "the lecture's size" in text


def test_a_refuted_size_of_ours_points_at_what_holds():
    held = Expectation(id="k-up", statement="k rises", metric="k", arm="a", comparison="greater", margin=0.5,
                       size_source=OURS)
    c = claim([gain(1.0, OURS, null=1.0), held])  # no direction band: under 1.0 is against the claim
    verdict = judged(c, NONE, other=[5.0, 5.1, 4.9, 5.2, 4.8])
    assert verdict.verdict == NOT_REPRODUCED
    text = report.plain_verdict(c, verdict)
    assert text.startswith("What fails is a size of our own choosing") and "these hold: “k rises”" in text
    lectures = claim([gain(1.0, LECTURE, null=1.0)])
    text = report.plain_verdict(lectures, judged(lectures, NONE))
    assert text.startswith("After a fair test, the data disagree with the lecture: “a beats b” did not hold")


def test_undecided_and_untestable_claims_say_why():
    c = claim([gain()])
    verdict = judged(c, NOISY)
    assert verdict.verdict == INCONCLUSIVE
    text = report.plain_verdict(c, verdict)
    assert text.startswith("The runs cannot tell at 5 seeds") and "seeds would decide it" in text
    regime = Expectation(id="regime", statement="r", metric="r", arm="a", comparison="greater", margin=0.95,
                         exact=True, size_source=OURS)
    guarded = claim([regime, gain()], preconditions={"regime": ("effect",)})
    verdict = judged(guarded, CLEAR)
    assert verdict.verdict == NOT_TESTABLE
    assert "not reached here (`regime`)" in report.plain_verdict(guarded, verdict)
    assert report.headline_number(types.SimpleNamespace(claim=guarded, verdict=verdict)) == \
        "not tested (a precondition failed)"
    assert report.plain_verdict(c, verdict, capped=True).startswith("The runs were cut short on purpose")


def test_the_verdict_names_its_scale_and_the_summary_its_number_and_what_it_measures():
    c = claim([gain(0.5, LECTURE)])
    verdict = judged(c, CLEAR)
    assert report.scale_text(c, "quick", 5) == "at `quick` (10k images, 1500 steps), judged on 5 seeds"
    evidence = types.SimpleNamespace(claim=c, verdict=verdict)
    assert report.headline_number(evidence) == "+1.00 gain (a − b)"
    ratio = claim([gain(0.0, scale="log10")])
    evidence = types.SimpleNamespace(claim=ratio, verdict=judged(ratio, CLEAR, baseline=0.1))
    assert report.headline_number(evidence) == "×10.0 gain (a ÷ b)"


def test_direction_only_says_the_size_is_undecided():
    c = claim([gain(1.0, OURS)])
    verdict = judged(c, [0.9, 1.3, 0.5, 1.1, 0.6])
    assert verdict.verdict == DIRECTION_ONLY
    assert "is undecided at 5 seeds" in report.plain_verdict(c, verdict)
