"""The run hierarchy: a parent run per claim execution, a child run per arm × seed.

Parent ("execution") runs carry the verdict and summary; child ("arm-run") runs carry the resolved
config as params, metrics (scalars at step 0, series at their own steps: layer, epoch, step) and the
provenance tags. Everything here speaks plain Python types, so callers never touch MLflow objects.

Several processes may work on one store at once (one machine on a SQLite file, several through a
tracking server). Every run carries its owner (host, boot, pid and the process's start time) and a
heartbeat, so a run left RUNNING can be told apart from one still in progress elsewhere: on the same
host the owner process must be alive, elsewhere the heartbeat must be recent. Who does a run is
settled without locks, on any backend: each contender creates its run, then reads back every
contender for the same run key; the earliest live one goes on, the others withdraw (delete theirs).
"""

from __future__ import annotations

import dataclasses
import math
import os
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

from mlflow.entities import Metric, Param, RunStatus, RunTag

from mlflow_tracking.store import Store

KIND_EXECUTION = "execution"
KIND_ARM_RUN = "arm-run"
PARENT_TAG = "mlflow.parentRunId"
MAX_BATCH = 900  # MLflow accepts at most 1000 metrics per log_batch
HEARTBEAT_SECONDS = 30.0
STALE_SECONDS = 300.0  # a run on another host whose heartbeat is older than this is abandoned


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as handle:
            return handle.read().strip()[:8]
    except OSError:
        return "noboot"


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot (tells a live owner from a reused pid)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


HOST = f"{socket.gethostname()}/{_boot_id()}"


def owner_tags() -> dict[str, str]:
    """Who is doing a run: this process, on this host."""
    pid = os.getpid()
    return {"owner.host": HOST, "owner.pid": str(pid), "owner.start": _process_start(pid),
            "heartbeat": str(int(time.time()))}


def is_live(run: StoredRun, now: float | None = None) -> bool:
    """Is a RUNNING run still being worked on by its owner?"""
    if run.status not in ("RUNNING", "SCHEDULED"):
        return False
    tags = run.tags
    if "owner.pid" not in tags:
        return False  # written before owners were recorded: nobody can still be running it
    if tags.get("owner.host") == HOST:
        pid = int(tags["owner.pid"])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # alive, owned by another user
        start = tags.get("owner.start", "?")
        return start == "?" or _process_start(pid) in (start, "?")
    heartbeat = float(tags.get("heartbeat", "0") or 0)
    return (now or time.time()) - heartbeat < STALE_SECONDS


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


def _order(run: StoredRun) -> tuple[int, str]:
    return run.start_time, run.run_id


def canonical_execution(candidates: list[StoredRun]) -> StoredRun | None:
    """The execution that a run of this key resumes: the earliest since the newest forced one.

    `--force` starts a new generation; otherwise executions are only created when none exists, so
    several exist only when processes raced to create the first, and all then agree on the earliest.
    """
    if not candidates:
        return None
    forced = [run for run in candidates if run.tags.get("forced") == "true"]
    if forced:
        pivot = _order(max(forced, key=_order))
        candidates = [run for run in candidates if _order(run) >= pivot]
    return min(candidates, key=_order)


def find_execution(store: Store, experiment_id: str, execution_key: str) -> StoredRun | None:
    """The execution that a run with this key (same claim code, profile and backend) resumes, if any."""
    return canonical_execution(_search(
        store, experiment_id, f"tags.kind = '{KIND_EXECUTION}' and tags.execution_key = {_quote(execution_key)}"))


def open_execution(store: Store, experiment_id: str, execution_key: str, name: str, tags: Mapping[str, str],
                   params: Mapping[str, Any], force: bool = False) -> tuple[str, bool]:
    """Resume the execution of this key, or start one; returns (run id, resumed).

    Two processes starting the same selection at once both create one, read back, and keep the
    canonical (earliest) one; the other withdraws its own.
    """
    existing = None if force else find_execution(store, experiment_id, execution_key)
    if existing is not None:
        reopen(store, existing.run_id)
        return existing.run_id, True
    run = store.client.create_run(experiment_id, run_name=name, tags={
        **tags, "kind": KIND_EXECUTION, "execution_key": execution_key, "forced": str(force).lower(), **owner_tags()})
    run_id = run.info.run_id
    log(store, run_id, params=params)
    winner = find_execution(store, experiment_id, execution_key)
    if winner is not None and winner.run_id != run_id:
        store.client.delete_run(run_id)
        reopen(store, winner.run_id)
        return winner.run_id, True
    return run_id, False


def reopen(store: Store, run_id: str) -> None:
    store.client.update_run(run_id, status="RUNNING")
    store.client.log_batch(run_id, tags=[RunTag(k, v) for k, v in owner_tags().items()])


def children(store: Store, experiment_id: str, parent_run_id: str) -> list[StoredRun]:
    return _search(store, experiment_id,
                   f"tags.`{PARENT_TAG}` = {_quote(parent_run_id)} and tags.kind = '{KIND_ARM_RUN}'",
                   order_by=["attributes.start_time ASC"])


def start_child(store: Store, experiment_id: str, parent_run_id: str, name: str, tags: Mapping[str, str],
                params: Mapping[str, Any]) -> str:
    run = store.client.create_run(experiment_id, run_name=name,
                                  tags={**tags, "kind": KIND_ARM_RUN, PARENT_TAG: parent_run_id, **owner_tags()})
    log(store, run.info.run_id, params=params)
    return run.info.run_id


@dataclasses.dataclass(frozen=True)
class Claimed:
    """The outcome of asking for a run key: our run id, or who else has it."""

    run_id: str | None  # ours to do
    finished: StoredRun | None = None  # done already (by a process that finished meanwhile)
    holder: StoredRun | None = None  # in progress in another live process


def same_key(store: Store, experiment_id: str, parent_run_id: str, key: str) -> list[StoredRun]:
    return _search(store, experiment_id, f"tags.`{PARENT_TAG}` = {_quote(parent_run_id)} and "
                                         f"tags.kind = '{KIND_ARM_RUN}' and tags.run_key = {_quote(key)}")


def claim_child(store: Store, experiment_id: str, parent_run_id: str, name: str, tags: Mapping[str, str],
                params: Mapping[str, Any]) -> Claimed:
    """Start the child run for tags['run_key'] unless another process finished it or is doing it.

    Contenders create their runs, then read back; the earliest live contender keeps its run and the
    others delete theirs, so a run key is never done twice at once, whatever the backend.
    """
    key = tags["run_key"]
    before = same_key(store, experiment_id, parent_run_id, key)
    mark_abandoned(store, before)
    for run in before:
        if run.status == "FINISHED":
            return Claimed(None, finished=run)
    live = [run for run in before if is_live(run)]
    if live:
        return Claimed(None, holder=min(live, key=_order))
    run_id = start_child(store, experiment_id, parent_run_id, name, tags, params)
    contenders = same_key(store, experiment_id, parent_run_id, key)
    finished = [run for run in contenders if run.status == "FINISHED"]
    live = [run for run in contenders if run.run_id == run_id or is_live(run)]
    winner = min(live, key=_order)
    if finished or winner.run_id != run_id:
        store.client.delete_run(run_id)
        return Claimed(None, finished=finished[0] if finished else None, holder=None if finished else winner)
    return Claimed(run_id)


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
    """Runs left RUNNING by a process that died are marked KILLED; returns their ids.
    Runs still in progress in a live process (here or, by their heartbeat, elsewhere) are left alone."""
    now = time.time()
    abandoned = [run.run_id for run in runs if run.status in ("RUNNING", "SCHEDULED") and not is_live(run, now)]
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


class Heartbeat:
    """While open, refreshes the `heartbeat` tag of the given runs every HEARTBEAT_SECONDS, so other
    hosts can tell them from runs abandoned by a dead process."""

    def __init__(self, store: Store):
        self._store = store
        self._runs: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="reprobench-heartbeat", daemon=True)

    def watch(self, run_id: str) -> None:
        with self._lock:
            self._runs.add(run_id)

    def forget(self, run_id: str) -> None:
        with self._lock:
            self._runs.discard(run_id)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with self._lock:
                run_ids = list(self._runs)
            for run_id in run_ids:
                try:
                    self._store.client.set_tag(run_id, "heartbeat", str(int(time.time())))
                except Exception:  # a missed beat is harmless; the next one tries again
                    pass

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
