"""Executors: where and how a claim's runs execute. They train and hand back results; they never touch the
store (the recorder, in the driver, writes everything, once).

- `LocalExecutor` (`--executor local`, the default): each run in this process, one at a time, as planned.
- `RayExecutor` (`--executor ray`, the `.[ray]` extra, imported only when chosen): each run is a Ray task on
  a local Ray started for `--jobs N` (N runs at a time, each with cores/N threads) or on a cluster
  (`--address`), with CPUs and GPUs (`--gpus-per-run`, fractions allowed) requested per run. A worker that
  dies, or a node that goes away, has its run retried by Ray (`retries`, bounded); a run that fails for good
  comes back as a failure. A worker whose code or numeric environment differs from the driver's refuses
  to run.

This module imports nothing heavy at the top: a Ray worker unpickles a `RunSpec` before it has set the
threads and backend that the run's numbers depend on, so Keras must not be imported on the way.
"""

from __future__ import annotations

import collections
import os
import socket
import sys
import time
import traceback as tb

from benchmarks import numerics
from benchmarks.identity import Outcome, RunSpec, claim_code_hash

RETRIES = 2  # how often Ray runs a task again after its worker or node died


class ExecutorError(Exception):
    """An executor cannot be set up as asked (Ray missing, no such cluster, no GPU): one line for the user."""


def _worker() -> dict:
    return {"host": socket.gethostname(), "pid": os.getpid(), "node": socket.gethostname()}


PAUSE_ENV = "REPROBENCH_TEST_PAUSE"  # fault injection for the reliability tests only (see pause_point)


def pause_point(spec: RunSpec, environ=os.environ) -> None:
    """Fault injection for the reliability tests, never set otherwise. With REPROBENCH_TEST_PAUSE=DIR:K, the K-th
    run to start here and every later one (counted by the marks in DIR, from 0) write DIR/started-<n> (holding
    their pid and run name) and wait while DIR/hold exists: a signal the test sends then lands in the middle of a
    run, with no race. A run started again after its worker died (a Ray retry) finds its mark, writes
    DIR/started-<n>.again and goes on without waiting: the test can see that the retry happened."""
    setting = environ.get(PAUSE_ENV)
    if not setting:
        return
    from pathlib import Path

    directory, _, first = setting.rpartition(":")
    directory = Path(directory)
    name = f"{spec.claim_id} · {spec.name} · {spec.stage} · {spec.seed}"
    for mark in directory.glob("started-*"):
        if not mark.name.endswith(".again") and mark.read_text().split("\n", 1)[-1] == name:
            Path(f"{mark}.again").write_text(f"{os.getpid()}\n{name}")
            return
    count = 0
    while True:  # the next free number, taken exclusively (two workers may start at once)
        try:
            with open(directory / f"started-{count}", "x") as mark:
                mark.write(f"{os.getpid()}\n{name}")
            break
        except FileExistsError:
            count += 1
    if count >= int(first or 0):
        while (directory / "hold").exists():
            time.sleep(0.02)


def train(claim, spec: RunSpec) -> Outcome:
    """The one place a run trains: seeded, in the spec's precision; a failure comes back as an Outcome
    (a Ctrl-C is not a failure: it propagates)."""
    pause_point(spec)
    import keras

    from reproductions.claim import RunContext
    from reproductions.common.data import DataError
    from reproductions.common.seeding import seed_everything

    worker = {**_worker(), "started": time.time()}
    t0 = time.monotonic()
    try:
        seed_everything(spec.seed)
        keras.config.set_dtype_policy(spec.precision)
        try:
            result = claim.run(spec.config, spec.seed, RunContext(data_dir=spec.data_dir, profile=spec.profile,
                                                                  step_cap=spec.step_cap, stage=spec.stage))
        finally:
            keras.config.set_dtype_policy("float32")
    except DataError as error:
        return Outcome("data", error=str(error), seconds=time.monotonic() - t0, worker={**worker, "ended": time.time()})
    except Exception as error:
        return Outcome("failed", error=f"{type(error).__name__}: {error}"[:4000], traceback=tb.format_exc()[-4000:],
                       seconds=time.monotonic() - t0, worker={**worker, "ended": time.time()})
    return Outcome("finished", scalars={k: float(v) for k, v in result.scalars.items()},
                   series={k: {int(s): float(v) for s, v in points.items()} for k, points in result.series.items()},
                   notes=result.notes, seconds=time.monotonic() - t0, worker={**worker, "ended": time.time()})


class LocalExecutor:
    """Runs in this process, one at a time, in the order submitted: today's behaviour, and the default."""

    name = "local"
    shares_machine = False  # one run at a time: its wall clock is its own (as far as this process knows)

    def __init__(self):
        self._queue: collections.deque = collections.deque()

    def environment(self, backend: str) -> dict:
        """Where the runs execute: the numeric key that goes into run keys, what is in force, provenance."""
        from mlflow_tracking import provenance

        described = numerics.describe(backend)
        return {"key": numerics.key(described, provenance.device(backend)), "described": described,
                "provenance": provenance.tags(backend)}

    def slots(self) -> int:
        return 1

    def submit(self, claim, spec: RunSpec):
        handle = object()
        self._queue.append((handle, claim, spec))
        return handle

    def wait(self, timeout: float | None) -> list:
        """Runs the next submitted run here and returns [(handle, outcome)]; with none, waits `timeout`."""
        if not self._queue:
            time.sleep(timeout or 0)
            return []
        handle, claim, spec = self._queue.popleft()
        return [(handle, train(claim, spec))]

    def cancel(self) -> None:
        self._queue.clear()

    def close(self) -> None:
        self.cancel()


# ---------------------------------------------------------------------------------------------- on a Ray worker

def _prepare_worker(backend: str, threads: int | None, gpus: float) -> None:
    """Before the backend is imported in this worker: its threads (as the run key assumes), its backend, and
    GPU memory shared fairly when a GPU holds several runs (JAX allocates on demand, TensorFlow grows)."""
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = backend
        numerics.configure(threads)
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        if gpus:
            os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
            if gpus < 1:
                os.environ["XLA_PYTHON_CLIENT_MEM_FRACTION"] = f"{max(0.05, 0.9 * gpus):.2f}"
            os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
    import keras

    if keras.backend.backend() != backend:
        raise ExecutorError(f"this worker runs Keras on {keras.backend.backend()}, the driver on {backend}")


def _where(ray) -> dict:
    context = ray.get_runtime_context()
    return {**_worker(), "node": context.get_node_id()}


def probe_worker(backend: str, threads: int | None, gpus: float) -> dict:
    """A worker's environment, as a Ray task with a run's resources: what the runs' keys will say."""
    import ray

    from mlflow_tracking import provenance

    _prepare_worker(backend, threads, gpus)
    described = numerics.describe(backend)
    return {"key": numerics.key(described, provenance.device(backend)), "described": described,
            "provenance": provenance.tags(backend), "worker": _where(ray)}


def run_on_worker(spec: RunSpec, gpus: float, versions: dict) -> Outcome:
    """A Ray task: refuse if this worker's install or environment differs from the driver's, else train."""
    import ray

    where = _where(ray)
    try:
        _prepare_worker(spec.backend, spec.threads, gpus)
        from mlflow_tracking import provenance
        from reproductions import registry

        mine = provenance.tags(spec.backend)
        differ = [f"{name} {mine.get(name)} here, {value} on the driver" for name, value in versions.items()
                  if mine.get(name) != value]
        claim = registry().get(spec.claim_id)
        if claim is None:
            differ.append(f"no claim {spec.claim_id!r} in this install")
        elif claim_code_hash(claim) != spec.code_hash:
            differ.append(f"the claim's code hashes to {claim_code_hash(claim)} here, {spec.code_hash} on the driver")
        environment = numerics.key(numerics.describe(spec.backend), provenance.device(spec.backend))
        if environment != spec.environment:
            changed = sorted(k for k in set(environment) | set(spec.environment)
                             if environment.get(k) != spec.environment.get(k))
            differ.append("numeric environment differs (" + ", ".join(
                f"{k}: {environment.get(k)} here, {spec.environment.get(k)} expected" for k in changed) + ")")
        if differ:
            return Outcome("refused", error=f"stale or different worker on {where['host']}: " + "; ".join(differ),
                           worker=where)
    except ExecutorError as error:
        return Outcome("refused", error=str(error), worker=where)
    outcome = train(claim, spec)
    outcome.worker.update(node=where["node"])
    return outcome


def _reachable(address: str, seconds: float = 5.0) -> None:
    """Fail fast on a HOST:PORT where nothing listens (ray.init would wait for it for minutes)."""
    if address == "auto":
        return
    target = address.split("://", 1)[-1]
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ExecutorError(f"--address must be auto or HOST:PORT, got {address!r}")
    try:
        socket.create_connection((host, int(port)), timeout=seconds).close()
    except OSError as error:
        raise ExecutorError(f"cannot join the Ray cluster at {address}: nothing answers there ({error.strerror or error}); "
                            "start one with `ray start --head`") from None


class RayExecutor:
    """Runs as Ray tasks: on a Ray started here for `jobs` runs at a time, or on the cluster at `address`."""

    name = "ray"
    shares_machine = True

    def __init__(self, *, jobs: int | None = None, address: str | None = None, threads: int | None = None,
                 gpus_per_run: float = 0.0, retries: int = RETRIES, backend: str | None = None):
        try:
            import ray
        except ImportError:
            raise ExecutorError("--executor ray needs Ray: pip install 'reprobench[ray]' (or pip install 'ray>=2.50,<3')"
                                ) from None
        import logging

        self._ray = ray
        self.gpus = float(gpus_per_run or 0.0)
        self.retries = retries
        if address is None:
            self.jobs = jobs or 1
            self.threads = threads or max(1, numerics.usable_cores() // self.jobs)
            self.where = f"a local Ray, {self.jobs} runs at a time, {self.threads} thread(s) each"
            # address "local": a Ray of our own even when another one (a `ray start` cluster) runs on this machine,
            # which a plain ray.init() would join (and then refuse num_cpus)
            ray.init(address="local", num_cpus=self.jobs * self.threads, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING, configure_logging=True)
        else:
            self.jobs = None
            self.threads = threads or 1
            _reachable(address)
            try:
                ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
            except (ConnectionError, RuntimeError, ValueError) as error:
                first = (str(error).strip().splitlines() or [""])[0]
                raise ExecutorError(f"cannot join the Ray cluster at {address}: {first}") from None
            self.where = f"the Ray cluster at {address}, {self.threads} thread(s) per run"
        resources = ray.cluster_resources()
        if resources.get("CPU", 0) < self.threads:
            self.close()
            raise ExecutorError(f"no Ray node offers {self.threads} CPUs for one run (the cluster has "
                                f"{resources.get('CPU', 0):g})")
        if self.gpus and resources.get("GPU", 0) < self.gpus:
            self.close()
            raise ExecutorError(f"--gpus-per-run {self.gpus:g}: the Ray cluster has {resources.get('GPU', 0):g} GPU(s)")
        # the thread settings go into each worker's environment when Ray starts it, before anything is imported:
        # Ray imports NumPy in every worker, and OpenBLAS reads its thread count (OMP_NUM_THREADS) only then;
        # measured: left to Ray's own default, 70 of 474 quick runs differed in float64 metrics by ~1e-12
        environment = dict(os.environ)
        numerics.configure(self.threads, environment)
        env_vars = {name: environment[name] for name in (*numerics.THREAD_ENVS, numerics.ONEDNN_ENV,
                                                         numerics.THREADS_ENV, numerics.SET_BY_PROJECT_ENV,
                                                         numerics.CPU_ISA_ENV, *numerics.KEYED_ENVS, PAUSE_ENV)
                    if name in environment}
        options = {"num_cpus": self.threads, "num_gpus": self.gpus, "max_retries": retries, "retry_exceptions": False,
                   "runtime_env": {"env_vars": env_vars}}
        self._run = ray.remote(run_on_worker).options(**options)
        self._probe = ray.remote(probe_worker).options(**options)
        self._in_flight: dict = {}
        self._slots, self._checked = 1, 0.0
        self._versions: dict = {}

    def environment(self, backend: str) -> dict:
        """The environment of a worker with a run's resources (a probe task): its numeric key goes into the run
        keys, and every later run's worker must match it (a cluster of unlike nodes is refused, not mixed)."""
        try:
            found = self._ray.get(self._probe.remote(backend, self.threads, self.gpus), timeout=600)
        except self._ray.exceptions.GetTimeoutError:
            raise ExecutorError("no Ray worker started within 600 s (are the nodes' resources free?)") from None
        except self._ray.exceptions.RayError as error:
            first = (str(error).strip().splitlines() or [""])[-1]
            raise ExecutorError(f"a Ray worker could not start a run: {first}") from None
        self._versions = {name: found["provenance"].get(name) for name in
                          ("keras_version", f"{backend}_version")}
        return found

    def slots(self) -> int:
        """Runs that fit at once in the cluster's resources (read again every few seconds: nodes come and go)."""
        now = time.monotonic()
        if now - self._checked > 5.0:
            self._checked = now
            resources = self._ray.cluster_resources()
            fit = int(resources.get("CPU", 0) // self.threads)
            if self.gpus:
                fit = min(fit, int(resources.get("GPU", 0) / self.gpus + 1e-9))
            self._slots = max(1, fit)
        return self._slots

    def submit(self, claim, spec: RunSpec):
        ref = self._run.remote(spec, self.gpus, self._versions)
        self._in_flight[ref] = spec
        return ref

    def wait(self, timeout: float | None) -> list:
        refs = list(self._in_flight)
        if not refs:
            time.sleep(timeout or 0)
            return []
        ready, _ = self._ray.wait(refs, num_returns=1, timeout=min(timeout or 1.0, 1.0))
        done = []
        for ref in ready:
            self._in_flight.pop(ref)
            try:
                outcome = self._ray.get(ref)
            except self._ray.exceptions.RayError as error:  # its workers died more often than retried, or it was cancelled
                lines = [line for line in str(error).strip().splitlines() if line.strip()]
                outcome = Outcome("failed", error=f"{type(error).__name__} (after {self.retries} retries): "
                                                  f"{lines[0] if lines else ''}"[:4000])
            done.append((ref, outcome))
        return done

    def cancel(self) -> None:
        for ref in list(self._in_flight):
            try:
                self._ray.cancel(ref, force=True)
            except Exception:  # noqa: S110 (already finished or gone: nothing to cancel)
                pass
        self._in_flight.clear()

    def close(self) -> None:
        self.cancel()
        self._ray.shutdown()
