"""`reprobench confirm`: a claim again on seeds no decision has seen (tuning included), judged apart, and the
report's replication table and settled count."""

import pytest

from benchmarks.cli import main
from benchmarks.evidence import collect
from benchmarks.report import write_report
from mlflow_tracking import Store, runs
from reproductions import registry

CLAIM = "learning-rate-decay"  # it tunes (the constant arm; the schedules follow its rate), so the
# confirmation's tuning seeds are checked too; the cheapest claim that tunes


@pytest.mark.smoke
@pytest.mark.learning_rate_decay
@pytest.mark.ci
def test_confirm_draws_fresh_seeds_and_the_report_shows_replication(tmp_path, capsys):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert main(["--store", uri, "run", CLAIM, "--profile", "smoke"]) == 0
    assert main(["--store", uri, "confirm", CLAIM, "--profile", "smoke"]) == 0
    assert "confirmation: fresh seeds" in capsys.readouterr().out

    store = Store(uri)
    experiment = store.experiment_id(CLAIM, create=False)
    executions = {e.tags.get("stream"): e for e in runs.executions(store, experiment)}
    assert set(executions) == {"discovery", "confirmation"}
    seeds = {stream: {} for stream in executions}
    for stream, execution in executions.items():
        for child in runs.children(store, experiment, execution.run_id):
            assert child.status == "FINISHED" and child.tags["stream"] == stream
            seeds[stream].setdefault(child.tags["stage"], set()).add(child.tags["seed"])
    assert set(seeds["confirmation"]) == set(seeds["discovery"]) == {"tuning", "eval", "placebo"}
    seen = set().union(*seeds["discovery"].values())
    for stage, drawn in seeds["confirmation"].items():
        assert drawn and not drawn & seen, stage  # no seed of any discovery stage comes back

    evidence = collect(store, registry()[CLAIM])
    assert evidence.execution.run_id == executions["discovery"].run_id  # the discovery is what is reported
    # where the MLflow UI lists them: each execution's name starts with its verdict, the experiment carries both
    tags = store.client.get_experiment(experiment).tags
    assert tags["verdict.smoke"] == evidence.verdict.verdict == executions["discovery"].tags["verdict"]
    assert tags["verdict.smoke.confirmation"] == executions["confirmation"].tags["verdict"]
    for execution in executions.values():
        assert execution.name.startswith(f"{execution.tags['verdict']} · {CLAIM} · smoke · "), execution.name
    assert evidence.confirmation.execution.run_id == executions["confirmation"].run_id
    text = write_report(store, tmp_path / "report").read_text()
    section = text.split(f"## {CLAIM}")[1]
    assert "### Replication on fresh seeds" in section and "**Replication on fresh seeds:** the claim's verdict" in section
    assert "1 confirmed so far" in text
    placebos = len(evidence.verdict.placebos)
    assert placebos and f"On fresh seeds (the confirmation): {len(evidence.confirmation.verdict.placebos)} placebo" in section
