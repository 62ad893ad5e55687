"""Every registered claim is well formed, and malformed claims are refused on construction."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import reproductions
from reproductions import CLAIM_MODULES, broken_modules, registry, reload_registry
from reproductions.claim import (
    COMPARISONS,
    PROFILES,
    SCALES,
    TESTS,
    Arm,
    ArmResult,
    Budget,
    Claim,
    ClaimDefinitionError,
    Expectation,
    PlotSpec,
    SizeSource,
    Tuning,
)

pytestmark = pytest.mark.unit

# Written out here rather than imported, so a loosened pattern in claim.py is caught.
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9.]+)*$")

CLAIMS = registry()
CLAIM_IDS = sorted(CLAIMS)


@pytest.fixture(params=CLAIM_IDS)
def claim(request) -> Claim:
    return CLAIMS[request.param]


# --------------------------------------------------------------------------- the registry


def test_registry_holds_one_claim_per_module():
    assert len(CLAIMS) == len(CLAIM_MODULES) >= 1
    for claim_id, claim in CLAIMS.items():
        assert isinstance(claim, Claim)
        assert claim.id == claim_id


def test_claims_are_found_in_their_topic_folders_in_the_topics_order():
    topics = [reproductions.topic_of(cid) for cid in CLAIMS]
    assert all(t.name != "other" for t in topics), "a claim module lies outside a topic folder"
    positions = [t.position for t in topics]
    assert positions == sorted(positions), "the registry lists claims topic by topic, in the topics' order"
    for claim_id, topic in zip(CLAIMS, topics):
        assert f"/reproductions/{topic.name}/" in reproductions.module_of(claim_id).replace("\\", "/")
        assert topic.title and topic.title != topic.name
    assert "reproductions.common" not in " ".join(CLAIM_MODULES)


def test_a_module_dropped_into_a_topic_folder_is_a_claim(tmp_path, monkeypatch):
    """No hand-kept list: a new claim module in a topic folder is registered, in its topic, by its POSITION."""
    package = tmp_path / "reproductions_tmp"
    topic = package / "sanity"
    topic.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (topic / "__init__.py").write_text('TITLE = "Sanity checks"\nPOSITION = 5\n')
    source = Path(reproductions.module_of("initial-loss")).read_text()
    for name, position, claim_id in (("b_second", 2, "copy-two"), ("a_third", 3, "copy-three")):
        (topic / f"{name}.py").write_text(source.replace('id="initial-loss"', f'id="{claim_id}"')
                                          + f"\nPOSITION = {position}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reproductions, "__path__", [str(package)])
    monkeypatch.setattr(reproductions, "__name__", "reproductions_tmp")
    try:
        modules = reproductions.discover_modules()
        assert modules == ("reproductions_tmp.sanity.a_third", "reproductions_tmp.sanity.b_second")
        monkeypatch.setattr(reproductions, "CLAIM_MODULES", modules)
        reload_registry()
        assert list(registry()) == ["copy-two", "copy-three"]  # POSITION orders them within the topic
        assert reproductions.topic_of("copy-two").title == "Sanity checks"
    finally:
        monkeypatch.undo()
        reload_registry()


def test_registry_is_cached():
    assert registry() is registry()


def test_every_claim_module_loads():
    assert broken_modules() == {}


def test_a_module_that_raises_is_reported_and_the_others_load(tmp_path, monkeypatch):
    (tmp_path / "broken_claim_module.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reproductions, "CLAIM_MODULES", ("broken_claim_module", *CLAIM_MODULES))
    reload_registry()
    try:
        assert broken_modules() == {"broken_claim_module": "RuntimeError: boom at import"}
        assert set(registry()) == set(CLAIMS)
    finally:
        monkeypatch.undo()
        reload_registry()


# --------------------------------------------------------------------------- every registered claim


def test_claim_id_format(claim):
    assert ID_PATTERN.match(claim.id), claim.id


def test_claim_texts_are_filled(claim):
    assert claim.title.strip() and "\n" not in claim.title
    assert claim.statement.strip()
    assert claim.source.strip()
    assert callable(claim.run)


def test_budgets_cover_exactly_the_profiles(claim):
    assert set(claim.budgets) == {"smoke", "quick", "full"} == set(PROFILES)
    for profile, budget in claim.budgets.items():
        assert isinstance(budget, Budget), profile
        assert budget.seeds >= 1


def test_quick_budget_has_enough_seeds_to_judge(claim):
    assert claim.budgets["quick"].seeds >= 5
    assert claim.budgets["full"].seeds >= claim.budgets["quick"].seeds


def test_arm_names_are_unique_and_well_formed(claim):
    names = [arm.name for arm in claim.arms]
    assert names, "a claim needs arms"
    assert len(names) == len(set(names))
    for name in names:
        assert ID_PATTERN.match(name), name


def test_expectations_are_well_formed_and_name_existing_arms(claim):
    names = {arm.name for arm in claim.arms}
    ids = [e.id for e in claim.expectations]
    assert ids and len(ids) == len(set(ids))
    for e in claim.expectations:
        assert ID_PATTERN.match(e.id), e.id
        assert e.statement.strip(), e.id
        assert e.metric.strip(), e.id
        assert e.arm in names, (e.id, e.arm)
        if e.baseline is not None:
            assert e.baseline in names, (e.id, e.baseline)
            assert e.baseline != e.arm
        assert set(e.arms) <= names
        assert e.comparison in COMPARISONS
        assert e.scale in SCALES
        assert e.test in TESTS
        assert 0 < e.alpha < 0.5


def test_every_negative_control_is_a_valid_expectation(claim):
    names = {arm.name for arm in claim.arms}
    for e in claim.expectations:
        control = e.inverted()
        assert control.id == f"{e.id}-inverted"
        assert control.statement.startswith("NOT: ")
        assert set(control.arms) <= names
        assert control.metric == e.metric and control.scale == e.scale


def test_plots_reference_existing_arms(claim):
    names = {arm.name for arm in claim.arms}
    for plot in claim.plots:
        assert plot.kind in ("series", "bar", "images", "scatter")
        if plot.kind == "series":
            assert set(plot.reference) <= names, plot.name


def test_resolve_config_for_every_arm_and_profile(claim):
    for profile in PROFILES:
        budget = claim.budgets[profile]
        for arm in claim.arms:
            config = claim.resolve_config(arm.name, profile)
            assert isinstance(config, dict)
            assert set(config) == set(claim.base_config), (arm.name, profile)
            # precedence: base <- budget <- arm
            for key, value in arm.overrides.items():
                assert config[key] == value, (arm.name, profile, key)
            for key, value in budget.overrides.items():
                if key not in arm.overrides:
                    assert config[key] == value, (arm.name, profile, key)
            for key, value in claim.base_config.items():
                if key not in arm.overrides and key not in budget.overrides:
                    assert config[key] == value, (arm.name, profile, key)


def test_resolve_config_returns_a_fresh_copy(claim):
    arm = claim.arms[0].name
    config = claim.resolve_config(arm, "quick")
    key = next(iter(config))
    config[key] = "changed"
    assert claim.resolve_config(arm, "quick")[key] != "changed"


def test_resolve_config_rejects_unknown_profile_and_arm(claim):
    with pytest.raises(ClaimDefinitionError):
        claim.resolve_config(claim.arms[0].name, "huge")
    with pytest.raises(KeyError):
        claim.resolve_config("no-such-arm", "quick")


# --------------------------------------------------------------------------- construction errors


def _run(config, seed, context):
    return ArmResult(scalars={"m": 1.0})


def _budgets(**overrides):
    budgets = {"smoke": Budget(seeds=2), "quick": Budget(seeds=5), "full": Budget(seeds=10)}
    budgets.update(overrides)
    return budgets


SIZE = SizeSource("ours", "a test's number")  # every number a sub-claim states has a source (issue 32)


def make_claim(**changes) -> Claim:
    fields = dict(
        id="toy-claim",
        title="A toy claim",
        statement="the lecture says so",
        source="000 slide 1",
        base_config={"width": 10, "depth": 2},
        arms=(Arm("a", {"width": 20}), Arm("b", {"depth": 3})),
        expectations=(Expectation(id="a-beats-b", statement="a > b", metric="m", arm="a", baseline="b",
                                  comparison="greater", margin=0.1, size_source=SIZE),),
        budgets=_budgets(),
        run=_run,
        primary=("a-beats-b",),
    )
    fields.update(changes)
    return Claim(**fields)


def test_toy_claim_is_valid():
    claim = make_claim()
    assert claim.resolve_config("a", "quick") == {"width": 20, "depth": 2}
    assert claim.resolve_config("b", "smoke") == {"width": 10, "depth": 3}


def test_budget_overrides_apply_and_arm_overrides_win():
    claim = make_claim(budgets=_budgets(smoke=Budget(seeds=2, overrides={"width": 5, "depth": 1})))
    assert claim.resolve_config("a", "smoke") == {"width": 20, "depth": 1}
    assert claim.resolve_config("b", "smoke") == {"width": 5, "depth": 3}
    assert claim.resolve_config("b", "quick") == {"width": 10, "depth": 3}


def test_unknown_config_key_in_arm_override_is_refused():
    with pytest.raises(ClaimDefinitionError, match="widht"):
        make_claim(arms=(Arm("a", {"widht": 20}), Arm("b", {})))


def test_unknown_config_key_in_budget_is_refused():
    with pytest.raises(ClaimDefinitionError, match="epochs"):
        make_claim(budgets=_budgets(quick=Budget(seeds=5, overrides={"epochs": 3})))


def test_duplicate_arm_names_are_refused():
    with pytest.raises(ClaimDefinitionError, match="duplicate arm"):
        make_claim(arms=(Arm("a", {}), Arm("b", {}), Arm("a", {"width": 3})))


def test_expectation_naming_a_missing_arm_is_refused():
    bad = Expectation(id="c-beats-a", statement="c > a", metric="m", arm="c", comparison="greater", margin=0)
    with pytest.raises(ClaimDefinitionError, match="unknown arms"):
        make_claim(expectations=(bad,))


def test_expectation_naming_a_missing_baseline_is_refused():
    bad = Expectation(id="a-beats-c", statement="a > c", metric="m", arm="a", baseline="c",
                      comparison="greater", margin=0)
    with pytest.raises(ClaimDefinitionError, match="unknown arms"):
        make_claim(expectations=(bad,))


def test_duplicate_expectation_ids_are_refused():
    e = Expectation(id="same", statement="s", metric="m", arm="a", comparison="greater", margin=0)
    with pytest.raises(ClaimDefinitionError, match="duplicate expectation"):
        make_claim(expectations=(e, dataclasses.replace(e, arm="b")))


@pytest.mark.parametrize("budgets", [
    {"smoke": Budget(seeds=2), "quick": Budget(seeds=5)},
    {"smoke": Budget(seeds=2), "quick": Budget(seeds=5), "full": Budget(seeds=10), "huge": Budget(seeds=99)},
])
def test_budgets_must_cover_exactly_the_profiles(budgets):
    with pytest.raises(ClaimDefinitionError, match="budgets"):
        make_claim(budgets=budgets)


@pytest.mark.parametrize("changes, message", [
    ({"id": "Toy_Claim"}, "claim id"),
    ({"title": "  "}, "title"),
    ({"title": "two\nlines"}, "one line"),
    ({"statement": ""}, "statement"),
    ({"source": ""}, "source"),
    ({"arms": ()}, "no arms"),
    ({"expectations": ()}, "nothing to judge"),
    ({"run": "not a function"}, "not callable"),
    ({"plots": (PlotSpec(name="p", kind="series", metric="m", title="t", reference={"zzz": [1.0]}),)},
     "unknown arms"),
])
def test_other_malformed_claims_are_refused(changes, message):
    with pytest.raises(ClaimDefinitionError, match=message):
        make_claim(**changes)


def _expectation(**changes) -> Expectation:
    fields = dict(id="e", statement="s", metric="m", arm="a", comparison="greater", margin=1.0, size_source=SIZE)
    fields.update(changes)
    return Expectation(**fields)


@pytest.mark.parametrize("changes, message", [
    ({"comparison": "bigger"}, "comparison"),
    ({"scale": "log2"}, "scale"),
    ({"scale": "log"}, "scale"),
    ({"test": "mann-whitney"}, "test"),
    ({"null": 2.0}, "beyond the claimed margin"),  # greater than 1, but 'no effect' would be 2
    ({"comparison": "less", "margin": -1.0, "null": -2.0}, "beyond the claimed margin"),
    ({"comparison": "within", "margin": 0.0}, "tolerance"),
    ({"comparison": "outside", "margin": -0.5}, "tolerance"),
    ({"margin": float("nan")}, "finite"),
    ({"margin": float("inf")}, "finite"),
    ({"alpha": 0.0}, "alpha"),
    ({"alpha": 0.5}, "alpha"),
    ({"baseline": "a"}, "own baseline"),
    ({"id": "Bad Id"}, "expectation id"),
])
def test_malformed_expectations_are_refused(changes, message):
    with pytest.raises(ClaimDefinitionError, match=message):
        _expectation(**changes)


def test_null_on_the_right_side_of_the_margin_is_accepted():
    assert _expectation(null=0.0).effective_null == 0.0
    assert _expectation(null=1.0).effective_null == 1.0  # equal is allowed: no PARTIAL band
    assert _expectation(comparison="less", margin=-1.0, null=0.0).effective_null == 0.0


def test_effective_null_defaults():
    assert _expectation().effective_null == 1.0  # unpaired: the margin itself
    assert _expectation(baseline="b").effective_null == 0.0  # paired: no difference
    assert _expectation(comparison="within", target=2.0, margin=0.1).effective_null == 0.1


def test_bad_arm_and_budget_and_plot_are_refused():
    with pytest.raises(ClaimDefinitionError):
        Arm("Arm One", {})
    with pytest.raises(ClaimDefinitionError):
        Budget(seeds=0)
    with pytest.raises(ClaimDefinitionError):
        PlotSpec(name="p", kind="pie", metric="m", title="t")
    with pytest.raises(ClaimDefinitionError, match="image_shape"):
        PlotSpec(name="p", kind="images", metric="m", title="t")  # images of no shape
    with pytest.raises(ClaimDefinitionError, match="image_shape"):
        PlotSpec(name="p", kind="series", metric="m", title="t", image_shape=(28, 28))
    with pytest.raises(ClaimDefinitionError, match="image_shape"):
        PlotSpec(name="p", kind="images", metric="m", title="t", image_shape=(28, 0))
    assert PlotSpec(name="p", kind="images", metric="m", title="t", image_shape=[28, 28]).image_shape == (28, 28)
    with pytest.raises(ClaimDefinitionError, match="x_metric"):
        PlotSpec(name="p", kind="scatter", metric="m", title="t")  # a scatter with no x
    with pytest.raises(ClaimDefinitionError, match="x_metric"):
        PlotSpec(name="p", kind="series", metric="m", title="t", x_metric="x")
    with pytest.raises(ClaimDefinitionError, match="for 'scatter'"):
        PlotSpec(name="p", kind="bar", metric="m", title="t", best="greater")
    with pytest.raises(ClaimDefinitionError, match="best"):
        PlotSpec(name="p", kind="scatter", metric="m", x_metric="x", title="t", best="max")


def test_claim_definition_error_is_a_value_error():
    assert issubclass(ClaimDefinitionError, ValueError)


# --------------------------------------------------------------------------- immutability


def test_claim_is_frozen():
    claim = make_claim()
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.id = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.base_config = {}
    with pytest.raises(TypeError):
        claim.base_config["width"] = 99
    with pytest.raises(TypeError):
        claim.budgets["quick"] = Budget(seeds=1)
    with pytest.raises(TypeError):
        claim.arms[0].overrides["width"] = 99
    with pytest.raises(TypeError):
        claim.budgets["smoke"].overrides["width"] = 99
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.arms[0].name = "z"
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.expectations[0].margin = 0.0
    assert isinstance(claim.arms, tuple) and isinstance(claim.expectations, tuple)


def test_claim_copies_the_mappings_it_is_given():
    base = {"width": 10, "depth": 2}
    overrides = {"width": 20}
    claim = make_claim(base_config=base, arms=(Arm("a", overrides), Arm("b", {})))
    base["width"] = 1000
    overrides["width"] = 2000
    assert claim.base_config["width"] == 10
    assert claim.resolve_config("a", "quick")["width"] == 20


def test_registered_claims_are_frozen(claim):
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.title = "changed"
    key = next(iter(claim.base_config))
    with pytest.raises(TypeError):
        claim.base_config[key] = None


def test_auto_dataset_resolves_with_its_overrides_and_arms_still_win():
    full = Budget(seeds=10, overrides={"dataset": "auto", "depth": 4},
                  dataset_overrides={"cifar10": {"width": 64, "depth": 5}})
    claim = make_claim(base_config={"width": 10, "depth": 2, "dataset": "fashion-mnist"}, budgets=_budgets(full=full))
    assert claim.uses_dataset_choice("full") and not claim.uses_dataset_choice("quick")
    assert claim.resolve_config("b", "full") == {"width": 10, "depth": 3, "dataset": "auto"}  # unresolved
    assert claim.resolve_config("a", "full", dataset="cifar10") == {"width": 20, "depth": 5, "dataset": "cifar10"}
    assert claim.resolve_config("b", "full", dataset="fashion-mnist") == {"width": 10, "depth": 3,
                                                                           "dataset": "fashion-mnist"}
    assert claim.resolve_config("b", "quick", dataset="cifar10")["dataset"] == "fashion-mnist"  # not "auto": kept


def test_dataset_overrides_with_unknown_keys_are_errors():
    full = Budget(seeds=10, overrides={"dataset": "auto"}, dataset_overrides={"cifar10": {"widht": 64}})
    with pytest.raises(ClaimDefinitionError, match="profile full on cifar10 sets unknown config keys"):
        make_claim(base_config={"width": 10, "depth": 2, "dataset": "fashion-mnist"}, budgets=_budgets(full=full))


# --------------------------------------------------------------------------- primaries, judging kinds, definitions


def test_a_claim_declares_its_primary_sub_claims():
    with pytest.raises(ClaimDefinitionError, match="declare the primary"):
        make_claim(primary=())
    with pytest.raises(ClaimDefinitionError, match="primary names unknown sub-claims"):
        make_claim(primary=("nope",))


@pytest.mark.parametrize("fields, message", [
    (dict(exact=True, test="binomial"), "an exact quantity has no test"),
    (dict(exact=True, censored_by="c"), "an exact quantity has no test"),
    (dict(censored_by="c", comparison="within", margin=0.1), "judged 'greater' or 'less'"),
    (dict(test="binomial", scale="log10"), "a binary outcome is a 0/1 value"),
    (dict(test="binomial", margin=1.5), "a rate's margin and no-effect value lie in"),
    (dict(test="binomial", baseline="b", margin=0.1), "McNemar"),
])
def test_what_cannot_be_judged_is_refused(fields, message):
    with pytest.raises(ClaimDefinitionError, match=message):
        Expectation(**{"id": "e", "statement": "s", "metric": "m", "arm": "a", "comparison": "greater",
                       "margin": 0.5, **fields})


def test_a_placebo_applies_to_paired_claims_of_a_difference_only():
    paired = dict(id="e", statement="s", metric="m", arm="a", baseline="b")
    assert Expectation(**paired, comparison="greater", margin=0.1).has_placebo
    assert Expectation(**paired, comparison="less", margin=-0.1, null=0.0).has_placebo
    assert not Expectation(**paired, comparison="greater", margin=-0.01).has_placebo  # non-inferiority: 0 satisfies it
    assert not Expectation(**paired, comparison="within", margin=0.1).has_placebo  # equivalence: 0 satisfies it
    assert not Expectation(id="e", statement="s", metric="m", arm="a", comparison="greater", margin=0.1).has_placebo


def test_a_tie_rule_may_not_decide_what_is_judged():
    tuning = dict(param="width", grid=(5, 10, 20), metric="m", direction="greater", tie_margin=0.05)
    arms = (Arm("a", {}, tuned=True), Arm("b", {"depth": 3}, tuned=True))
    with pytest.raises(ClaimDefinitionError, match="tie-break 'm' is a judged metric"):
        make_claim(arms=arms, tuning=Tuning(**tuning, tiebreak="m"))
    with pytest.raises(ClaimDefinitionError, match="exceeds the margin 0.01 of sub-claim a-beats-b"):
        make_claim(arms=arms, tuning=Tuning(**tuning, tiebreak="loss"),
                   expectations=(Expectation(id="a-beats-b", statement="s", metric="m", arm="a", baseline="b",
                                             comparison="greater", margin=0.01, size_source=SIZE),))
    make_claim(arms=arms, tuning=Tuning(**{**tuning, "tie_margin": 0.1}, tiebreak="loss"))  # within a-beats-b's 0.1


def test_the_definition_hash_changes_with_what_defines_a_sub_claim_and_nothing_else():
    claim = make_claim()
    first = claim.definition_hash("a-beats-b", "quick")
    assert first == make_claim().definition_hash("a-beats-b", "quick")  # stable
    changed = [
        make_claim(expectations=(dataclasses.replace(claim.expectations[0], margin=0.2),)),
        make_claim(arms=(Arm("a", {"width": 30}), Arm("b", {"depth": 3}))),
        make_claim(budgets=_budgets(quick=Budget(seeds=7))),
        make_claim(base_config={"width": 10, "depth": 4}),
        make_claim(expectations=(claim.expectations[0], Expectation(id="other", statement="s", metric="k", arm="a",
                                                                    comparison="greater", margin=0.0)),
                   primary=("other",)),  # no longer primary
    ]
    assert all(c.definition_hash("a-beats-b", "quick") != first for c in changed)
    assert make_claim(title="renamed").definition_hash("a-beats-b", "quick") == first
    assert claim.definition_hash("a-beats-b", "smoke") != first  # another profile's budget


def test_the_words_are_outside_the_definition_and_the_family_inside():
    """A prose edit changes nothing: a sub-claim's statement and lecture quote, an arm's description and a budget's
    note are words, not what is computed or judged (issue 30). The sub-claim's multiplicity family is inside."""
    claim = make_claim()
    first = claim.definition_hash("a-beats-b", "quick")
    reworded = [
        make_claim(expectations=(dataclasses.replace(claim.expectations[0], statement="a beats b, typo fixed",
                                                     lecture="'a > b' (000, slide 2)"),)),
        make_claim(arms=(Arm("a", {"width": 20}, "the wide arm"), Arm("b", {"depth": 3}, "the deep arm"))),
        make_claim(budgets=_budgets(quick=Budget(seeds=5, note="reworded note"))),
    ]
    assert all(c.definition_hash("a-beats-b", "quick") == first for c in reworded)
    # stores written before issue 30 hashed the words (scheme 1): their hashes still compare like with like
    assert all(c.definition_hash("a-beats-b", "quick", scheme=1) != claim.definition_hash("a-beats-b", "quick", scheme=1)
               for c in reworded)
    # another secondary in the same Holm family changes how this one is corrected: a new definition
    second = Expectation(id="b-beats-a", statement="s", metric="m", arm="b", baseline="a", comparison="greater",
                         margin=0.1, size_source=SIZE)
    with_family = make_claim(expectations=(claim.expectations[0], second, dataclasses.replace(second, id="third")),
                             primary=("third",))
    lone = make_claim(expectations=(claim.expectations[0], second, dataclasses.replace(second, id="third")),
                      primary=("third",), families={"own": ("b-beats-a",)})
    assert with_family.definition_hash("a-beats-b", "quick") != lone.definition_hash("a-beats-b", "quick")


def test_a_budget_without_seeds_takes_its_profiles_default():
    from reproductions.claim import DEFAULT_SEEDS

    claim = make_claim(budgets={"smoke": Budget(), "quick": Budget(), "full": Budget(seeds=20)})
    assert {p: b.seeds for p, b in claim.budgets.items()} == {**DEFAULT_SEEDS, "full": 20}
    explicit = make_claim(budgets={p: Budget(seeds=n) for p, n in {**DEFAULT_SEEDS, "full": 20}.items()})
    assert claim.definition_hash("a-beats-b", "quick") == explicit.definition_hash("a-beats-b", "quick")
