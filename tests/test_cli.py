"""The command line: listing, selection, and bad input (one clear line, non-zero exit, nothing lost)."""

import pytest

from benchmarks.cli import main
from benchmarks.plan import planned_runs
from mlflow_tracking import Store, runs
from reproductions import registry


def _error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    return err[-1] if err else ""


@pytest.mark.unit
def test_list_shows_every_claim(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for claim in registry().values():
        assert claim.id in out and claim.title in out and "quick: " in out
    # grouped by the lectures' topics, each heading once, before its claims
    from reproductions import topic_of

    for claim_id in registry():
        heading = f"# {topic_of(claim_id).title} (reproductions/{topic_of(claim_id).name}/)"
        assert out.count(heading) == 1 and out.index(heading) < out.index(f"\n{claim_id} ")


# Bad input (one line, exit 2, nothing lost) is tested in test_reliability.py's BAD_INPUT table.


@pytest.mark.unit
def test_store_follows_mlflow_tracking_uri(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    assert main(["report", "--out", str(tmp_path / "out")]) == 2  # the report reads that store: not there yet
    assert "elsewhere.db does not exist" in capsys.readouterr().err
    assert main(["list"]) == 0 and not (tmp_path / "mlflow.db").exists()
    Store()  # the default store, opened as `run` opens it: created where the variable says
    assert (tmp_path / "elsewhere.db").exists() and not (tmp_path / "mlflow.db").exists()
    assert main(["report", "--out", str(tmp_path / "out")]) == 2
    assert "elsewhere.db holds no reprobench runs" in capsys.readouterr().err
    assert not (tmp_path / "out" / "FINDINGS.md").exists()


@pytest.mark.smoke
@pytest.mark.ci
@pytest.mark.initial_loss
def test_missing_data_loses_nothing(tmp_path, monkeypatch, capsys):
    """A run into an existing store that fails for missing data exits 2 and leaves earlier runs intact."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert main(["run", "initial-loss", "--profile", "smoke"]) == 0
    out = capsys.readouterr().out  # progress without a terminal: plain lines, each run's with the counts
    n = planned_runs(registry()["initial-loss"], "smoke", 2)
    assert f"{n} runs planned" in out and f"[1/{n}] initial-loss" in out and f"[{n}/{n} runs · claims 1/1 · " in out
    assert "ETA" in out and "\r" not in out
    store = Store()
    experiment = store.experiment_id("initial-loss", create=False)
    before = {(r.run_id, r.status) for r in runs.executions(store, experiment)}
    assert main(["run", "initial-loss", "--profile", "smoke", "--force", "--data-dir", str(tmp_path / "nope")]) == 2
    line = _error_line(capsys)
    assert "does not exist" in line and "apt-get install dataset-fashion-mnist" in line
    after = {(r.run_id, r.status) for r in runs.executions(store, experiment)}
    assert before <= after  # the earlier execution is still there, still FINISHED
    assert main(["report"]) == 0
    report = (tmp_path / "FINDINGS.md").read_text()
    good = next(run_id for run_id, status in before if status == "FINISHED")
    assert good in report  # the report still stands on the runs that finished
