"""The CLI in an empty environment (only PATH and HOME, as `env -i` gives): the project sets its own numeric
environment, every run records it, and runs made under other kernels are kept apart, never mixed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import numerics
from benchmarks.report import write_report
from benchmarks.plan import planned_runs
from mlflow_tracking import Store, runs
from reproductions import registry

pytestmark = [pytest.mark.smoke, pytest.mark.ci, pytest.mark.initial_loss]
CLAIM = "initial-loss"
ROOT = Path(__file__).resolve().parent.parent


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What `env -i HOME=$HOME PATH=$PATH` leaves, plus `extra`: nothing this test session exported."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), **extra}


def reprobench(store: str, *args: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "benchmarks.cli", "--store", store, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def test_a_clean_environment_gets_the_projects_settings_and_other_kernels_are_kept_apart(tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    # the package is installed (pip install -e), but PYTHONPATH is gone with the environment: run from the root
    clean = clean_env(tmp_path)
    out = reprobench(uri, "run", CLAIM, "--profile", "smoke", env=clean, cwd=ROOT)
    cores = numerics.usable_cores()
    isa = {"avx": "AVX", "avx2": "AVX2", "avx512": "AVX-512"}.get(numerics.native_cpu_isa(), numerics.native_cpu_isa())
    assert f"oneDNN on · {isa} · {cores} thread" in out.splitlines()[0]
    reprobench(uri, "run", CLAIM, "--profile", "smoke", env={**clean, "TF_ENABLE_ONEDNN_OPTS": "0"}, cwd=ROOT)

    store = Store(uri)
    experiment = store.experiment_id(CLAIM, create=False)
    executions = {run.tags["numerics.onednn"]: run for run in runs.executions(store, experiment)}
    assert sorted(executions) == ["off", "on"]  # two executions, one per kernel setting
    on, off = executions["on"], executions["off"]
    assert on.tags["execution_key"] != off.tags["execution_key"]
    children = {name: runs.children(store, experiment, run.run_id) for name, run in executions.items()}
    for name, expected_source in (("on", "project"), ("off", "user (TF_ENABLE_ONEDNN_OPTS)")):
        assert len(children[name]) == planned_runs(registry()[CLAIM], "smoke", 2)
        assert all(c.status == "FINISHED" for c in children[name])
        for child in children[name]:  # every child run carries the numeric environment it ran in
            tags = child.tags
            assert tags["numerics.onednn"] == name and tags["numerics.onednn_source"] == expected_source
            assert tags["numerics.threads"] == tags["numerics.inter_op_threads"] == str(cores)
            assert tags["numerics.threads_source"] == "project"
            assert tags["numerics.backend_version"] == tags["tensorflow_version"]
            assert tags["numerics.jit"].startswith("tf.function graph")
            assert tags["numerics.cpu_isa"] == numerics.native_cpu_isa() and tags["numerics.cpu_isa_source"] == "the CPU's flags"
            assert tags["numerics.keras_version"] == tags["keras_version"]  # and numpy's and scipy's, all in the key
    # no run was reused across the two: the second execution ran all of its own
    assert not {c.tags["run_key"] for c in children["on"]} & {c.tags["run_key"] for c in children["off"]}

    # the report says which it judged (the project's kernels) and sets the other beside it
    text = write_report(store, tmp_path / "report").read_text()
    assert f"`tensorflow · oneDNN on · {isa} · {cores} thread" in text
    assert "| tensorflow · oneDNN on | tensorflow · oneDNN off |" in text
    assert "Numeric environment: tensorflow " in text and "oneDNN kernels on (project)" in text
