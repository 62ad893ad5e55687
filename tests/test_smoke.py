"""Smoke tier: every claim through the whole pipeline (run -> store -> judge -> report) on tiny data."""

import hashlib

import pytest

from benchmarks.judge import distinct_placebos, placebo_arms
from benchmarks.report import PLOTS_DIR, REPORT_NAME, write_report
from benchmarks.runner import run_claim
from mlflow_tracking import runs
from reproductions import registry
from tests.conftest import claim_marker
from tests.test_claims import CI_CLAIMS

PROVENANCE = ("claim", "arm", "seed", "repeat", "profile", "backend", "device", "git_sha", "keras_version",
              "tensorflow_version", "mlflow_version", "run_key")


# the claims CI takes through the whole pipeline: the claims tier's sample but preprocessing (24 tuning runs; the
# claims tier takes it through the pipeline at quick), and learning-rate-decay (tuning, and arms that follow a
# tuned one); every arm of every claim runs in tests/test_arms.py; `pytest -m smoke` takes all 41 through it
SMOKE_SAMPLE = (*(c for c in CI_CLAIMS if c != "preprocessing"), "learning-rate-decay")


def _claim_params():
    return [pytest.param(cid, marks=[pytest.mark.smoke, getattr(pytest.mark, claim_marker(cid))]
                         + ([pytest.mark.ci] if cid in SMOKE_SAMPLE else []), id=cid)
            for cid in registry()]


def _digest(directory):
    files = sorted(p for p in directory.rglob("*") if p.is_file() and (p.name == REPORT_NAME or PLOTS_DIR in p.parts))
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def children_metrics(children, arm):
    """The metrics an arm's runs record."""
    return {metric for c in children if c.tags["arm"] == arm for metric in c.metrics}


@pytest.mark.parametrize("claim_id", _claim_params())
def test_claim_runs_end_to_end(claim_id, store, tmp_path):
    claim = registry()[claim_id]
    seeds = claim.budgets["smoke"].seeds
    n_tuning = (claim.budgets["smoke"].tuning_seeds * len(claim.tuning.grid) * sum(a.tuned for a in claim.arms)
                if claim.tuning else 0)
    placebos = placebo_arms(claim)
    n_runs = seeds * (len(claim.arms) + len(placebos)) + n_tuning
    lines = []
    summary = run_claim(claim, "smoke", seeds, store, progress=lines.append)

    # a grid extended past its edge (Tuning.extend_edges) adds a run per value and tuning seed
    n_extended = claim.budgets["smoke"].tuning_seeds * sum(len(c.extended) for c in summary.tuning.values())
    n_runs, n_tuning = n_runs + n_extended, n_tuning + n_extended
    # one line of progress per run (arm × seed, and tuning arm × grid value × tuning seed), all of them run
    assert summary.ran == n_runs and summary.failed == 0
    assert len([line for line in lines if line.startswith("[")]) == n_runs
    assert sorted(summary.tuning) == sorted(a.name for a in claim.arms if a.tuned)

    # MLflow layout: one experiment named by the claim, a parent execution, a child per arm × seed
    experiment_id = store.experiment_id(claim.id, create=False)
    executions = runs.executions(store, experiment_id)
    assert len(executions) == 1
    parent = executions[0]
    assert parent.status == "FINISHED"
    assert parent.tags["verdict"] == summary.verdict.verdict == "INCONCLUSIVE"  # smoke never decides
    assert all(f"verdict.{e.id}" in parent.tags for e in claim.expectations)
    all_children = runs.children(store, experiment_id, parent.run_id)
    assert len(all_children) == n_runs
    tuning_runs = [c for c in all_children if c.tags["stage"] == "tuning"]
    assert len(tuning_runs) == n_tuning
    for child in tuning_runs:  # each tuning run ran its grid value
        assert float(child.params[claim.tuning.param]) == float(child.tags["grid_value"])
    children = [c for c in all_children if c.tags["stage"] == "eval"]
    assert {(c.tags["arm"], int(c.tags["repeat"])) for c in children} == {
        (arm.name, r) for arm in claim.arms for r in range(seeds)}
    # the placebo replicate: the baseline arm again, same config, other seeds
    replicates = [c for c in all_children if c.tags["stage"] == "placebo"]
    assert {(c.tags["arm"], int(c.tags["repeat"])) for c in replicates} == {(a, r) for a in placebos for r in range(seeds)}
    for replicate in replicates:
        original = next(c for c in children if c.tags["arm"] == replicate.tags["arm"]
                        and c.tags["repeat"] == replicate.tags["repeat"])
        assert replicate.params == {**original.params, "stage": "placebo", "seed": replicate.params["seed"]}
        assert replicate.tags["seed"] != original.tags["seed"]
    assert len(summary.verdict.placebos) == sum(1 for e in distinct_placebos(claim)
                                                if placebos and e.metric in children_metrics(children, placebos[0]))
    # the definitions the runs were made under
    assert all(parent.tags[f"definition.{e.id}"] == claim.definition_hash(e.id, "smoke") for e in claim.expectations)
    tuned = {arm: choice.value for arm, choice in summary.tuning.items()}
    for child in children:
        assert child.status == "FINISHED"
        assert child.name == f"{child.tags['arm']} · repeat {child.tags['repeat']}"
        missing = [key for key in PROVENANCE if not child.tags.get(key)]
        assert not missing, f"provenance tags missing: {missing}"
        config = claim.resolve_config(child.tags["arm"], "smoke", tuned)
        assert {k: str(v) for k, v in config.items()}.items() <= child.params.items()  # whole config logged
        for expectation in claim.expectations:
            if child.tags["arm"] in expectation.arms:
                # a non-finite value (a diverged run, or nothing to measure) is kept as a tag, not a metric
                assert expectation.metric in child.metrics or f"nonfinite.{expectation.metric}" in child.tags
    # series metrics are stored with their steps (layer, epoch or training step)
    for plot in claim.plots:
        if plot.kind == "series":
            histories = [h for h in (runs.series(store, c.run_id, plot.metric) for c in children) if h]
            assert any(len(h) > 1 for h in histories), plot.metric
            assert all(min(h) >= 1 for h in histories)
        elif plot.kind == "images":  # pixels from step 0, whole images of the declared shape
            histories = [h for h in (runs.series(store, c.run_id, plot.metric) for c in children) if h]
            assert histories, plot.metric
            size = plot.image_shape[0] * plot.image_shape[1]
            assert all(sorted(h) == list(range(len(h))) and len(h) % size == 0 for h in histories)

    # resume: the same selection again runs nothing, keeps everything
    again = run_claim(claim, "smoke", seeds, store, progress=lambda _: None)
    assert again.ran == 0 and again.reused == n_runs
    assert again.parent_run_id == parent.run_id

    # the report, regenerated from the store alone, is byte-identical
    out = tmp_path / "report"
    write_report(store, out, claim_ids=[claim.id])
    text = (out / REPORT_NAME).read_text()
    assert f"## {claim.id}" in text and parent.run_id in text
    assert f"`{claim.primary[0]}` " in text  # the summary table's primary effect with its interval
    assert "### Definitions" in text and ("### Placebo controls" in text)
    if claim.budgets["smoke"].note:
        assert "### Caveats" in text and "Scale at profile `smoke`: " in text
    assert all(c.run_id in text for c in all_children)
    first = _digest(out)
    assert len(first) == 1 + len(claim.plots)
    for path in out.rglob("*"):
        if path.is_file():
            path.unlink()
    write_report(store, out, claim_ids=[claim.id])
    assert _digest(out) == first
