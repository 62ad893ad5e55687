"""The only package that imports mlflow: store set-up, run hierarchy, provenance, queries.

`Store`, `StoreError` and `default_uri` are loaded on first use, so `mlflow_tracking.provenance` (which
a Ray worker reads to say what it runs on) can be imported without importing MLflow."""

import os

# no usage reports from MLflow, before it is imported anywhere (mlflow_tracking.store sets them too)
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

__all__ = ["Store", "StoreError", "default_uri"]


def __getattr__(name):
    if name in __all__:
        from mlflow_tracking import store

        return getattr(store, name)
    raise AttributeError(f"module 'mlflow_tracking' has no attribute {name!r}")
