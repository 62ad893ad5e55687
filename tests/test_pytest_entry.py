"""pytest as a way to run the suite: `pytest -m "claims and <claim>" --reprobench-store …` records into a store that
`reprobench report` (and `reprobench ui`) then read, and running it again keeps what finished."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.cli import main
from tests.test_reliability import census

ROOT = Path(__file__).resolve().parents[1]


def inner_pytest(cwd: Path, *options: str) -> subprocess.CompletedProcess:
    """pytest in a subprocess, as a user runs it, selecting one claim's tests of the claims tier."""
    env = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_TRACKING_URI", "REPROBENCH_CLAIMS_STORE")}
    command = [sys.executable, "-m", "pytest", "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"),
               "-p", "no:cacheprovider", "-q", "-m", "claims and initial_loss", *options,
               str(ROOT / "tests" / "test_claims.py")]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**env, "TF_CPP_MIN_LOG_LEVEL": "3"})


@pytest.mark.smoke
@pytest.mark.initial_loss
def test_pytest_records_into_the_store_that_reprobench_reports_from(tmp_path):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    first = inner_pytest(tmp_path, "--reprobench-store", uri, "--reprobench-profile", "smoke")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert " passed" in first.stdout
    recorded = census(uri, "initial-loss")
    assert len(recorded.executions) == 1 and recorded.executions[0].status == "FINISHED"
    assert recorded.executions[0].tags["profile"] == "smoke" and recorded.children

    # `--reprobench-store` alone: reprobench's own default store, ./mlflow.db here (the same file): kept, not redone
    again = inner_pytest(tmp_path, "--reprobench-store", "--reprobench-profile", "smoke")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    after = census(uri, "initial-loss")
    assert [c.run_id for c in after.children] == [c.run_id for c in recorded.children]
    assert after.duplicates == 0

    out = tmp_path / "report"
    assert main(["--store", uri, "report", "--out", str(out)]) == 0
    findings = (out / "FINDINGS.md").read_text()
    assert "### initial-loss" in findings and recorded.executions[0].run_id in findings


@pytest.mark.unit
def test_bad_tier_options_are_refused_in_one_line(tmp_path):
    found = inner_pytest(tmp_path, "--reprobench-seeds", "0")
    assert found.returncode != 0
    assert "--reprobench-seeds must be at least 1, got 0" in found.stdout + found.stderr
