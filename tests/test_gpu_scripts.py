"""scripts/gpu-bundle.sh and scripts/gpu-run.sh, what a GPU machine without TensorFlow or internet is given:
bad input gets one line and exit 2 before anything is unpacked or run, and the bundle asks for keras and mlflow
in pyproject's own ranges. (The bundle itself needs the package index and the run a device; README's GPU section
says how both were tried.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bare_checkout(tmp_path):
    """The scripts in a checkout without .gpu/, as on a machine the bundle was not carried to."""
    (tmp_path / "scripts").mkdir()
    for name in ("gpu-run.sh", "gpu-bundle.sh"):
        shutil.copy(ROOT / "scripts" / name, tmp_path / "scripts" / name)
    return tmp_path


def script(checkout: Path, name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(checkout / "scripts" / name), *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "OUT": str(checkout / "out")}, timeout=60)


@pytest.mark.parametrize("args, message", [
    ((), "no reprobench arguments after --"),
    (("--budget", "8m", "--", "list"), "--budget must be whole seconds, not '8m'"),
    (("--fast", "--", "list"), "unknown option '--fast'"),
    (("--", "list"), ".gpu/site.tar.xz is missing: run scripts/gpu-bundle.sh and carry .gpu"),
    (("--store-in", "no-such.db", "--", "list"), "--store-in no-such.db is not a file"),  # not a fresh store instead
])
def test_gpu_run_refuses_bad_input_in_one_line(bare_checkout, args, message):
    result = script(bare_checkout, "gpu-run.sh", *args)
    line = result.stderr.strip()
    assert result.returncode == 2 and "\n" not in line and line.startswith(f"gpu-run.sh: {message}")
    assert not (bare_checkout / "out").exists()  # nothing unpacked, nothing run


def test_gpu_bundle_refuses_a_bad_python_version(bare_checkout):
    result = script(bare_checkout, "gpu-bundle.sh", "--python-version", "twelve")
    assert result.returncode == 2
    assert result.stderr.strip() == "gpu-bundle.sh: --python-version must be like 3.12, not 'twelve'"
    assert not (bare_checkout / ".gpu").exists()


def test_gpu_bundle_carries_keras_and_mlflow_in_pyprojects_ranges():
    pinned = {re.split(r"[<>=]", spec, maxsplit=1)[0]: spec
              for spec in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    bundle = (ROOT / "scripts" / "gpu-bundle.sh").read_text()
    for name in ("keras", "mlflow"):
        assert bundle.count(f'"{pinned[name]}"') >= 2, name  # in SITE_PACKAGES and in the resolution
