"""The runner: drives claims through plan → executor → recorder, and returns each claim's verdict.

- `benchmarks.plan` says which runs a claim needs at a profile (tuning, then the judged runs and placebos)
  and the identity of each;
- an executor (`benchmarks.executors`: in this process, or as Ray tasks on every core or every machine) trains
  them and hands back results;
- `benchmarks.recorder` is the only writer of the store: it claims each run before it is handed out, logs
  what comes back, and judges from the runs read back.

Several claims may be in flight at once when the executor has room: a claim that tunes waits for its tuning
runs, then submits its judged runs; independent claims run side by side. With the local executor (one run
at a time) claims run one after another, as they always did.

Resume: an execution is keyed by (claim code, profile, backend, variant). Running the same selection again
reopens that execution, marks any child left RUNNING by a dead process as KILLED, and runs only the runs
without a FINISHED child carrying the same run key. `force` starts a new execution. Ctrl-C marks what is in
flight KILLED (cancelling it on Ray) and leaves nothing RUNNING.
"""

from __future__ import annotations

import collections
import dataclasses
import io
import signal
import threading
import time
from collections.abc import Callable

import keras

from benchmarks import judge as judging
from benchmarks.executors import LocalExecutor
from benchmarks.identity import PRECISIONS, Outcome, Variant, claim_code_hash
from benchmarks.plan import ClaimPlan, PlannedRun, current_variant, planned_runs
from benchmarks.progress import Progress
from benchmarks.recorder import Recorder
from mlflow_tracking import runs
from mlflow_tracking.store import Store
from reproductions.claim import Claim
from reproductions.common.data import DataError

WAIT_SECONDS = 2.0  # how often to look again at runs another process is doing



class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run: what finished is kept, the runs in flight are marked KILLED."""


@dataclasses.dataclass
class ExecutionSummary:
    claim_id: str
    parent_run_id: str
    ran: int = 0
    reused: int = 0
    failed: int = 0
    abandoned: int = 0
    seconds: float = 0.0
    verdict: judging.ClaimVerdict | None = None
    tuning: dict = dataclasses.field(default_factory=dict)  # arm -> TuningChoice


class SigintWatch:
    """Notes a Ctrl-C (SIGINT) while a claim runs, then lets the handler in place act on it (by default: raise
    KeyboardInterrupt). A library may catch that KeyboardInterrupt inside a run and raise an ordinary error in its
    place (TensorFlow, when the signal lands in Python code that its C++ called); the runner then asks `seen` and
    stops as for Ctrl-C, instead of recording a failed run and going on. Only in the main thread, where Python
    delivers signals; elsewhere it watches nothing."""

    def __init__(self):
        self.seen = False
        self._previous = None

    def _handle(self, signum, frame):
        self.seen = True
        previous = self._previous
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            raise KeyboardInterrupt

    def __enter__(self) -> SigintWatch:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if previous not in (signal.SIG_IGN, None):  # ignored (a background job): stays ignored
                self._previous = previous
                signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


@dataclasses.dataclass
class _Job:
    """One claim's execution in flight: its plan, its recorder, and where its runs stand."""

    claim: Claim
    plan: ClaimPlan
    recorder: Recorder
    summary: ExecutionSummary
    started: float
    stage: str = "tuning"  # then "judged"
    offset: int = 0  # runs of earlier stages, for the [i/n] counts
    ready: collections.deque = dataclasses.field(default_factory=collections.deque)
    deferred: list = dataclasses.field(default_factory=list)  # being done by another process: look again later
    next_look: float = 0.0
    waited: set = dataclasses.field(default_factory=set)
    in_flight: int = 0
    labels: dict = dataclasses.field(default_factory=dict)
    extra: int = 0  # tuning runs past a grid's edge (Tuning.extend_edges), beyond the plan's count
    extended: set = dataclasses.field(default_factory=set)  # (arm, value) past a grid's edge, asked for

    def load(self, planned: list[PlannedRun]) -> None:
        total = self.plan.total + self.extra
        self.labels.update({run.key: f"[{self.offset + i + 1}/{total}] {self.claim.id} · {run.name}"
                            for i, run in enumerate(planned)})
        self.ready.extend(planned)

    def idle(self) -> bool:
        return not self.ready and not self.deferred and not self.in_flight


class _Driver:
    """Feeds the executor from the claims' plans, as far as it has room, and records what comes back."""

    def __init__(self, claims, profile, store, seeds_of, executor, *, force, data_dir, progress, tracker, precision,
                 step_cap, stream, on_done, on_open):
        self.pending = collections.deque(claims)
        self.profile, self.store, self.seeds_of, self.executor = profile, store, seeds_of, executor
        self.force, self.data_dir, self.progress, self.tracker = force, data_dir, progress, tracker
        self.precision, self.step_cap, self.stream, self.on_done = precision, step_cap, stream, on_done
        self.on_open = on_open
        self.backend = keras.backend.backend()
        self.environment = executor.environment(self.backend)
        self.jobs: list[_Job] = []
        self.in_flight: dict = {}  # handle -> (job, run, child run id)
        self.results: dict = {}
        self.windows: list = []  # (node, started, ended, run id, job): who shared a machine with whom
        self.overlaps: collections.Counter = collections.Counter()
        self.judged: list[_Job] = []  # judged, not yet announced

    # ------------------------------------------------------------------------------------------ the loop

    def run(self) -> dict:
        with runs.Heartbeat(self.store) as heartbeat, SigintWatch() as sigint:
            self.heartbeat, self.sigint = heartbeat, sigint
            try:
                while self.pending or self.jobs:
                    for job in list(self.jobs):
                        if job.idle():
                            self._guarded(job, self._advance)
                    self._announce()
                    while self.pending and self.executor.slots() > len(self.in_flight) + self._ready():
                        self._open(self.pending.popleft())
                    self._dispatch()
                    if self.in_flight or any(job.deferred for job in self.jobs):
                        self._collect(self.executor.wait(WAIT_SECONDS if not self.in_flight else 1.0))
            except KeyboardInterrupt:
                self._stop_all("KILLED", "interrupted")
                where = "; ".join(f"{job.claim.id} at {run.name}" for job, run, _ in self.in_flight.values()) or \
                    ", ".join(job.claim.id for job in self.jobs) or "the end"
                ran = sum(job.summary.ran for job in self.jobs)
                kept = sum(job.summary.reused for job in self.jobs)
                raise Interrupted(f"{where} ({ran} runs finished this time, {kept} kept from before)") from None
            except DataError as error:
                self._stop_all("KILLED", f"stopped: data error ({error})")
                raise
        return self.results

    def _ready(self) -> int:
        return sum(len(job.ready) for job in self.jobs)

    def _guarded(self, job: _Job, step, *args) -> None:
        """A step of one claim; if the runner itself breaks on it (e.g. the store went away), that claim stops
        FAILED (leaving nothing RUNNING) and the others go on."""
        try:
            step(job, *args)
        except (KeyboardInterrupt, DataError):
            raise
        except Exception as error:
            self._fail(job, error)

    def _open(self, claim: Claim) -> None:
        self.on_open(claim)
        try:
            variant = current_variant(claim, self.profile, self.precision, self.step_cap, self.data_dir, self.stream,
                                      self.environment["key"])
            plan = ClaimPlan(claim, self.profile, self.seeds_of(claim), self.backend, variant, claim_code_hash(claim),
                             self.data_dir, getattr(self.executor, "threads", None))
            recorder = Recorder(self.store, plan, self.environment, self.executor.name)
            abandoned = recorder.open(self.force)
        except (KeyboardInterrupt, DataError):
            raise
        except Exception as error:
            self.results[claim.id] = error
            self.tracker.skip_rest_of_claim(claim.id)
            self.on_done(claim, None, error)
            return
        self.heartbeat.watch(recorder.parent)
        job = _Job(claim, plan, recorder, ExecutionSummary(claim.id, recorder.parent, abandoned=abandoned),
                   time.monotonic())
        self.jobs.append(job)
        self.tracker.start_claim(claim.id)
        tuning = plan.tuning()
        if tuning:
            job.load(tuning)
        else:
            self._guarded(job, self._advance)
            self._announce()

    def _announce(self) -> None:
        """Tell the caller about each claim judged (outside the claim's guard: a caller's error is not the claim's)."""
        while self.judged:
            job = self.judged.pop(0)
            self.on_done(job.claim, job.summary, None)

    def _advance(self, job: _Job) -> None:
        """A stage is done: after tuning, submit the judged runs with the values chosen; after those, judge."""
        if job.stage == "tuning":
            tuned = None
            if job.claim.tuning:
                job.summary.tuning = job.recorder.tuning()
                # a best value on the grid's edge: the grid grows past it first (Tuning.extend_edges). Values asked
                # for before are not asked again (a failed run stays failed); values past the edge found in the store
                # (an execution resumed) are handed out too, to be kept and counted as kept
                # (`extended` holds the pending value too: it joined the grid before it ran)
                pending = {arm: tuple(v for v in c.extended if (arm, v) not in job.extended)
                           for arm, c in job.summary.tuning.items()}
                pending = {arm: values for arm, values in pending.items() if values}
                if pending:
                    extension = job.plan.tuning(pending)
                    for arm, values in pending.items():
                        self.progress(f"{job.claim.id} · {arm}: best {job.claim.tuning.param} on the grid's edge, "
                                      f"the grid extended to {', '.join(f'{v:g}' for v in values)}")
                    job.extended |= {(arm, v) for arm, values in pending.items() for v in values}
                    job.offset, job.extra = len(job.labels), job.extra + len(extension)
                    self.tracker.add_planned(len(extension), job.claim.id)
                    job.load(extension)
                    return
                tuned = {arm: c.value for arm, c in job.summary.tuning.items() if c.value is not None}
                for arm, choice in job.summary.tuning.items():
                    edge = " (on the grid's edge)" if choice.on_edge else ""
                    grown = f" (the grid extended to {', '.join(f'{v:g}' for v in choice.extended)})" \
                        if choice.extended else ""
                    self.progress(f"tuned {arm}: {job.claim.tuning.param} = {choice.value!r}{edge}{grown}")
            job.stage, job.offset = "judged", len(job.labels)
            job.load(job.plan.judged(tuned))
            if not job.idle():
                return
        job.summary.verdict = job.recorder.judge()
        job.summary.seconds = time.monotonic() - job.started
        self._done(job)
        self.results[job.claim.id] = job.summary
        self.judged.append(job)

    def _done(self, job: _Job) -> None:
        self.heartbeat.forget(job.recorder.parent)
        self.jobs.remove(job)

    def _dispatch(self) -> None:
        """Hand out ready runs, earliest claim first, while the executor has room; each run is claimed in the
        store first (kept if it finished before, left to another live process that is doing it)."""
        now = time.monotonic()
        for job in list(self.jobs):
            if job.deferred and now >= job.next_look:
                job.ready.extendleft(reversed(job.deferred))
                job.deferred = []
            while job.ready and len(self.in_flight) < self.executor.slots() and job in self.jobs:
                self._guarded(job, self._hand_out, job.ready.popleft())

    def _hand_out(self, job: _Job, run: PlannedRun) -> None:
        label = job.labels[run.key]
        claimed = job.recorder.claim(run)
        if claimed.finished is not None:
            job.summary.reused += 1
            self.tracker.run_finished(None, job.claim.id)
            self.progress(f"{label}: " + ("finished by another process, kept" if run.key in job.waited
                                          else "finished earlier, kept"))
            return
        if claimed.holder is not None:
            job.deferred.append(run)
            job.next_look = time.monotonic() + WAIT_SECONDS
            if run.key not in job.waited:
                job.waited.add(run.key)
                holder = claimed.holder.tags
                self.progress(f"{label}: in progress in another process (pid {holder.get('owner.pid', '?')} "
                              f"on {holder.get('owner.host', '?').split('/')[0]}), waiting for it")
            return
        self.heartbeat.watch(claimed.run_id)
        handle = self.executor.submit(job.claim, job.plan.spec(run))
        self.in_flight[handle] = (job, run, claimed.run_id)
        job.in_flight += 1
        self.tracker.run_started(f"{job.claim.id} · {run.name}")

    def _collect(self, finished: list) -> None:
        for handle, outcome in finished:
            if handle not in self.in_flight:
                continue  # its claim stopped meanwhile
            job, run, run_id = self.in_flight.pop(handle)
            job.in_flight -= 1
            self.heartbeat.forget(run_id)
            if outcome.status == "data":  # the data are missing for every arm alike: stop
                self._record_data_error(job, run_id, outcome)
                raise DataError(outcome.error)
            if outcome.status != "finished" and self.sigint.seen:  # a Ctrl-C a library turned into an error
                self.in_flight[handle] = (job, run, run_id)
                raise KeyboardInterrupt
            # the freed slot gets its next run before this one is written to the store (about 0.4 s a run): the
            # store's writes then overlap the next run's training instead of leaving its slot idle
            self._dispatch()
            self._guarded(job, self._record, run, run_id, outcome)

    def _record(self, job: _Job, run: PlannedRun, run_id: str, outcome: Outcome) -> None:
        label = job.labels[run.key]
        job.recorder.record(run_id, outcome)
        where = f" on {outcome.worker['host']}" if self.executor.shares_machine and outcome.worker.get("host") else ""
        if outcome.status == "finished":
            job.summary.ran += 1
            self.tracker.run_finished(outcome.seconds, job.claim.id)
            self.progress(f"{label}: {outcome.seconds:.1f}s{where}" + (f" ({outcome.notes})" if outcome.notes else ""))
            if self.executor.shares_machine:
                self._note_sharing(job, run_id, outcome)
        else:
            job.summary.failed += 1
            self.tracker.run_finished(outcome.seconds, job.claim.id)
            first_line = (outcome.error.strip().splitlines() or [""])[0]
            self.progress(f"{label}: {'REFUSED' if outcome.status == 'refused' else 'FAILED'}{where} ({first_line})")

    def _note_sharing(self, job: _Job, run_id: str, outcome: Outcome) -> None:
        """Tag both runs of every pair that ran at the same time on one machine: their wall-clock metrics (run and
        train seconds, images per second) measure a shared machine, and are flagged, not compared."""
        node = outcome.worker.get("host")  # the machine (simulated Ray nodes on one host share it too)
        started, ended = outcome.worker.get("started"), outcome.worker.get("ended")
        if started is None or ended is None:
            return
        for other_node, other_start, other_end, other_id, other_job in self.windows:
            if other_node == node and other_start < ended and started < other_end:
                self.overlaps[run_id] += 1
                self.overlaps[other_id] += 1
                other_job.recorder.shared(other_id, self.overlaps[other_id])
        if self.overlaps[run_id]:
            job.recorder.shared(run_id, self.overlaps[run_id])
        self.windows.append((node, started, ended, run_id, job))

    def _record_data_error(self, job: _Job, run_id: str, outcome: Outcome) -> None:
        self.tracker.skip_rest_of_claim(job.claim.id)
        job.recorder.record(run_id, outcome)
        job.recorder.stop("FAILED", "data error", outcome.error)
        self._done(job)

    def _fail(self, job: _Job, error: Exception) -> None:
        """The runner broke on this claim: its runs in flight and its execution end FAILED; the others go on."""
        mine = [h for h, (j, _, _) in self.in_flight.items() if j is job]
        try:
            for handle in mine:
                runs.finish(self.store, self.in_flight[handle][2], "FAILED")
            job.recorder.stop("FAILED", f"runner error: {type(error).__name__}", f"{type(error).__name__}: {error}")
        except Exception:  # noqa: S110 (the store may be what failed; the original error is reported)
            pass
        for handle in mine:
            del self.in_flight[handle]
        if job in self.jobs:
            self._done(job)
        self.tracker.skip_rest_of_claim(job.claim.id)
        self.results[job.claim.id] = error
        self.on_done(job.claim, None, error)

    def _stop_all(self, status: str, note: str) -> None:
        """Ctrl-C or missing data: cancel what is in flight, and leave no run or execution RUNNING."""
        self.executor.cancel()
        for job, _, run_id in self.in_flight.values():
            try:
                job.recorder.kill(run_id)
            except Exception:  # noqa: S110 (keep stopping the others)
                pass
        for job in self.jobs:
            try:
                job.recorder.stop(status, note)
            except Exception:  # noqa: S110
                pass


def run_claims(claims: list[Claim], profile: str, store: Store, *, seeds: int | None = None, executor=None,
               force: bool = False, data_dir: str | None = None, progress: Callable[[str], None] = print,
               tracker: Progress | None = None, precision: str = "float32", step_cap: int | None = None,
               stream: str = "discovery", on_done: Callable | None = None,
               on_open: Callable | None = None) -> dict:
    """Plan, run (or keep) and judge the claims at one profile, on `executor` (default: in this process, one run
    at a time). Returns {claim id: ExecutionSummary, or the exception that stopped that claim}; `on_done(claim,
    summary, error)` is called as each claim ends. Raises Interrupted on Ctrl-C and DataError when data are
    missing (what finished is kept either way). `seeds`: per arm, else each claim's budget at the profile."""
    if seeds is not None and seeds < 1:
        raise ValueError("seeds must be >= 1")
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    Variant(precision, step_cap, stream=stream)  # checks the rest before anything is written
    claims = list(claims)
    seeds_of = (lambda claim: seeds or claim.budgets[profile].seeds)
    if tracker is None:  # a tracker nobody reads, so the events need no checks
        tracker = Progress({c.id: planned_runs(c, profile, seeds_of(c)) for c in claims}, stream=io.StringIO(),
                           live=False)
    own = executor is None
    executor = executor or LocalExecutor()
    try:
        return _Driver(claims, profile, store, seeds_of, executor, force=force, data_dir=data_dir, progress=progress,
                       tracker=tracker, precision=precision, step_cap=step_cap, stream=stream,
                       on_done=on_done or (lambda *_: None), on_open=on_open or (lambda _: None)).run()
    finally:
        if own:
            executor.close()


def run_claim(claim: Claim, profile: str, seeds: int, store: Store, *, force: bool = False,
              data_dir: str | None = None, progress: Callable[[str], None] = print,
              tracker: Progress | None = None, precision: str = "float32",
              step_cap: int | None = None, stream: str = "discovery", executor=None) -> ExecutionSummary:
    """One claim (see run_claims); a runner error on it is raised."""
    if seeds < 1:
        raise ValueError("seeds must be >= 1")
    result = run_claims([claim], profile, store, seeds=seeds, executor=executor, force=force, data_dir=data_dir,
                        progress=progress, tracker=tracker, precision=precision, step_cap=step_cap,
                        stream=stream)[claim.id]
    if isinstance(result, Exception):
        raise result
    return result
