"""The run hierarchy: a parent run per claim execution, a child run per arm × seed.

Parent ("execution") runs carry the verdict and summary; child ("arm-run") runs carry the resolved
config as params, metrics (scalars at step 0, series at their own steps: layer, epoch, step) and the
provenance tags. Everything here speaks plain Python types, so callers never touch MLflow objects.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from typing import Any

from mlflow.entities import Metric, Param, RunStatus, RunTag

from mlflow_tracking.store import Store

KIND_EXECUTION = "execution"
KIND_ARM_RUN = "arm-run"
PARENT_TAG = "mlflow.parentRunId"
MAX_BATCH = 900  # MLflow accepts at most 1000 metrics per log_batch


@dataclasses.dataclass(frozen=True)
class StoredRun:
    """One run as read back: ids, status, tags, params and final metric values."""

    run_id: str
    name: str
    status: str
    start_time: int
    tags: Mapping[str, str]
    params: Mapping[str, str]
    metrics: Mapping[str, float]


def _stored(run) -> StoredRun:
    return StoredRun(run_id=run.info.run_id, name=run.info.run_name or "", status=run.info.status,
                     start_time=run.info.start_time or 0, tags=dict(run.data.tags),
                     params=dict(run.data.params), metrics=dict(run.data.metrics))


def _now_ms() -> int:
    return int(time.time() * 1000)


def _search(store: Store, experiment_id: str, filter_string: str, order_by=None) -> list[StoredRun]:
    runs, token = [], None
    while True:
        page = store.client.search_runs([experiment_id], filter_string=filter_string, max_results=1000,
                                        order_by=order_by, page_token=token)
        runs.extend(_stored(run) for run in page)
        token = page.token
        if not token:
            return runs


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "\\'") + "'"


def find_execution(store: Store, experiment_id: str, execution_key: str) -> StoredRun | None:
    """The newest execution with this key (same claim code, profile and backend), if any."""
    runs = _search(store, experiment_id,
                   f"tags.kind = '{KIND_EXECUTION}' and tags.execution_key = {_quote(execution_key)}",
                   order_by=["attributes.start_time DESC"])
    return runs[0] if runs else None


def start_execution(store: Store, experiment_id: str, name: str, tags: Mapping[str, str],
                    params: Mapping[str, Any]) -> str:
    run = store.client.create_run(experiment_id, run_name=name, tags={**tags, "kind": KIND_EXECUTION})
    log(store, run.info.run_id, params=params)
    return run.info.run_id


def reopen(store: Store, run_id: str) -> None:
    store.client.update_run(run_id, status="RUNNING")


def children(store: Store, experiment_id: str, parent_run_id: str) -> list[StoredRun]:
    return _search(store, experiment_id,
                   f"tags.`{PARENT_TAG}` = {_quote(parent_run_id)} and tags.kind = '{KIND_ARM_RUN}'",
                   order_by=["attributes.start_time ASC"])


def start_child(store: Store, experiment_id: str, parent_run_id: str, name: str, tags: Mapping[str, str],
                params: Mapping[str, Any]) -> str:
    run = store.client.create_run(experiment_id, run_name=name,
                                  tags={**tags, "kind": KIND_ARM_RUN, PARENT_TAG: parent_run_id})
    log(store, run.info.run_id, params=params)
    return run.info.run_id


def log(store: Store, run_id: str, *, params: Mapping[str, Any] | None = None,
        scalars: Mapping[str, float] | None = None, series: Mapping[str, Mapping[int, float]] | None = None,
        tags: Mapping[str, str] | None = None) -> None:
    """Log params, scalar metrics (step 0), series metrics (their steps) and tags in few batches.

    Non-finite values are logged as tags `nonfinite.<metric>` (NaN/inf from a diverged run must be
    seen, and MLflow's UI charts only finite values).
    """
    now = _now_ms()
    metrics, extra_tags = [], {}
    for key, value in (scalars or {}).items():
        if math.isfinite(value):
            metrics.append(Metric(key, float(value), now, 0))
        else:
            extra_tags[f"nonfinite.{key}"] = repr(float(value))
    for key, points in (series or {}).items():
        for step, value in points.items():
            if math.isfinite(value):
                metrics.append(Metric(key, float(value), now, int(step)))
            else:
                extra_tags[f"nonfinite.{key}"] = f"{value!r} at step {step}"
    param_list = [Param(k, str(v)) for k, v in (params or {}).items()]
    tag_list = [RunTag(k, str(v)) for k, v in {**(tags or {}), **extra_tags}.items()]
    first = True
    while first or metrics:
        batch, metrics = metrics[:MAX_BATCH], metrics[MAX_BATCH:]
        store.client.log_batch(run_id, metrics=batch, params=param_list if first else (),
                               tags=tag_list if first else ())
        first = False


def finish(store: Store, run_id: str, status: str = "FINISHED") -> None:
    if status not in ("FINISHED", "FAILED", "KILLED"):
        raise ValueError(status)
    store.client.set_terminated(run_id, status=status)


def mark_abandoned(store: Store, runs: list[StoredRun]) -> list[str]:
    """Runs left RUNNING by a process that died are marked KILLED; returns their ids."""
    abandoned = [run.run_id for run in runs if run.status in ("RUNNING", "SCHEDULED")]
    for run_id in abandoned:
        store.client.set_tag(run_id, "abandoned", "true")
        store.client.set_terminated(run_id, status=RunStatus.to_string(RunStatus.KILLED))
    return abandoned


def series(store: Store, run_id: str, key: str) -> dict[int, float]:
    """A metric's history as {step: value} (the last value logged at each step)."""
    return {m.step: m.value for m in sorted(store.client.get_metric_history(run_id, key),
                                            key=lambda m: (m.step, m.timestamp))}


def log_artifact(store: Store, run_id: str, path: str, artifact_path: str | None = None) -> None:
    store.client.log_artifact(run_id, path, artifact_path)


def executions(store: Store, experiment_id: str) -> list[StoredRun]:
    """Every execution of a claim, newest first."""
    return _search(store, experiment_id, f"tags.kind = '{KIND_EXECUTION}'", order_by=["attributes.start_time DESC"])
