"""The only package that imports mlflow: store set-up, run hierarchy, provenance, queries."""

from mlflow_tracking.store import Store, StoreError, default_uri

__all__ = ["Store", "StoreError", "default_uri"]
