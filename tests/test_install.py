"""Every command works on a fresh install: a virtual environment built from the project's own files with the
default backend's extra alone (`pip install .[tensorflow]`, no test extra, no JAX, no PyTorch), run in an
empty environment. A dependency the code needs but pyproject.toml does not name fails here, not for a user
(as `reprobench report` once did: Keras' NumPy backend imports JAX)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reproductions import registry
from tests.servers import free_port, wait_http

pytestmark = pytest.mark.install
ROOT = Path(__file__).resolve().parent.parent
# `suite` in the fresh install: exact checks (conv-arithmetic), a loss at init (initial-loss, run again at quick
# below), tuning on a grid (adam-vs-sgd-momentum), scipy's L-BFGS (lbfgs), scatter plots (random-vs-grid-search)
SUITE_SAMPLE = ("conv-arithmetic", "initial-loss", "adam-vs-sgd-momentum", "lbfgs", "random-vs-grid-search")
OPTIONAL = {"ray", "jax", "torch"}  # the extras `.[ray]`, `.[jax]`, `.[torch]`: imported only when asked for
IMPORT_CHECK = f"""
import ast, importlib, importlib.util, pkgutil, sys
names, count = set(), 0
for package in ("reproductions", "benchmarks", "mlflow_tracking"):
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        module = importlib.import_module(info.name)
        count += 1
        tree = ast.parse(open(module.__file__, encoding="utf-8").read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {{alias.name.split(".")[0] for alias in node.names}}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
missing = sorted(n for n in names - {OPTIONAL!r} if n not in sys.stdlib_module_names and not importlib.util.find_spec(n))
print(count)
print("missing:", missing)
"""


@pytest.fixture(scope="session")
def fresh_install(tmp_path_factory) -> Path:
    """The bin/ directory of a new virtual environment with `.[tensorflow]` installed (not editable)."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    source = tmp_path_factory.mktemp("source") / "reprobench"  # the tracked files only, as a clone has them
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           f"{source}[tensorflow]"], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return venv / "bin"


def _env(bin_dir: Path, home: Path) -> dict[str, str]:
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(home)}


def _run(bin_dir: Path, home: Path, cwd: Path, *args: str, timeout: float = 900) -> str:
    done = subprocess.run([str(bin_dir / "reprobench"), *args], cwd=cwd, env=_env(bin_dir, home),
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"reprobench {' '.join(args)}: exit {done.returncode}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_install_has_the_default_backend_alone(fresh_install, tmp_path):
    probe = "import importlib.util as u; print([m for m in ('tensorflow', 'jax', 'torch', 'pytest') if u.find_spec(m)])"
    done = subprocess.run([str(fresh_install / "python"), "-c", probe], env=_env(fresh_install, tmp_path),
                          capture_output=True, text=True, check=True, cwd=tmp_path)
    assert done.stdout.strip() == "['tensorflow']"


def test_every_import_of_the_code_resolves_on_a_fresh_install(fresh_install, tmp_path):
    # every module of the three packages imports, and every package any of their `import`s names (inside
    # functions too) is installed, but for the optional extras' own (Ray, the other backends)
    done = subprocess.run([str(fresh_install / "python"), "-c", IMPORT_CHECK], env=_env(fresh_install, tmp_path),
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    modules, missing = done.stdout.strip().splitlines()[-2:]
    assert int(modules) > 50 and missing == "missing: []"


def test_every_command_works_on_a_fresh_install(fresh_install, tmp_path):
    home, suite_dir, copy_dir = tmp_path / "home", tmp_path / "suite", tmp_path / "copy"
    for directory in (home, suite_dir, copy_dir):
        directory.mkdir()

    listed = _run(fresh_install, home, suite_dir, "list")  # imports every claim module
    assert all(claim_id in listed for claim_id in registry())

    # the main job at smoke, one seed, on claims whose code paths between them reach every kind of run and plot
    # (every claim runs at smoke in the smoke tier; what this install could lack is checked by imports below)
    _run(fresh_install, home, suite_dir, "suite", *SUITE_SAMPLE, "--profile", "smoke", "--seeds", "1")
    assert (suite_dir / "FINDINGS.md").is_file()

    # `run` on real data at quick
    out = _run(fresh_install, home, suite_dir, "run", "initial-loss", "--profile", "quick", "--seeds", "2")
    assert "oneDNN on" in out.splitlines()[0]
    # `confirm`: the same claim on fresh seeds, judged apart
    out = _run(fresh_install, home, suite_dir, "confirm", "initial-loss", "--profile", "quick", "--seeds", "2")
    assert "confirmation" in out.splitlines()[0]

    # `report` from a copy of the store, elsewhere
    shutil.copy2(suite_dir / "mlflow.db", copy_dir / "mlflow.db")
    shutil.copytree(suite_dir / "mlartifacts", copy_dir / "mlartifacts")
    _run(fresh_install, home, copy_dir, "report")
    report = (copy_dir / "FINDINGS.md").read_text()
    assert all(f"## {claim_id}" in report for claim_id in SUITE_SAMPLE)
    assert "| quick · tensorflow · oneDNN on" in report and "| smoke · tensorflow · oneDNN on" in report
    section = report.split("## initial-loss")[1].split("\n## ")[0]
    assert "**Replication on fresh seeds:** the claim's verdict" in section and "### Replication on fresh seeds" in section

    # `ui` serves the store
    port = free_port()
    server = subprocess.Popen([str(fresh_install / "reprobench"), "ui", "--port", str(port)], cwd=copy_dir,
                              env=_env(fresh_install, home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", 120, server)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)
