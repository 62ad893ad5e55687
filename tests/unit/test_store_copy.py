"""A store copied with its artifacts keeps its plots (issue 33): MLflow records artifact locations as absolute paths,
so a store opened from a new directory re-anchors them to its own mlartifacts/."""

import shutil

import pytest

from mlflow_tracking import Store

pytestmark = pytest.mark.unit


def _one_plot(directory):
    store = Store(f"sqlite:///{directory / 'mlflow.db'}")
    experiment = store.experiment_id("a-claim")
    run = store.client.create_run(experiment)
    plot = directory / "plot.png"
    plot.write_bytes(b"\x89PNG not really")
    store.client.log_artifact(run.info.run_id, str(plot), "plots")
    plot.unlink()
    return run.info.run_id


def test_a_copied_store_finds_its_plots_in_its_own_directory(tmp_path):
    first, copy = tmp_path / "first", tmp_path / "elsewhere" / "copy"
    first.mkdir()
    run_id = _one_plot(first)
    shutil.copytree(first, copy)
    shutil.rmtree(first)  # the original is gone: only the copy's own artifacts can answer

    store = Store(f"sqlite:///{copy / 'mlflow.db'}", must_exist=True)
    experiment = store.client.get_experiment_by_name("a-claim")
    assert experiment.artifact_location == (copy / "mlartifacts").resolve().as_uri() + "/a-claim"
    assert store.client.get_run(run_id).info.artifact_uri.startswith(store.artifact_root + "/a-claim/")
    assert [f.path for f in store.client.list_artifacts(run_id, "plots")] == ["plots/plot.png"]
    fetched = store.client.download_artifacts(run_id, "plots/plot.png", str(tmp_path))
    assert open(fetched, "rb").read() == b"\x89PNG not really"
    assert Store(f"sqlite:///{copy / 'mlflow.db'}").client.get_experiment_by_name("a-claim").artifact_location \
        == experiment.artifact_location  # opened again: nothing more moves


def test_a_database_copied_alone_keeps_pointing_at_the_originals_artifacts(tmp_path):
    first, alone = tmp_path / "first", tmp_path / "alone"
    first.mkdir()
    alone.mkdir()
    run_id = _one_plot(first)
    shutil.copyfile(first / "mlflow.db", alone / "mlflow.db")
    store = Store(f"sqlite:///{alone / 'mlflow.db'}", must_exist=True)
    assert [f.path for f in store.client.list_artifacts(run_id, "plots")] == ["plots/plot.png"]
