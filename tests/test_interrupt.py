"""Ctrl-C in the middle of a run: a clean exit, the run in flight KILLED, and the next run resumes."""

import os
import signal
import subprocess
import sys
import time

import pytest

from mlflow_tracking import Store, runs

pytestmark = [pytest.mark.smoke, pytest.mark.init_scale_collapse]
SEEDS = 3


def _cli(store_uri, *args):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "benchmarks.cli", "--store", store_uri, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_ctrl_c_then_resume(tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    command = ("run", "init-scale-collapse", "--profile", "quick", "--seeds", str(SEEDS))
    process = _cli(uri, *command)
    deadline = time.monotonic() + 120
    for line in process.stdout:  # wait until a few runs have finished
        if "[4/" in line:
            break
        assert time.monotonic() < deadline
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    message = [line for line in err.splitlines() if line.startswith("interrupted")]
    assert len(message) == 1 and "run the same command again to resume" in message[0]

    store = Store(uri)
    experiment = store.experiment_id("init-scale-collapse", create=False)
    (execution,) = runs.executions(store, experiment)
    assert execution.status == "KILLED"
    children = runs.children(store, experiment, execution.run_id)
    finished = {c.tags["run_key"] for c in children if c.status == "FINISHED"}
    assert len(finished) >= 3
    assert all(c.status in ("FINISHED", "KILLED") for c in children)  # nothing left RUNNING

    resumed = _cli(uri, *command)
    out, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, out
    assert out.count("finished earlier, kept") == len(finished)
    (execution,) = runs.executions(store, experiment)  # the same execution, completed
    assert execution.status == "FINISHED" and execution.tags["verdict"] == "PARTIAL"
    children = runs.children(store, experiment, execution.run_id)
    keys = [c.tags["run_key"] for c in children if c.status == "FINISHED"]
    assert len(keys) == len(set(keys)) == SEEDS * 5  # each arm × seed finished exactly once
