"""Claims tier: each claim at the `quick` profile (real data, 5 seeds), asserting what the data robustly show.

A change detector over judged verdicts: it says when what a claim's runs give has moved, not whether the
lecture is right (that is the report's job). What it asserts is data, decided by a rule and generated, never
typed: tests/pins/quick.json, written by `reprobench pins` (benchmarks/pins.py) from stored executions of every
claim in each of these sources, all with one thread a run as `./scripts/test.sh` runs this tier
(`--reprobench-jobs 2`):

- discovery (oneDNN on, the CPU's own vector width), confirmation on fresh seeds (`reprobench confirm`),
  oneDNN off, and an AVX2 CPU (`--cpu-isa avx2`: CI may run on a machine with or without AVX-512);
- a sub-claim's verdict label is pinned where every source gave the same one; otherwise the position of its
  interval that every source shares (e.g. "above the no-effect value": the direction holds, whatever the
  grade), none for a wall-clock measure (benchmarks.pins.wall_clock_metrics: its interval moves with the
  machine's state); a claim's verdict where every source agrees; a placebo that found a difference (BIAS)
  somewhere is a known false positive.

Each pin carries the sub-claim's definition hash: a changed definition (margin, arms, tuning rule, budget) fails
here, and in the unit tier at once (tests/unit/test_pins.py), until the pins are renewed with `reprobench pins`.
Every check also asserts that no seed was lost and no run failed (there are no expected failures to hide a
crash), exact checks hold, and no placebo finds a difference. `test_a_broken_arm_fails_the_tier` and the
mutation test of tests/unit/test_pins.py show the tier fails when a claim's effect really changes.

CI runs a sample (the `ci` marker: CI_CLAIMS, which between them reach every kind of test the judge has and
every kind of plot); `./scripts/test.sh --all-claims` (or `pytest -m claims`) runs all 41.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from benchmarks import judge
from benchmarks import pins as pinning
from benchmarks.runner import run_claim
from reproductions import registry
from tests.conftest import claim_marker

QUICK_SEEDS = 5
# the claims CI runs (the `ci` marker): between them every kind of test the judge has (t, log-ratio, censored sign
# test, exact binomial, exact checks, placebos), tuning, and every kind of plot (tests/unit/test_pins.py checks)
CI_CLAIMS = ("linear-basics", "validation-hygiene", "preprocessing", "weight-visualization")
PIN_FILE = pinning.DEFAULT_PATH


def _load_pins() -> pinning.Pins:
    if not PIN_FILE.is_file():
        return pinning.Pins({}, {}, {}, "quick", QUICK_SEEDS, {})
    return pinning.load(PIN_FILE)


PINNED = _load_pins()
Pin = pinning.Pin
PINS = dict(PINNED.subclaims)  # (claim, sub-claim) -> Pin
CLAIM_VERDICTS = dict(PINNED.claims)  # claim -> its verdict, where every source agrees
PLACEBO_FALSE_POSITIVES = dict(PINNED.placebo_false_positives)  # (claim, placebo) -> verdicts it may show


def check(claim, verdict: judge.ClaimVerdict, seeds: int | None = QUICK_SEEDS,
          pinned: bool = True, exact: bool = True) -> dict[str, list[str]]:
    """Every way a claim's judged execution departs from its pins: {sub-claim or 'claim'/'placebos': problems}.
    Not `pinned` (another profile or seed count): only lost seeds, errors, exact checks and placebos count (those
    two not at all when not `exact`: the smoke profile's tiny data decide nothing)."""
    problems: dict[str, list[str]] = {}
    seeds = seeds or verdict.n_seeds
    for sub in verdict.subverdicts:
        found = []
        pin = PINS.get((claim.id, sub.expectation.id))
        allowed = pin.min_seeds if pinned and pin is not None and pin.min_seeds is not None else seeds
        if not allowed <= sub.n <= seeds:
            found.append(f"{sub.n} usable seeds of {seeds}: a seed was lost or a run failed ({sub.reason})")
        if sub.verdict == judge.ERROR:
            found.append(f"ERROR: {sub.reason}")
        if not pinned:
            if exact and sub.role == judge.EXACT and sub.verdict not in (judge.HOLDS, judge.ERROR):
                found.append(f"exact check {sub.verdict}")
            if found:
                problems[sub.expectation.id] = found
            continue
        now = claim.definition_hash(sub.expectation.id, "quick")
        if pin is None:
            found.append(f"no pin: decide one from runs (definition {now})")
        elif pin.definition != now:
            found.append(f"definition changed ({pin.definition} -> {now}): renew the pin, with the reason in the commit")
        else:
            found += pin.failures(sub)
        if found:
            problems[sub.expectation.id] = found
    expected = CLAIM_VERDICTS.get(claim.id) if pinned else None
    if expected is not None and verdict.verdict != expected:
        problems["claim"] = [f"verdict {verdict.verdict}, pinned {expected}"]
    wrong = [f"{p.expectation.id}: {p.verdict}" for p in verdict.placebos
             if p.verdict == judge.BIAS and exact
             and not (pinned and p.verdict in PLACEBO_FALSE_POSITIVES.get((claim.id, p.expectation.id), ()))]
    if wrong or (judge.placebo_arms(claim) and not verdict.placebos):
        problems["placebos"] = wrong or ["no placebo was judged"]
    return problems


@dataclasses.dataclass(frozen=True)
class Setting:
    """Where and how the tier runs the claims: pytest's --reprobench-* options (conftest.py)."""

    uri: str
    profile: str = "quick"
    seeds: int | None = None
    jobs: int | None = None

    def pinned(self, claim) -> bool:
        """The pins were decided at quick with each claim's planned seeds: elsewhere only completeness, exact checks
        and placebos."""
        return self.profile == "quick" and self.seeds in (None, claim.budgets["quick"].seeds)

    @property
    def exact(self) -> bool:
        return self.profile != "smoke"

    def n_seeds(self, claim) -> int | None:
        return self.seeds or (claim.budgets["quick"].seeds if self.profile == "quick" else None)


def setting_of(config, scratch) -> Setting:
    from mlflow_tracking import default_uri

    asked = config.getoption("--reprobench-store")
    if asked is not None:  # the user's store: `reprobench report` and `reprobench ui` then show these runs
        uri = asked or default_uri()
    else:  # a throw-away store; with REPROBENCH_CLAIMS_STORE=DIR it is kept there (a whole quick suite)
        directory = Path(os.environ.get("REPROBENCH_CLAIMS_STORE") or scratch())
        directory.mkdir(parents=True, exist_ok=True)
        uri = f"sqlite:///{directory.resolve() / 'mlflow.db'}"
    seeds, jobs = config.getoption("--reprobench-seeds"), config.getoption("--reprobench-jobs")  # checked in conftest
    return Setting(uri, config.getoption("--reprobench-profile"), seeds, jobs)


@pytest.fixture(scope="session")
def tier_setting(request, tmp_path_factory) -> Setting:
    return setting_of(request.config, lambda: tmp_path_factory.mktemp("claims"))


@pytest.fixture(scope="session")
def quick_verdict(request, tier_setting):
    """Runs the selected claims once per session, when the first of their tests asks (all of them then, so a
    Ray executor can run them side by side), into the tier's store; returns a claim's verdict."""
    from benchmarks.runner import run_claims
    from mlflow_tracking import Store

    store = Store(tier_setting.uri)
    selected = list(dict.fromkeys(item.callspec.params["claim_id"] for item in request.session.items
                                  if "claims" in item.keywords and hasattr(item, "callspec")
                                  and "claim_id" in item.callspec.params))
    cache = {}

    def get(claim_id):
        if claim_id not in cache:
            todo = [registry()[cid] for cid in selected if cid not in cache] or [registry()[claim_id]]
            executor = None
            if tier_setting.jobs:
                from benchmarks.executors import RayExecutor

                executor = RayExecutor(jobs=tier_setting.jobs)
            try:
                found = run_claims(todo, tier_setting.profile, store, seeds=tier_setting.seeds, executor=executor,
                                   progress=lambda _: None)
            finally:
                if executor is not None:
                    executor.close()
            for cid, result in found.items():
                cache[cid] = result
        result = cache[claim_id]
        if isinstance(result, Exception):
            raise result
        # no run may fail (a pin's min_seeds allows a run without a value, e.g. a diverged one, never a failed one)
        assert result.failed == 0, f"{claim_id}: {result.failed} run(s) failed"
        return result.verdict

    return get


def _marks(claim_id):
    return [pytest.mark.claims, getattr(pytest.mark, claim_marker(claim_id))] + (
        [pytest.mark.ci] if claim_id in CI_CLAIMS else [])


@pytest.mark.parametrize("claim_id, expectation_id",
                         [pytest.param(cid, e.id, marks=_marks(cid), id=f"{cid}/{e.id}")
                          for cid, claim in registry().items() for e in claim.expectations])
def test_subclaim_as_pinned(claim_id, expectation_id, quick_verdict, tier_setting):
    claim = registry()[claim_id]
    problems = check(claim, quick_verdict(claim_id), tier_setting.n_seeds(claim),
                     tier_setting.pinned(claim), tier_setting.exact).get(expectation_id, [])
    pin = PINS.get((claim_id, expectation_id))
    assert not problems, f"{expectation_id}: " + "; ".join(problems) + (f" (pinned because: {pin.why})" if pin else "")


@pytest.mark.parametrize("claim_id", [pytest.param(cid, marks=_marks(cid), id=cid) for cid in registry()])
def test_claim_verdict_and_placebos(claim_id, quick_verdict, tier_setting):
    claim = registry()[claim_id]
    problems = check(claim, quick_verdict(claim_id), tier_setting.n_seeds(claim), tier_setting.pinned(claim),
                     tier_setting.exact)
    assert not problems.get("claim") and not problems.get("placebos"), problems


@pytest.mark.claims
@pytest.mark.init_scale_collapse
def test_a_broken_arm_fails_the_tier(tmp_path, monkeypatch):
    """The tier is no rubber stamp: give init-scale-collapse's Xavier/tanh arm the 0.01·randn init (its effect
    really changes) and the checks fail, first for the changed definition, then on the numbers alone."""
    from mlflow_tracking import Store

    claim = registry()["init-scale-collapse"]
    arms = tuple(dataclasses.replace(a, overrides={**a.overrides, "init": "normal", "init_scale": 0.01})
                 if a.name == "tanh-xavier" else a for a in claim.arms)
    broken = dataclasses.replace(claim, arms=arms)
    store = Store(f"sqlite:///{tmp_path / 'mlflow.db'}")
    verdict = run_claim(broken, "quick", QUICK_SEEDS, store, progress=lambda _: None).verdict
    problems = check(broken, verdict)
    assert any("definition changed" in p for p in problems["xavier-keeps-tanh-alive"]), problems
    # judged against the pins as though the definition had not changed, the numbers fail on their own account
    for (claim_id, expectation_id), pin in list(PINS.items()):
        if claim_id == claim.id:
            monkeypatch.setitem(PINS, (claim_id, expectation_id),
                                dataclasses.replace(pin, definition=broken.definition_hash(expectation_id, "quick")))
    problems = check(broken, verdict)
    # (its table check still passes: an arm's activations are compared with the lecture's table for the init it
    # has, here the 0.01 table)
    assert "xavier-keeps-tanh-alive" in problems and "claim" in problems, problems
    assert not any("definition changed" in p for found in problems.values() for p in found)


@pytest.mark.unit
@pytest.mark.parametrize("pinned_min, n, lost", [
    (4, 5, False), (4, 4, False),  # a pin that allows 4 usable seeds (e.g. ELU's diverged run has no dead-unit count)
    (4, 3, True),  # but no fewer
    (None, 4, True),  # a pin without min_seeds allows no lost seed
    (4, 6, True),  # nor more seeds than were run
])
def test_a_pins_min_seeds_allows_that_many_usable_seeds_and_no_fewer(pinned_min, n, lost, monkeypatch):
    claim = registry()["dead-relu"]
    expectation = claim.expectations[-1]
    definition = claim.definition_hash(expectation.id, "quick")
    monkeypatch.setitem(PINS, (claim.id, expectation.id), Pin(definition, judge.HOLDS, min_seeds=pinned_min))
    monkeypatch.delitem(CLAIM_VERDICTS, claim.id, raising=False)
    sub = judge.SubVerdict(expectation, judge.HOLDS, n, mean=0.0, ci_low=0.0, ci_high=0.0, reason="a seed had no value")
    verdict = judge.ClaimVerdict(claim.id, judge.INCONCLUSIVE, (sub,), (), QUICK_SEEDS, "quick")
    problems = check(claim, verdict).get(expectation.id, [])
    assert any("usable seeds" in p for p in problems) == lost, problems
    assert not [p for p in problems if "usable seeds" not in p]  # the pin's verdict and definition hold
