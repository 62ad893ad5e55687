"""`reprobench ui` serves the suite's store: experiment per claim, execution with its verdict, child runs, metrics."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from benchmarks.runner import run_claim
from reproductions import registry

pytestmark = [pytest.mark.smoke, pytest.mark.initial_loss]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _api(base, path, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(f"{base}/api/2.0/mlflow/{path}", data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_ui_shows_the_runs(store, tmp_path):
    claim = registry()["initial-loss"]
    summary = run_claim(claim, "smoke", 2, store, progress=lambda _: None)
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "benchmarks.cli", "--store", store.uri, "ui", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, "the UI did not come up in 90 s"
            time.sleep(0.5)
        experiment = _api(base, "experiments/get-by-name?experiment_name=initial-loss")["experiment"]
        found = _api(base, "runs/search", {"experiment_ids": [experiment["experiment_id"]], "max_results": 100})
        by_kind = {}
        for run in found["runs"]:
            tags = {t["key"]: t["value"] for t in run["data"].get("tags", [])}
            by_kind.setdefault(tags.get("kind"), []).append((run, tags))
        (parent, parent_tags), = by_kind["execution"]
        assert parent["info"]["run_id"] == summary.parent_run_id
        assert parent_tags["verdict"] == summary.verdict.verdict
        children = by_kind["arm-run"]
        assert len(children) == 2 * len(claim.arms)
        assert all(tags["mlflow.parentRunId"] == summary.parent_run_id for _, tags in children)
        child_id = children[0][0]["info"]["run_id"]
        history = _api(base, f"metrics/get-history?run_id={child_id}&metric_key=initial_loss")["metrics"]
        assert history and 2.0 < history[0]["value"] < 3.5
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:  # the web app itself is served
            assert response.status == 200 and b"<html" in response.read().lower()
    finally:  # the server and any workers it started
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
