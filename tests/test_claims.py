"""Claims tier: each claim at the `quick` profile (real data, 5 seeds), asserting what the data robustly show.

What is pinned was decided from three executions of every claim on the 2-core development CPU
(TensorFlow 2.21): the discovery run with oneDNN on (the project's setting, what this tier runs), the same
with oneDNN off, and a confirmation on fresh seeds (`reprobench confirm`) with oneDNN on:

- a sub-claim's verdict label, where all three gave the same one;
- otherwise the position of its interval that all three share (e.g. "above the no-effect value": the
  direction holds, whatever the grade). Such a sub-claim sits near a threshold, where rounding or seeds
  decide between neighbouring labels: its label is not pinned, its direction or range is.

Each pin carries the sub-claim's definition hash: a changed definition (margin, arms, tuning rule,
budget) fails here until the pin is renewed, with the reason in the commit. Every check also asserts
that no seed was lost and no run failed (there are no expected failures to hide a crash), exact checks
hold, and no placebo says the direction holds. `test_a_broken_arm_fails_the_tier` shows the tier fails
when a claim's effect really changes.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from benchmarks import judge
from benchmarks.runner import run_claim
from reproductions import registry
from tests.conftest import claim_marker

QUICK_SEEDS = 5


@dataclasses.dataclass(frozen=True)
class Pin:
    """What the tier asserts of one sub-claim: its verdict, or where its interval lies."""

    definition: str  # the definition hash the pin was decided under
    verdict: str | None = None  # the label, where on, off and confirmation agree
    low_above: float | None = None  # else: the interval's low end is above this
    high_below: float | None = None  # and/or its high end below this
    why: str = ""  # what the data showed, in the three executions

    def failures(self, sub: judge.SubVerdict) -> list[str]:
        found = f"{sub.verdict}, {sub.mean:.4g} [{sub.ci_low:.4g}, {sub.ci_high:.4g}]"
        wrong = []
        if self.verdict is not None and sub.verdict != self.verdict:
            wrong.append(f"verdict {found}, pinned {self.verdict}")
        if self.low_above is not None and not sub.ci_low > self.low_above:
            wrong.append(f"interval {found}: its low end should lie above {self.low_above:g}")
        if self.high_below is not None and not sub.ci_high < self.high_below:
            wrong.append(f"interval {found}: its high end should lie below {self.high_below:g}")
        return wrong


# (claim, sub-claim) -> Pin. Decided from the three executions described above (docs/verdicts-cpu.md).
# "seeds and definition only": the three executions put its interval on different sides of every reference
# value (its no-effect value and its margin), so only its completeness and definition are pinned.
PINS: dict[tuple[str, str], Pin] = {
    ('init-scale-collapse', 'small-init-collapses'): Pin('94232615a179', verdict='REPRODUCED',
                                  why='on REPRODUCED 2.98e-07 [2.96e-07, 3.01e-07]; confirmation REPRODUCED 2.98e-07 [2.92e-07, 3.03e-07]; off REPRODUCED 2.98e-07 [2.96e-07, 3.01e-07]'),
    ('init-scale-collapse', 'small-init-theory-factor'): Pin('e43114765cba', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.224 [0.223, 0.224]; confirmation REPRODUCED 0.224 [0.223, 0.224]; off REPRODUCED 0.224 [0.223, 0.224]'),
    ('init-scale-collapse', 'large-init-saturates'): Pin('1736b096972a', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.934 [0.933, 0.934]; confirmation REPRODUCED 0.934 [0.933, 0.934]; off REPRODUCED 0.934 [0.933, 0.934]'),
    ('init-scale-collapse', 'large-init-local-derivative-zero'): Pin('9015b790f7a5', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.0363 [0.0362, 0.0363]; confirmation REPRODUCED 0.0362 [0.0362, 0.0363]; off REPRODUCED 0.0363 [0.0362, 0.0363]'),
    ('init-scale-collapse', 'large-init-gradients-zero'): Pin('c7742ee1f4ee', verdict='NOT REPRODUCED',
                                  why='on NOT REPR. 3.83 [3.82, 3.84]; confirmation NOT REPR. 3.83 [3.82, 3.84]; off NOT REPR. 3.82 [3.82, 3.83]'),
    ('init-scale-collapse', 'small-init-weight-gradients-tiny'): Pin('d1a93ffbebda', verdict='REPRODUCED',
                                  why='on REPRODUCED -5.25 [-5.25, -5.25]; confirmation REPRODUCED -5.25 [-5.25, -5.25]; off REPRODUCED -5.25 [-5.25, -5.25]'),
    ('init-scale-collapse', 'small-init-gradients-vanish-toward-input'): Pin('89290bc37ebb', verdict='NOT REPRODUCED',
                                  why='on NOT REPR. 0.000128 [-0.00564, 0.00589]; confirmation NOT REPR. -0.00077 [-0.00471, 0.00317]; off NOT REPR. 0.000128 [-0.00564, 0.00589]'),
    ('init-scale-collapse', 'small-init-backprop-signal-vanishes'): Pin('9fb75a7e128c', verdict='REPRODUCED',
                                  why='on REPRODUCED -5.88 [-5.88, -5.87]; confirmation REPRODUCED -5.88 [-5.88, -5.87]; off REPRODUCED -5.88 [-5.88, -5.87]'),
    ('init-scale-collapse', 'xavier-keeps-tanh-alive'): Pin('b8dfb0c66029', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.228 [0.227, 0.229]; confirmation REPRODUCED 0.228 [0.225, 0.23]; off REPRODUCED 0.228 [0.227, 0.229]'),
    ('init-scale-collapse', 'xavier-fails-relu'): Pin('2b818adfb2b7', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.0453 [0.0444, 0.0463]; confirmation REPRODUCED 0.0411 [0.0364, 0.0458]; off REPRODUCED 0.0453 [0.0444, 0.0463]'),
    ('init-scale-collapse', 'he-keeps-relu-alive'): Pin('f3d6b3d9a4dc', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.0109 [0.00184, 0.02]; confirmation REPRODUCED -0.0339 [-0.0828, 0.015]; off REPRODUCED 0.0109 [0.00184, 0.02]'),
    ('init-scale-collapse', 'table-tanh-0.01'): Pin('b7322ea920d4', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.00324 [0.00129, 0.00518]; confirmation REPRODUCED 0.00486 [0.00223, 0.00748]; off REPRODUCED 0.00324 [0.00129, 0.00518]'),
    ('init-scale-collapse', 'table-tanh-1.0'): Pin('d6f9df152124', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.000136 [0.000113, 0.000159]; confirmation REPRODUCED 0.000127 [0.000107, 0.000147]; off REPRODUCED 0.000134 [0.00011, 0.000158]'),
    ('init-scale-collapse', 'table-tanh-xavier'): Pin('4d3a718438c1', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.00344 [0.00232, 0.00455]; confirmation REPRODUCED 0.00497 [0.00176, 0.00818]; off REPRODUCED 0.00344 [0.00232, 0.00455]'),
    ('init-scale-collapse', 'table-relu-xavier'): Pin('eb3507e79fbf', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.0439 [0.0325, 0.0553]; confirmation REPRODUCED 0.0537 [0.0421, 0.0652]; off REPRODUCED 0.0439 [0.0325, 0.0553]'),
    ('init-scale-collapse', 'table-relu-he'): Pin('d49323c7de7d', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.0393 [0.0129, 0.0657]; confirmation REPRODUCED 0.0622 [0.0429, 0.0816]; off REPRODUCED 0.0393 [0.0129, 0.0657]'),
    ('initial-loss', 'loss-is-ln-c'): Pin('5577a25fb688', verdict='REPRODUCED',
                                  why='on REPRODUCED 2.3 [2.3, 2.3]; confirmation REPRODUCED 2.3 [2.3, 2.3]; off REPRODUCED 2.3 [2.3, 2.3]'),
    ('initial-loss', 'loss-is-ln-c-cifar-shape'): Pin('8e3d4b73446d', verdict='REPRODUCED',
                                  why='on REPRODUCED 2.3 [2.3, 2.3]; confirmation REPRODUCED 2.3 [2.3, 2.3]; off REPRODUCED 2.3 [2.3, 2.3]'),
    ('initial-loss', 'regularization-raises-loss'): Pin('6b243fbb2a2f', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.198 [0.197, 0.199]; confirmation REPRODUCED 0.198 [0.196, 0.199]; off REPRODUCED 0.198 [0.197, 0.199]'),
    ('initial-loss', 'lecture-number-at-reg-1e3'): Pin('aa28d5b711cf', verdict='REPRODUCED',
                                  why='on REPRODUCED 3.07 [3.07, 3.08]; confirmation REPRODUCED 3.07 [3.07, 3.08]; off REPRODUCED 3.07 [3.07, 3.08]'),
    ('relu-vs-saturating', 'relu-faster-than-tanh'): Pin('8e2290546fd2', verdict='NOT REPRODUCED',
                                  why='on NOT REPR. -0.0478 [-0.159, 0.0633]; confirmation NOT REPR. -0.13 [-0.256, -0.00447]; off NOT REPR. -0.0865 [-0.2, 0.0265]'),
    ('relu-vs-saturating', 'relu-faster-than-sigmoid'): Pin('0acde6782376', verdict='INCONCLUSIVE',
                                  why='on INCONCL. 0.653 [0.567, ∞]; confirmation INCONCL. 0.548 [0.489, ∞]; off INCONCL. 0.653 [0.567, ∞]'),
    ('relu-vs-saturating', 'tanh-faster-than-sigmoid'): Pin('07a6b6a5e0a8', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.669 [0.602, ∞]; confirmation REPRODUCED 0.648 [0.531, ∞]; off REPRODUCED 0.672 [0.653, ∞]'),
    ('batchnorm-speedup', 'bn-faster-than-plain'): Pin('8f7987138939', verdict='SMALLER EFFECT',
                                  why='on SMALLER 0.309 [0.28, 0.338]; confirmation SMALLER 0.278 [0.236, 0.321]; off SMALLER 0.232 [0.184, 0.279]'),
    ('batchnorm-speedup', 'bn-faster-at-the-same-rate'): Pin('dbd045e0a411', verdict='SMALLER EFFECT',
                                  why='on SMALLER 0.3 [0.283, 0.318]; confirmation SMALLER 0.278 [0.236, 0.321]; off SMALLER 0.232 [0.184, 0.279]'),
    ('batchnorm-speedup', 'plain-diverges-at-5x-rate'): Pin('6eb4312978d0', verdict='DIRECTION ONLY',
                                  why='on DIRECTION ONLY 1 [0.549, 1]; confirmation DIRECTION ONLY 0.2 [0.0102, 0.657]; off DIRECTION ONLY 0.4 [0.0764, 0.811]'),
    ('batchnorm-speedup', 'bn-trains-at-5x-rate'): Pin('7a46ec645e45', verdict='DIRECTION ONLY',
                                  why='on DIRECTION ONLY 1 [0.549, 1]; confirmation DIRECTION ONLY 1 [0.549, 1]; off DIRECTION ONLY 1 [0.549, 1]'),
    ('batchnorm-speedup', 'bn-5x-rate-faster-than-plain'): Pin('56a4c1c4f45c', verdict='SMALLER EFFECT',
                                  why='on SMALLER 0.0986 [0.0699, 0.127]; confirmation SMALLER 0.158 [0.117, 0.2]; off SMALLER 0.135 [0.0931, 0.176]'),
    ('batchnorm-speedup', 'bn-depends-less-on-init'): Pin('e96004930f9e', verdict='DIRECTION ONLY',
                                  why='on DIRECTION ONLY 0.359 [0.347, ∞]; confirmation DIRECTION ONLY 0.472 [0.441, ∞]; off DIRECTION ONLY 0.472 [0.456, ∞]'),
    ('dropout-overfitting', 'dropout-narrows-gap'): Pin('697e5c254092', verdict='DIRECTION ONLY',
                                  why='on DIRECTION ONLY 0.023 [0.0124, 0.0336]; confirmation DIRECTION ONLY 0.0193 [0.00556, 0.033]; off DIRECTION ONLY 0.0259 [0.0134, 0.0384]'),
    ('dropout-overfitting', 'dropout-lowers-final-val-loss'): Pin('1773af9fcc39', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.244 [0.141, 0.346]; confirmation REPRODUCED 0.195 [0.117, 0.273]; off REPRODUCED 0.21 [0.17, 0.25]'),
    ('dropout-overfitting', 'dropout-lowers-best-val-loss'): Pin('a0ec31f2fc55', verdict='DIRECTION ONLY',
                                  why='on DIRECTION ONLY 0.0138 [0.00424, 0.0234]; confirmation DIRECTION ONLY 0.0224 [0.01, 0.0348]; off DIRECTION ONLY 0.0141 [0.00368, 0.0245]'),
    ('dropout-overfitting', 'dropout-raises-val-accuracy'): Pin('0dc6705396cd',
                                  why='on DIRECTION ONLY 0.019 [0.00239, 0.0356]; confirmation INCONCL. 0.011 [-0.00747, 0.0295]; off REPRODUCED 0.0154 [0.0119, 0.0189]'),
    ('dropout-overfitting', 'input-dropout-narrows-gap'): Pin('97212fb96e4f', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.0598 [0.0493, 0.0703]; confirmation REPRODUCED 0.0579 [0.0467, 0.0691]; off REPRODUCED 0.0617 [0.0466, 0.0768]'),
    ('dropout-overfitting', 'input-dropout-lowers-final-val-loss'): Pin('0a287105c06f', verdict='REPRODUCED',
                                  why='on REPRODUCED 0.291 [0.183, 0.399]; confirmation REPRODUCED 0.232 [0.149, 0.316]; off REPRODUCED 0.252 [0.218, 0.286]'),
    ('dropout-overfitting', 'gap-grows-as-the-set-shrinks'): Pin('56bc1e9d1931', low_above=0.0,
                                  why='on REPRODUCED 0.0538 [0.0371, 0.0705]; confirmation DIRECTION ONLY 0.0408 [0.0265, 0.0551]; off DIRECTION ONLY 0.051 [0.0301, 0.0719]'),
    ('dropout-overfitting', 'dropout-narrows-gap-on-the-small-set'): Pin('3aaf512c30c1', verdict='DIRECTION ONLY',
                                  why='on DIRECTION ONLY 0.0226 [0.00832, 0.0369]; confirmation DIRECTION ONLY 0.0154 [0.00732, 0.0235]; off DIRECTION ONLY 0.024 [0.00762, 0.0404]'),
    ('dropout-overfitting', 'inverted-dropout-expectation'): Pin('0385a4514473', verdict='REPRODUCED',
                                  why='on REPRODUCED 1 [0.999, 1]; confirmation REPRODUCED 1 [0.999, 1]; off REPRODUCED 1 [0.999, 1]'),
    ('dropout-overfitting', 'inverted-dropout-test-time-identity'): Pin('ccb0c398e66d', verdict='HOLDS',
                                  why='on HOLDS 0 [0, 0]; confirmation HOLDS 0 [0, 0]; off HOLDS 0 [0, 0]'),
    ('adam-vs-sgd-momentum', 'adam-ahead-early-train-loss'): Pin('3ca9da8e11f3',
                                  why='on DIRECTION ONLY 0.0174 [0.00195, 0.0328]; confirmation INCONCL. 1.47e-05 [-0.0177, 0.0177]; off NOT REPR. -0.0199 [-0.0352, -0.00464]'),
    ('adam-vs-sgd-momentum', 'adam-ahead-early-val-accuracy'): Pin('b2125857e6d7',
                                  why='on INCONCL. 0.0054 [-0.00439, 0.0152]; confirmation INCONCL. 0.0028 [-0.00935, 0.0149]; off NOT REPR. -0.0045 [-0.00943, 0.000431]'),
    ('adam-vs-sgd-momentum', 'sgd-level-or-ahead-at-end'): Pin('4fb355f4d1bd', verdict='INCONCLUSIVE',
                                  why='on INCONCL. -0.0102 [-0.0184, -0.00197]; confirmation INCONCL. -0.0036 [-0.0128, 0.00565]; off INCONCL. -0.0067 [-0.0141, 0.000743]'),
    ('adam-vs-sgd-momentum', 'sgd-ahead-at-end'): Pin('3b5b5c4c69ee',
                                  why='on NOT REPR. -0.0102 [-0.0184, -0.00197]; confirmation INCONCL. -0.0036 [-0.0128, 0.00565]; off NOT REPR. -0.0067 [-0.0141, 0.000743]'),
    ('small-kernel-stacks', 'counts-match-formulas'): Pin('3520271c7cbe', verdict='HOLDS',
                                  why='on HOLDS 0 [0, 0]; confirmation HOLDS 0 [0, 0]; off HOLDS 0 [0, 0]'),
    ('small-kernel-stacks', 'two-3x3-fewer-params-than-5x5'): Pin('a0c6273937fb', verdict='HOLDS',
                                  why='on HOLDS 0.722 [0.722, 0.722]; confirmation HOLDS 0.722 [0.722, 0.722]; off HOLDS 0.722 [0.722, 0.722]'),
    ('small-kernel-stacks', 'three-3x3-fewer-params-than-7x7'): Pin('2d144573e90c', verdict='HOLDS',
                                  why='on HOLDS 0.553 [0.553, 0.553]; confirmation HOLDS 0.553 [0.553, 0.553]; off HOLDS 0.553 [0.553, 0.553]'),
    ('small-kernel-stacks', 'two-3x3-see-5x5'): Pin('36431afbb223', verdict='HOLDS',
                                  why='on HOLDS 5 [5, 5]; confirmation HOLDS 5 [5, 5]; off HOLDS 5 [5, 5]'),
    ('small-kernel-stacks', 'two-3x3-see-5x5-with-relu'): Pin('d7d161e0f62a', verdict='HOLDS',
                                  why='on HOLDS 5 [5, 5]; confirmation HOLDS 5 [5, 5]; off HOLDS 5 [5, 5]'),
    ('small-kernel-stacks', 'three-3x3-see-7x7'): Pin('803b44fc6a18', verdict='HOLDS',
                                  why='on HOLDS 7 [7, 7]; confirmation HOLDS 7 [7, 7]; off HOLDS 7 [7, 7]'),
    ('small-kernel-stacks', 'three-3x3-see-7x7-with-relu'): Pin('fd60a0e3c161', verdict='HOLDS',
                                  why='on HOLDS 7 [7, 7]; confirmation HOLDS 7 [7, 7]; off HOLDS 7 [7, 7]'),
    ('small-kernel-stacks', 'stack-as-accurate-as-5x5'): Pin('d0995ce9de40', verdict='INCONCLUSIVE',
                                  why='on INCONCL. -0.0035 [-0.00875, 0.00175]; confirmation INCONCL. -0.0131 [-0.0229, -0.00329]; off INCONCL. -0.0055 [-0.0166, 0.00562]'),
    ('small-kernel-stacks', 'stack-more-accurate-than-5x5'): Pin('d8871b227a60',
                                  why='on NOT REPR. -0.0035 [-0.00875, 0.00175]; confirmation NOT REPR. -0.0131 [-0.0229, -0.00329]; off INCONCL. -0.0055 [-0.0166, 0.00562]'),
    ('small-kernel-stacks', 'three-3x3-as-accurate-as-7x7'): Pin('7597fdd238da', verdict='INCONCLUSIVE',
                                  why='on INCONCL. -0.0127 [-0.0236, -0.00185]; confirmation INCONCL. -0.0131 [-0.0228, -0.00336]; off INCONCL. -0.0058 [-0.014, 0.0024]'),
}

# claim -> its verdict, where the three executions agree on it (else its primaries' pins speak for it)
# (adam-vs-sgd-momentum: INCONCLUSIVE with oneDNN on and on fresh seeds, NOT REPRODUCED with it off: not pinned)
CLAIM_VERDICTS: dict[str, str] = {
    "init-scale-collapse": judge.REPRODUCED,
    "initial-loss": judge.REPRODUCED,
    "relu-vs-saturating": judge.NOT_REPRODUCED,
    "batchnorm-speedup": judge.SMALLER,
    "dropout-overfitting": judge.DIRECTION_ONLY,
    "small-kernel-stacks": judge.INCONCLUSIVE,
}


def check(claim, verdict: judge.ClaimVerdict, seeds: int = QUICK_SEEDS) -> dict[str, list[str]]:
    """Every way a claim's judged execution departs from its pins: {sub-claim or 'claim'/'placebos': problems}."""
    problems: dict[str, list[str]] = {}
    for sub in verdict.subverdicts:
        found = []
        if sub.n != seeds:
            found.append(f"{sub.n} usable seeds of {seeds}: a seed was lost or a run failed ({sub.reason})")
        if sub.verdict == judge.ERROR:
            found.append(f"ERROR: {sub.reason}")
        pin = PINS.get((claim.id, sub.expectation.id))
        now = claim.definition_hash(sub.expectation.id, "quick")
        if pin is None:
            found.append(f"no pin: decide one from runs (definition {now})")
        elif pin.definition != now:
            found.append(f"definition changed ({pin.definition} -> {now}): renew the pin, with the reason in the commit")
        else:
            found += pin.failures(sub)
        if found:
            problems[sub.expectation.id] = found
    expected = CLAIM_VERDICTS.get(claim.id)
    if expected is not None and verdict.verdict != expected:
        problems["claim"] = [f"verdict {verdict.verdict}, pinned {expected}"]
    wrong = [f"{p.expectation.id}: {p.verdict}" for p in verdict.placebos if p.verdict in judge.DIRECTION_HOLDS]
    if wrong or (judge.placebo_arms(claim) and not verdict.placebos):
        problems["placebos"] = wrong or ["no placebo was judged"]
    return problems


@pytest.fixture(scope="session")
def quick_verdict(tmp_path_factory):
    """Runs a claim at `quick` once per session (lazily: only the claims selected run)."""
    from mlflow_tracking import Store

    cache = {}
    # one store for every claim: with REPROBENCH_CLAIMS_STORE=DIR it is kept there, a whole quick suite
    # to look at in the UI or to time the report on
    directory = Path(os.environ.get("REPROBENCH_CLAIMS_STORE") or tmp_path_factory.mktemp("claims"))
    directory.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{directory.resolve() / 'mlflow.db'}")

    def get(claim_id):
        if claim_id not in cache:
            cache[claim_id] = run_claim(registry()[claim_id], "quick", QUICK_SEEDS, store,
                                        progress=lambda _: None).verdict
        return cache[claim_id]

    return get


def _marks(claim_id):
    return [pytest.mark.claims, getattr(pytest.mark, claim_marker(claim_id))]


@pytest.mark.parametrize("claim_id, expectation_id",
                         [pytest.param(cid, e.id, marks=_marks(cid), id=f"{cid}/{e.id}")
                          for cid, claim in registry().items() for e in claim.expectations])
def test_subclaim_as_pinned(claim_id, expectation_id, quick_verdict):
    problems = check(registry()[claim_id], quick_verdict(claim_id)).get(expectation_id, [])
    pin = PINS.get((claim_id, expectation_id))
    assert not problems, f"{expectation_id}: " + "; ".join(problems) + (f" (pinned because: {pin.why})" if pin else "")


@pytest.mark.parametrize("claim_id", [pytest.param(cid, marks=_marks(cid), id=cid) for cid in registry()])
def test_claim_verdict_and_placebos(claim_id, quick_verdict):
    problems = check(registry()[claim_id], quick_verdict(claim_id))
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
