"""GPU tier: on a machine with a GPU the runs must say so (skipped where there is none)."""

import pytest

from benchmarks.runner import run_claim
from mlflow_tracking import runs
from reproductions import registry

pytestmark = [pytest.mark.gpu, pytest.mark.init_scale_collapse]


def test_runs_record_the_gpu(store):
    summary = run_claim(registry()["init-scale-collapse"], "smoke", 2, store, progress=lambda _: None)
    experiment_id = store.experiment_id("init-scale-collapse", create=False)
    children = runs.children(store, experiment_id, summary.parent_run_id)
    assert children and all(c.tags["device"].startswith(("gpu", "cuda")) for c in children), children[0].tags["device"]


def test_runs_record_the_gpu_memory_and_precision(store):
    summary = run_claim(registry()["init-scale-collapse"], "smoke", 2, store, progress=lambda _: None,
                        precision="bfloat16")
    experiment_id = store.experiment_id("init-scale-collapse", create=False)
    children = runs.children(store, experiment_id, summary.parent_run_id)
    assert all(c.tags["precision"] == "bfloat16" for c in children)
    assert all(c.tags["device_memory"].endswith("GiB") for c in children), children[0].tags["device_memory"]


def test_two_runs_share_one_gpu_on_ray(store):
    """--jobs 2 --gpus-per-run 0.5: two runs at once on one GPU (JAX allocating on demand, TensorFlow growing)."""
    pytest.importorskip("ray")
    from benchmarks.executors import RayExecutor

    executor = RayExecutor(jobs=2, gpus_per_run=0.5)
    try:
        summary = run_claim(registry()["init-scale-collapse"], "smoke", 2, store, progress=lambda _: None,
                            executor=executor)
    finally:
        executor.close()
    experiment_id = store.experiment_id("init-scale-collapse", create=False)
    children = runs.children(store, experiment_id, summary.parent_run_id)
    assert children and all(c.status == "FINISHED" and c.tags["device"].startswith(("gpu", "cuda")) for c in children)
    assert summary.failed == 0 and summary.verdict.verdict != "ERROR"
