"""Test tiers (strict markers): unit, smoke, claims, gpu; plus one marker per claim id
(dashes become underscores), so `pytest -m "claims and init_scale_collapse"` selects one claim."""

import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
logging.getLogger("tensorflow").setLevel(logging.ERROR)

import pytest  # noqa: E402

from reproductions import registry  # noqa: E402


def claim_marker(claim_id: str) -> str:
    return claim_id.replace("-", "_")


def pytest_configure(config):
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


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh SQLite MLflow store in a temporary working directory."""
    from mlflow_tracking import Store

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return Store(f"sqlite:///{tmp_path / 'mlflow.db'}")
