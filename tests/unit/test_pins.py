"""The pin file (tests/pins/quick.json) in seconds, without training: it is what the rule and the judge give on the
evidence it keeps, under the current definitions; every decisive pin fails when a treatment arm's effect is taken
away (a mutation of the stored runs); and CI's sample of claims reaches every kind of test and plot."""

from __future__ import annotations

import copy
import types

import pytest

from benchmarks import judge
from benchmarks import pins as pinning
from reproductions import registry
from tests.test_claims import CI_CLAIMS, PIN_FILE

pytestmark = pytest.mark.unit

# the sources the pins must span, so that they hold on any machine CI may meet (benchmarks/pins.py)
REQUIRED_SOURCES = ("discovery · oneDNN on", "confirmation · oneDNN on", "oneDNN off", "AVX2")


@pytest.fixture(scope="module")
def data():
    assert PIN_FILE.is_file(), f"{PIN_FILE} is missing: write it with `reprobench pins`"
    return pinning.load(PIN_FILE).data


def test_the_pin_file_is_what_the_rule_and_the_judge_give_on_its_own_evidence(data):
    """No pin typed or edited by hand; no definition changed since; no judge change that reads the same numbers
    otherwise (each would need `reprobench pins` again)."""
    assert pinning.rederive(data, registry()) == {}


def test_every_paired_sub_claim_reads_the_same_grade_with_its_arms_exchanged(data):
    """A control for a bias between arms in the judge (issue 31), on every claim's real runs, censored ones included:
    'a − b > m' judged as 'b − a < −m' must grade the same (seen to fail when a censored baseline's bound is taken
    on the wrong side in judge.effect_bounds)."""
    registered = registry()
    checked, found = 0, []
    for claim_id, entry in data["claims"].items():
        claim = registered[claim_id]
        for source, evidence in entry["evidence"].items():
            verdict = pinning.rejudge(claim, evidence, data["profile"])
            checked += sum(1 for e in claim.expectations if e.baseline and not e.exact)
            found += [f"{claim_id}/{sub} in {source}" for sub in verdict.asymmetric]
    assert checked > 300 and not found, found


def test_every_sub_claim_of_every_claim_is_pinned_under_its_current_definition(data):
    stale = [f"{cid}/{e.id}" for cid, claim in registry().items() for e in claim.expectations
             if data["claims"].get(cid, {}).get("subclaims", {}).get(e.id, {}).get("definition")
             != claim.definition_hash(e.id, data["profile"])]
    assert not stale, f"renew these pins with `reprobench pins` (definition changed or never pinned): {stale}"


def test_every_claim_is_pinned_from_every_kind_of_source(data):
    for claim_id, entry in data["claims"].items():
        sources = list(entry["evidence"])
        missing = [kind for kind in REQUIRED_SOURCES if not any(kind in source for source in sources)]
        assert not missing, f"{claim_id}: no source of kind {missing} (has {sources})"


def _decisive(e, pin: pinning.Pin) -> bool:
    """A pin that says the claimed difference exists (its direction holds), so a zero effect must break it."""
    if not e.has_placebo:
        return False
    if pin.verdict in judge.DIRECTION_HOLDS:
        return True
    null = e.effective_null
    if e.comparison == "greater":
        return pin.low_above is not None and pin.low_above >= null
    return pin.high_below is not None and pin.high_below <= null


def _without_effect(evidence: dict, e) -> dict:
    """The stored runs with the arm's values replaced by its baseline's on every seed: no effect at all."""
    mutated = copy.deepcopy(evidence)
    arm, base = mutated["eval"][e.arm], mutated["eval"][e.baseline]
    for repeat, metrics in base.items():
        if repeat in arm:
            for metric in (e.metric, e.censored_by):
                if metric and metric in metrics:
                    arm[repeat][metric] = metrics[metric]
    return mutated


def test_every_decisive_pin_fails_when_the_treatment_arm_is_its_baseline(data):
    """A mutation test over the stored runs: the tier is no rubber stamp. For every sub-claim whose pin says a
    paired difference exists, each source's runs with that arm made its baseline are judged again: the pin fails."""
    pinned = pinning.load(PIN_FILE)
    checked, survived = 0, []
    for claim_id, entry in data["claims"].items():
        claim = registry()[claim_id]
        for e in claim.expectations:
            pin = pinned.subclaims.get((claim_id, e.id))
            if pin is None or not _decisive(e, pin):
                continue
            for source, evidence in entry["evidence"].items():
                verdict = pinning.rejudge(claim, _without_effect(evidence, e), data["profile"])
                sub = next(s for s in verdict.subverdicts if s.expectation.id == e.id)
                checked += 1
                if not pin.failures(sub):
                    survived.append(f"{claim_id}/{e.id} in {source}: {sub.verdict} [{sub.ci_low:.3g}, {sub.ci_high:.3g}]")
    assert checked > 0 and not survived, survived


def _kinds(claim) -> set[str]:
    """The kinds of test a claim's sub-claims are judged by, its placebos and tuning, and its kinds of plot."""
    kinds = set()
    for e in claim.expectations:
        if e.exact:
            kinds.add("exact")
        elif e.censored_by:
            kinds.add("censored sign test")
        elif e.test == "binomial":
            kinds.add("McNemar" if e.baseline else "binomial")
        else:
            kinds.add("t on log ratios" if e.scale == "log10" else "t")
    if judge.placebo_arms(claim):
        kinds.add("placebo")
    if claim.tuning:
        kinds.add("tuning")
    return kinds | {f"plot:{p.kind}" for p in claim.plots}


def test_ci_runs_a_sample_that_reaches_every_kind_of_test_and_plot():
    every = set().union(*(_kinds(c) for c in registry().values()))
    sample = set().union(*(_kinds(registry()[cid]) for cid in CI_CLAIMS))
    assert every - sample == set(), f"no claim in CI's sample is judged or drawn by {sorted(every - sample)}"


# --------------------------------------------------------------------------- the rule itself, on made-up sources

def _seen(verdict, low, high, n=5, mean=None):
    return {"verdict": verdict, "mean": (low + high) / 2 if mean is None else mean, "ci": [low, high], "n": n}


def _greater(margin=0.1, null=0.0):
    from reproductions.expect import higher

    return higher("a-beats-b", "a", "m", than="b", by=margin, null=null, statement="s")


def test_a_label_every_source_gave_is_pinned():
    pin = pinning.decide(_greater(), {"x": _seen(judge.REPRODUCED, 0.2, 0.3), "y": _seen(judge.REPRODUCED, 0.15, 0.4)},
                         5, "hash")
    assert pin == {"definition": "hash", "verdict": judge.REPRODUCED, "low_above": None, "high_below": None,
                   "min_seeds": None}


def test_where_labels_differ_the_shared_position_of_the_interval_is_pinned():
    seen = {"x": _seen(judge.REPRODUCED, 0.12, 0.3), "y": _seen(judge.DIRECTION_ONLY, 0.02, 0.3)}
    pin = pinning.decide(_greater(), seen, 5, "hash")
    assert pin["verdict"] is None and pin["low_above"] == 0.0 and pin["high_below"] is None  # above null, not margin
    seen = {"x": _seen(judge.NOT_REPRODUCED, -0.3, -0.1), "y": _seen(judge.INCONCLUSIVE, -0.3, 0.05)}
    pin = pinning.decide(_greater(), seen, 5, "hash")
    assert pin["low_above"] is None and pin["high_below"] == 0.1  # below the margin, on both
    seen = {"x": _seen(judge.REPRODUCED, 0.12, 0.3), "y": _seen(judge.NOT_REPRODUCED, -0.3, -0.1)}
    pin = pinning.decide(_greater(), seen, 5, "hash")
    assert pin["verdict"] is None and pin["low_above"] is None and pin["high_below"] is None  # nothing shared


def test_a_wall_clock_sub_claim_pins_its_label_but_never_a_position():
    """A time measured on the machine moves with the machine's state: where labels differ, nothing but the definition
    is pinned; where every source agrees, the label is. relu-sparsity-cost's time ratios are listed as wall-clock
    (a module constant its code never reads: the listing keeps its code hash), its active shares are not."""
    from benchmarks.identity import claim_code_hash

    seen = {"x": _seen(judge.NOT_REPRODUCED, -0.3, -0.1), "y": _seen(judge.INCONCLUSIVE, -0.3, 0.05)}
    assert pinning.decide(_greater(), seen, 5, "hash")["high_below"] == 0.1
    pin = pinning.decide(_greater(), seen, 5, "hash", wall_clock=True)
    assert pin["verdict"] is None and pin["low_above"] is None and pin["high_below"] is None
    agreed = {"x": _seen(judge.REPRODUCED, 0.2, 0.3), "y": _seen(judge.REPRODUCED, 0.15, 0.4)}
    assert pinning.decide(_greater(), agreed, 5, "hash", wall_clock=True)["verdict"] == judge.REPRODUCED
    claim = registry()["relu-sparsity-cost"]
    clock = pinning.wall_clock_metrics(claim)
    assert {"sigmoid_over_relu_step", "op_sigmoid_over_relu", "run_seconds"} <= clock
    assert "active_share_init" not in clock and "run_seconds" in pinning.wall_clock_metrics(registry()["initial-loss"])
    assert claim_code_hash(claim) == pinning.load(PIN_FILE).data["claims"]["relu-sparsity-cost"]["code_hash"]


def test_fewer_usable_seeds_in_any_source_are_allowed_down_to_the_fewest():
    seen = {"x": _seen(judge.REPRODUCED, 0.2, 0.3, n=4), "y": _seen(judge.REPRODUCED, 0.2, 0.3, n=5)}
    assert pinning.decide(_greater(), seen, 5, "hash")["min_seeds"] == 4


def test_a_tolerances_edges_are_its_reference_values():
    from reproductions.expect import near

    assert pinning.references(near("e", "a", "m", 1.0, tolerance=0.5, statement="s")) == [0.5, 1.5]
    assert pinning.references(_greater(0.1, 0.0)) == [0.0, 0.1]


def test_a_new_setting_joins_a_claims_pins_with_its_earlier_sources_kept_only_under_the_same_code():
    """`reprobench pins --keep-sources`: a claim's sources already in the file count beside a store's new one (their
    per-seed evidence re-judged), so another CPU joins the pins without the earlier stores; never across code."""
    data = pinning.load(PIN_FILE).data
    claim = registry()["small-kernel-stacks"]
    entry = data["claims"][claim.id]
    assert entry["code_hash"] == pinning.claim_code_hash(claim)  # pinned with the current code
    newest = sorted(entry["evidence"])[-1]
    execution = types.SimpleNamespace(run_id=entry["executions"][newest]["run_id"], tags={})  # as a store gives it
    one = {newest: (execution, pinning.rejudge(claim, entry["evidence"][newest], "quick"), entry["evidence"][newest])}
    messages = []
    rebuilt = pinning.build({claim.id: one}, registry(), "quick", None, previous=data, keep_sources=True,
                            say=messages.append)
    assert set(rebuilt["claims"][claim.id]["evidence"]) == set(entry["evidence"])
    kept = sorted(entry["evidence"])[0]
    assert rebuilt["claims"][claim.id]["executions"][kept] == entry["executions"][kept]  # its note, as it was
    assert rebuilt["claims"][claim.id]["subclaims"] == entry["subclaims"]  # the same sources, the same pins
    other = copy.deepcopy(data)
    other["claims"][claim.id]["code_hash"] = "0" * 16  # pinned with other code: its sources are not kept
    with pytest.raises(pinning.PinError, match="enough finished executions"):  # one source: nothing decided
        pinning.build({claim.id: one}, registry(), "quick", None, previous=other, keep_sources=True,
                      say=messages.append)
    assert any("earlier sources not kept" in m for m in messages)
