"""The sub-claim vocabulary (reproductions/expect.py): each name builds the Expectation it says, the words are
keywords, and the claim modules use it instead of building Expectations themselves."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import math
import re

import pytest

from benchmarks.identity import code_text
from reproductions import CLAIM_MODULES, module_of, registry
from reproductions import expect
from reproductions.claim import ClaimDefinitionError, Expectation

pytestmark = pytest.mark.unit

WORDS = {"statement": "the claim in a sentence", "lecture": "what the lecture says"}
CONSTRUCTORS = ("higher", "lower", "not_lower", "not_higher", "faster", "not_slower", "at_least", "at_most", "near",
                "at_chance", "rate_at_least", "rate_at_most", "exactly", "count_at_least", "count_at_most",
                "exact_above", "exact_below", "exact_near")


def expected(**fields) -> Expectation:
    return Expectation(**WORDS, **fields)


def same(built: Expectation, wanted: Expectation) -> None:
    """Equal field by field, floats to the bit (a margin of -0.0 is not 0.0: the definition hash tells them apart)."""
    assert type(built) is Expectation
    for field in dataclasses.fields(Expectation):
        got, want = getattr(built, field.name), getattr(wanted, field.name)
        assert repr(got) == repr(want), f"{field.name}: {got!r} != {want!r}"


# --------------------------------------------------------------------------------------------- two arms


EXAMPLES = {
    # a paired difference: metric(arm) - metric(than) > by, no difference the no-effect value
    "higher": (("a-up", "a", "val_accuracy"), {"than": "b", "by": 0.02},
               expected(id="a-up", arm="a", baseline="b", metric="val_accuracy", comparison="greater", margin=0.02,
                        null=0.0)),
    # lower by 0.05: the difference is below -0.05
    "lower": (("a-down", "a", "val_loss"), {"than": "b", "by": 0.05},
              expected(id="a-down", arm="a", baseline="b", metric="val_loss", comparison="less", margin=-0.05,
                       null=0.0)),
    # non-inferiority: at most 0.01 below, no declared no-effect value
    "not_lower": (("a-level", "a", "val_accuracy"), {"than": "b", "by": 0.01},
                  expected(id="a-level", arm="a", baseline="b", metric="val_accuracy", comparison="greater",
                           margin=-0.01)),
    "not_higher": (("a-no-gain", "a", "val_accuracy"), {"than": "b", "by": 0.005},
                   expected(id="a-no-gain", arm="a", baseline="b", metric="val_accuracy", comparison="less",
                            margin=0.005)),
    # faster: the slow arm (than) is the Expectation's arm, the fast one its baseline; log10 of the factor
    "faster": (("a-faster-than-b", "a"), {"than": "b", "factor": 3.0},
               expected(id="a-faster-than-b", arm="b", baseline="a", metric="steps_to_target", comparison="greater",
                        margin=math.log10(3.0), null=0.0, scale="log10", censored_by="censored")),
    "not_slower": (("a-as-fast-as-b", "a"), {"than": "b", "factor": 1.5},
                   expected(id="a-as-fast-as-b", arm="a", baseline="b", metric="steps_to_target", comparison="less",
                            margin=math.log10(1.5), scale="log10", censored_by="censored")),
    # ---- one arm
    "at_least": (("a-high", "a", "gain", 0.05), {"null": 0.0},
                 expected(id="a-high", arm="a", metric="gain", comparison="greater", margin=0.05, null=0.0)),
    "at_most": (("a-low", "a", "gap", 0.03), {},
                expected(id="a-low", arm="a", metric="gap", comparison="less", margin=0.03)),
    "near": (("a-ln10", "a", "initial_loss", 2.3), {"tolerance": 0.005},
             expected(id="a-ln10", arm="a", metric="initial_loss", comparison="within", target=2.3, margin=0.005)),
    "at_chance": (("a-chance", "a", "val_accuracy"), {"chance": 0.1, "tolerance": 0.05},
                  expected(id="a-chance", arm="a", metric="val_accuracy", comparison="within", target=0.1,
                           margin=0.05)),
    "rate_at_least": (("a-diverges", "a", "diverged", 0.5), {"null": 0.0},
                      expected(id="a-diverges", arm="a", metric="diverged", comparison="greater", margin=0.5,
                               null=0.0, test="binomial")),
    "rate_at_most": (("a-rarely", "a", "on_edge", 0.5), {},
                     expected(id="a-rarely", arm="a", metric="on_edge", comparison="less", margin=0.5,
                              test="binomial")),
    # ---- computed facts: exact, no test
    "exactly": (("a-760", "a", "params"), {"equals": 760},
                expected(id="a-760", arm="a", metric="params", comparison="within", target=760.0, margin=0.5,
                         exact=True)),
    "count_at_least": (("a-set", "a", "flag", 1), {},
                       expected(id="a-set", arm="a", metric="flag", comparison="greater", margin=0.5, exact=True)),
    "count_at_most": (("a-none", "a", "errors", 0), {},
                      expected(id="a-none", arm="a", metric="errors", comparison="less", margin=0.5, exact=True)),
    "exact_above": (("a-nonzero", "a", "min_derivative", 0.0), {},
                    expected(id="a-nonzero", arm="a", metric="min_derivative", comparison="greater", margin=0.0,
                             exact=True)),
    "exact_below": (("a-passes", "a", "rel_error", 1e-07), {},
                    expected(id="a-passes", arm="a", metric="rel_error", comparison="less", margin=1e-7,
                             exact=True)),
    "exact_near": (("a-one", "a", "step", 1.0), {"tolerance": 0.001},
                   expected(id="a-one", arm="a", metric="step", comparison="within", target=1.0, margin=1e-3,
                            exact=True)),
}


def test_every_constructor_has_an_example():
    public = {name for name, f in vars(expect).items() if inspect.isfunction(f) and not name.startswith("_")
              and f.__module__ == expect.__name__} - {"from_lecture", "from_paper", "ours"}  # sources, not sub-claims
    assert public == set(CONSTRUCTORS) == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_name_builds_the_expectation_it_says(name):
    args, keywords, wanted = EXAMPLES[name]
    same(getattr(expect, name)(*args, **keywords, **WORDS), wanted)


def test_lower_and_not_lower_turn_a_size_into_a_negative_margin():
    assert expect.lower("x", "a", "m", than="b", by=0.3, **WORDS).margin == -0.3
    assert expect.not_lower("x", "a", "m", than="b", by=0.3, **WORDS).margin == -0.3
    assert expect.higher("x", "a", "m", than="b", by=0.3, **WORDS).margin == 0.3
    assert expect.not_higher("x", "a", "m", than="b", by=0.3, **WORDS).margin == 0.3
    # no effect at all ("lower, by any amount"): a positive zero, as a hand-written margin=0.0
    for name in ("lower", "not_lower"):
        margin = getattr(expect, name)("x", "a", "m", than="b", by=0.0, **WORDS).margin
        assert margin == 0.0 and math.copysign(1.0, margin) == 1.0


def test_a_ratio_is_judged_on_a_log10_scale():
    same(expect.lower("x", "a", "loss", than="b", ratio=0.8, **WORDS),
         expected(id="x", arm="a", baseline="b", metric="loss", comparison="less", margin=math.log10(0.8), null=0.0,
                  scale="log10"))
    same(expect.higher("x", "a", "loss", than="b", ratio=2.0, **WORDS),
         expected(id="x", arm="a", baseline="b", metric="loss", comparison="greater", margin=math.log10(2.0),
                  null=0.0, scale="log10"))
    same(expect.not_lower("x", "a", "loss", than="b", ratio=0.8, **WORDS),
         expected(id="x", arm="a", baseline="b", metric="loss", comparison="greater", margin=math.log10(0.8),
                  scale="log10"))
    same(expect.at_most("x", "a", "rmse_ratio", ratio=0.8, null=0.0, **WORDS),
         expected(id="x", arm="a", metric="rmse_ratio", comparison="less", margin=math.log10(0.8), null=0.0,
                  scale="log10"))
    same(expect.at_least("x", "a", "time_ratio", ratio=1.05, **WORDS),
         expected(id="x", arm="a", metric="time_ratio", comparison="greater", margin=math.log10(1.05),
                  scale="log10"))
    # a ratio of 1 ("lower at all"): margin +0.0
    assert repr(expect.lower("x", "a", "m", than="b", ratio=1.0, **WORDS).margin) == "0.0"


def test_a_difference_may_be_given_on_the_log10_scale():
    same(expect.lower("x", "a", "grad", than="b", by=2.0, scale="log10", null=-0.3, **WORDS),
         expected(id="x", arm="a", baseline="b", metric="grad", comparison="less", margin=-2.0, null=-0.3,
                  scale="log10"))


def test_near_with_than_is_a_paired_equivalence():
    same(expect.near("x", "a", "val_accuracy", than="b", tolerance=0.015, **WORDS),
         expected(id="x", arm="a", baseline="b", metric="val_accuracy", comparison="within", target=0.0,
                  margin=0.015))


def test_counts_and_flags_are_whole_numbers_half_a_unit_apart():
    assert expect.count_at_most("x", "a", "m", 1, **WORDS).margin == 1.5
    assert expect.count_at_least("x", "a", "m", 0, **WORDS).margin == -0.5
    same(expect.count_at_most("x", "a", "steps", 0, than="b", **WORDS),
         expected(id="x", arm="a", baseline="b", metric="steps", comparison="less", margin=0.5, exact=True))
    assert repr(expect.exactly("x", "a", "errors", equals=0, **WORDS).target) == "0.0"  # as the default target


def test_pass_through_fields():
    e = expect.higher("x", "a", "log_ratio", than="b", by=0.3, censored_by="ratio_censored", null=None, alpha=0.01,
                      **WORDS)
    assert (e.censored_by, e.null, e.alpha) == ("ratio_censored", None, 0.01)
    e = expect.faster("x", "a", than="b", factor=2.0, metric="passes_to_fit", censored_by="not_fitted", null=None,
                      **WORDS)
    assert (e.metric, e.censored_by, e.null, e.arm, e.baseline) == ("passes_to_fit", "not_fitted", None, "b", "a")
    assert expect.exact_above("x", "a", "rel_error", 2.0, than="b", scale="log10", **WORDS).scale == "log10"


@pytest.mark.parametrize("call", [
    lambda: expect.higher("x", "a", "m", than="b", by=-0.01, **WORDS),  # a negative size: use not_lower
    lambda: expect.lower("x", "a", "m", than="b", **WORDS),  # no size at all
    lambda: expect.lower("x", "a", "m", than="b", by=0.1, ratio=0.8, **WORDS),  # both
    lambda: expect.lower("x", "a", "m", than="b", ratio=1.25, **WORDS),  # a ratio above 1 is not lower
    lambda: expect.higher("x", "a", "m", than="b", ratio=0.8, **WORDS),
    lambda: expect.not_lower("x", "a", "m", than="b", ratio=1.25, **WORDS),
    lambda: expect.not_higher("x", "a", "m", than="b", ratio=0.8, **WORDS),
    lambda: expect.lower("x", "a", "m", than="b", ratio=0.8, scale="log10", **WORDS),  # ratio sets the scale
    lambda: expect.faster("x", "a", than="b", factor=0.5, **WORDS),
    lambda: expect.not_slower("x", "a", than="b", factor=0.5, **WORDS),
    lambda: expect.at_least("x", "a", "m", **WORDS),
    lambda: expect.at_most("x", "a", "m", 0.1, ratio=0.8, **WORDS),
])
def test_a_name_refuses_numbers_that_contradict_it(call):
    with pytest.raises(ClaimDefinitionError):
        call()


@pytest.mark.parametrize("name", CONSTRUCTORS)
def test_the_words_are_keywords_only(name):
    """statement= and lecture= are keyword-only: the code hash leaves out keyword arguments with these names, so
    prose passed positionally would count as code."""
    function = getattr(expect, name)
    parameters = inspect.signature(function).parameters
    for word in ("statement", "lecture"):
        assert parameters[word].kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: {word} can be positional"
    assert parameters["statement"].default is inspect.Parameter.empty, f"{name}: a sub-claim needs its statement"
    # the example's call with the statement passed positionally after its positional arguments: refused
    args, keywords, _ = EXAMPLES[name]
    with pytest.raises(TypeError):
        function(*args, WORDS["statement"], **keywords, lecture=WORDS["lecture"])
    with pytest.raises(TypeError):
        function(*args, **keywords)  # and a sub-claim without its statement


# --------------------------------------------------------------------------------------------- the claim modules


DELIBERATE: dict[str, str] = {}  # module -> why it still builds an Expectation itself (none does)


def _builds_expectations(tree: ast.AST) -> list[str]:
    """The functions (and lambdas) of a module whose body calls Expectation(...) directly."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and (
                        (isinstance(call.func, ast.Name) and call.func.id == "Expectation")
                        or (isinstance(call.func, ast.Attribute) and call.func.attr == "Expectation")):
                    found.append(getattr(node, "name", "<lambda>"))
    return found


@pytest.mark.parametrize("module_name", CLAIM_MODULES)
def test_claim_modules_build_sub_claims_with_the_vocabulary(module_name):
    source = inspect.getsource(importlib.import_module(module_name))
    helpers = _builds_expectations(ast.parse(source))
    if module_name in DELIBERATE:
        assert helpers, f"{module_name} is listed as deliberate but builds no Expectation itself: unlist it"
    else:
        assert not helpers, f"{module_name}: {helpers} build Expectation(...) directly; use reproductions.expect"


def test_the_helper_detector_finds_a_local_helper():
    tree = ast.parse("def _beats(arm):\n    return Expectation(id='x', arm=arm, statement='s')\n")
    assert _builds_expectations(tree) == ["_beats"]


@pytest.mark.parametrize("claim_id", sorted(registry()))
def test_a_claims_words_are_out_of_its_code_hash(claim_id):
    """No statement, lecture quote or plot title of a claim survives in its module's code as the code hash reads
    it (words that are numbers only, e.g. a quoted '0.89' that is also a constant, are not prose)."""
    claim = registry()[claim_id]
    code = code_text(open(module_of(claim_id), encoding="utf-8").read())
    words = [e.statement for e in claim.expectations] + [e.lecture for e in claim.expectations]
    words += [plot.title for plot in claim.plots]
    surviving = [w for w in words if w and re.search(r"[^\W\d_]", w) and w in code]
    assert not surviving, f"{claim_id}: words left in the code hash: {surviving}"
