"""Test tiers (strict markers): unit, smoke, fullshape, claims, reliability, gpu; plus one marker per claim id
(dashes become underscores), so `pytest -m "claims and init_scale_collapse"` selects one claim."""

import logging
import os

from benchmarks import numerics

# the numeric environment the claims are measured under (oneDNN, threads), as the CLI sets it: before
# any backend is imported, so the tiers run under the project's settings whatever the shell exports
numerics.configure()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
logging.getLogger("tensorflow").setLevel(logging.ERROR)

import pytest  # noqa: E402

from reproductions import registry  # noqa: E402


def pytest_addoption(parser):
    """pytest as a way to run the suite: the claims tier records into a store of your choosing, at a profile and
    seed count, reusing what finished there before (see README, "Running the suite through pytest")."""
    group = parser.getgroup("reprobench", "running the claims tier as the suite")
    group.addoption("--reprobench-store", nargs="?", const="", default=None, metavar="URI",
                    help="record the claims tier's runs into this MLflow store (without URI: reprobench's own, "
                         "$MLFLOW_TRACKING_URI else ./mlflow.db), keeping finished runs; default: a throw-away store")
    group.addoption("--reprobench-profile", choices=("smoke", "quick", "full"), default="quick",
                    help="the profile the claims tier runs at (default quick; the pinned verdicts are quick's)")
    group.addoption("--reprobench-seeds", type=int, default=None, metavar="N",
                    help="seeds per arm (default: the profile's; the pinned verdicts are for quick's 5)")
    group.addoption("--reprobench-jobs", type=int, default=None, metavar="N",
                    help="run the selected claims N runs at a time on a local Ray (the .[ray] extra), "
                         "each run with cores/N threads")


def claim_marker(claim_id: str) -> str:
    return claim_id.replace("-", "_")


def pytest_configure(config):
    for name in ("--reprobench-seeds", "--reprobench-jobs"):
        value = config.getoption(name)
        if value is not None and value < 1:
            raise pytest.UsageError(f"{name} must be at least 1, got {value}")
    for claim_id, claim in registry().items():
        config.addinivalue_line("markers", f"{claim_marker(claim_id)}: tests of the {claim_id} claim")


def _has_gpu() -> bool:
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            return any(d.platform != "cpu" for d in jax.devices())
        if backend == "torch":
            import torch

            return torch.cuda.is_available()
        import tensorflow as tf

        return bool(tf.config.list_physical_devices("GPU"))
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    gpu_items = [item for item in items if "gpu" in item.keywords]
    if gpu_items and not _has_gpu():
        skip = pytest.mark.skip(reason="needs a GPU; none is visible to the Keras backend")
        for item in gpu_items:
            item.add_marker(skip)


# What the reliability tests injected and what came of it, printed at the end of the session.
RELIABILITY = {"faults": [], "bad_inputs": []}


@pytest.fixture(scope="session")
def ledger():
    """Rows for the reliability table: faults (name, injected, recovered, lost, duplicates) and bad
    inputs (what was tried, exit code, the one line it gave)."""
    return RELIABILITY


def pytest_terminal_summary(terminalreporter):
    faults, bad = RELIABILITY["faults"], RELIABILITY["bad_inputs"]
    if not faults and not bad:
        return
    write = terminalreporter.write_line
    terminalreporter.section("reliability")
    if faults:
        width = max(len(row[0]) for row in faults)
        write(f"{'fault injected':<{width}}  injected  recovered  lost  duplicates")
        for name, injected, recovered, lost, duplicates in faults:
            write(f"{name:<{width}}  {injected:>8}  {recovered:>9}  {lost:>4}  {duplicates:>10}")
        totals = [sum(row[i] for row in faults) for i in range(1, 5)]
        write(f"{'total':<{width}}  {totals[0]:>8}  {totals[1]:>9}  {totals[2]:>4}  {totals[3]:>10}")
    if bad:
        write("")
        width = min(60, max(len(row[0]) for row in bad))
        write(f"{'bad input':<{width}}  exit  message")
        for what, code, message in bad:
            write(f"{what[:width]:<{width}}  {code!s:>4}  {message}")
        write(f"{len(bad)} bad inputs tried")


@pytest.fixture(scope="session")
def empty_store_file(tmp_path_factory):
    """An empty SQLite MLflow store, its tables made once per session: MLflow's migrations take 1-2 s a store."""
    from mlflow_tracking import Store

    path = tmp_path_factory.mktemp("empty-store") / "mlflow.db"
    Store(f"sqlite:///{path}")
    return path


@pytest.fixture
def store(tmp_path, monkeypatch, empty_store_file):
    """A fresh SQLite MLflow store in a temporary working directory (a copy of the session's empty one)."""
    import shutil

    from mlflow_tracking import Store

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    shutil.copyfile(empty_store_file, tmp_path / "mlflow.db")
    return Store(f"sqlite:///{tmp_path / 'mlflow.db'}")
