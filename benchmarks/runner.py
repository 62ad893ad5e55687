"""The runner: arms × seeds of one claim at one profile, each a child MLflow run under one execution.

Resume: an execution is keyed by (claim code, profile, backend). Running the same selection again
reopens that execution, marks any child left RUNNING by a dead process as KILLED, and runs only the
(arm, seed) pairs without a FINISHED child carrying the same run key (claim, arm, seed, profile,
backend and a hash of the resolved config and the claim's source). `force` starts a new execution.
The verdict is then judged from the runs read back from the store, never from memory.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import io
import json
import math
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import keras

from benchmarks import judge as judging
from benchmarks import numerics, plots
from benchmarks.evidence import results_of, tuning_choices
from benchmarks.progress import Progress
from benchmarks.seeds import STREAMS, derive_seed
from mlflow_tracking import provenance, runs
from mlflow_tracking.store import Store
import reproductions
from reproductions import module_of
from reproductions.claim import Claim, RunContext
from reproductions.common.data import DataError, resolve_dataset
from reproductions.common.seeding import seed_everything

WAIT_SECONDS = 2.0  # how often to look again at runs another process is doing
PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16"}  # --precision -> Keras dtype policy


@dataclasses.dataclass(frozen=True)
class Variant:
    """How an execution runs besides claim, profile and backend: the numeric precision (bfloat16 is
    Keras' mixed_bfloat16 policy: bf16 compute, float32 weights and logits), a cap on each run's
    training steps (the `full` shapes checked on a small machine: no verdict), the dataset that a
    `"dataset": "auto"` profile resolved to on this machine, and the numeric environment in force
    (benchmarks.numerics: oneDNN, threads, device). Part of every run key."""

    precision: str = "float32"
    step_cap: int | None = None
    dataset: str | None = None
    numerics: tuple[tuple[str, str], ...] = ()  # numerics.key(): kernels, threads, device, flags
    stream: str = "discovery"  # or "confirmation": `reprobench confirm`'s fresh seeds

    def __post_init__(self):
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}; choose one of {', '.join(PRECISIONS)}")
        if self.step_cap is not None and self.step_cap < 1:
            raise ValueError("the step cap must be at least 1")
        if self.stream not in STREAMS:
            raise ValueError(f"unknown seed stream {self.stream!r}; choose one of {', '.join(STREAMS)}")

    def key(self) -> dict:
        """What sets this variant apart from the default (nothing, for the default)."""
        key = {}
        if self.precision != "float32":
            key["precision"] = self.precision
        if self.step_cap is not None:
            key["step_cap"] = self.step_cap
        if self.numerics:
            key["numerics"] = dict(self.numerics)
        if self.stream != "discovery":
            key["stream"] = self.stream
        return key

    def label(self) -> str:
        """' · bfloat16 · cap 20 steps' (empty for the default), for execution names."""
        return "".join(f" · {part}" for part in (
            self.precision if self.precision != "float32" else "",
            f"cap {self.step_cap} steps" if self.step_cap else "",
            self.stream if self.stream != "discovery" else "") if part)

    def tags(self) -> dict[str, str]:
        tags = {"precision": self.precision, "stream": self.stream}
        if self.step_cap is not None:
            tags["step_cap"] = str(self.step_cap)
        if self.dataset is not None:
            tags["dataset"] = self.dataset
        return tags


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run: what finished is kept, the run in flight is marked KILLED."""


def _hash(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


def claim_code_hash(claim: Claim) -> str:
    """Changes when the claim's module, the other claim modules it imports (e.g. a lecture net defined
    in a sibling claim), or the shared building blocks it runs on (reproductions/common, the claim schema)
    change: the code that produces a result is part of its identity."""
    module = Path(module_of(claim.id))
    package = Path(reproductions.__file__).parent
    shared = sorted((package / "common").glob("*.py")) + [package / "claim.py"]
    digest = hashlib.sha256(module.read_bytes())
    for path in _imported_claim_modules(module, package):
        digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    for path in shared:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _imported_claim_modules(module: Path, package: Path) -> list[Path]:
    """The modules of reproductions/ outside common/ and claim.py that `module` imports, directly or through
    one another (read from the source, not imported), in a stable order."""
    found: dict[Path, None] = {}
    pending = [module]
    while pending:
        tree = ast.parse(pending.pop().read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] != package.name or len(parts) < 2 or parts[1] in ("common", "claim"):
                    continue
                path = package.joinpath(*parts[1:]).with_suffix(".py")
                if path.is_file() and path != module and path not in found:
                    found[path] = None
                    pending.append(path)
    return sorted(found)


def run_key(claim: Claim, arm: str, repeat: int, profile: str, backend: str, code_hash: str,
            config: dict | None = None, stage: str = "eval", variant: Variant = Variant()) -> str:
    """The identity of one run: a finished run with the same key is never repeated (unless forced)."""
    config = claim.resolve_config(arm, profile, dataset=variant.dataset) if config is None else config
    return _hash({"claim": claim.id, "arm": arm, "repeat": repeat,
                  "seed": derive_seed(claim.id, repeat, stage, variant.stream),
                  "stage": stage, "profile": profile, "backend": backend, "config": config, "code": code_hash,
                  **variant.key()})


@dataclasses.dataclass(frozen=True)
class PlannedRun:
    stage: str  # "tuning", "eval" or "placebo"
    arm: str
    repeat: int
    seed: int
    config: dict
    key: str
    grid_label: str = ""  # e.g. "learning_rate=0.02" for a tuning run

    @property
    def name(self) -> str:
        if self.stage == "tuning":
            return f"{self.arm} · tuning {self.grid_label} · seed {self.repeat}"
        if self.stage == "placebo":
            return f"{self.arm} · placebo · seed {self.repeat}"
        return f"{self.arm} · seed {self.repeat}"


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


def _plan(claim: Claim, profile: str, backend: str, code_hash: str, stage: str, repeats: int,
          tuned: dict[str, float] | None, variant: Variant = Variant()) -> list[PlannedRun]:
    planned = []
    placebo = set(judging.placebo_arms(claim))
    for repeat in range(repeats):
        seed = derive_seed(claim.id, repeat, stage, variant.stream)
        if stage == "tuning":
            for arm in (a for a in claim.arms if a.tuned):
                for value in claim.tuning_grid(arm.name, profile, variant.dataset):
                    config = claim.resolve_config(arm.name, profile, {arm.name: value}, variant.dataset)
                    planned.append(PlannedRun(stage, arm.name, repeat, seed, config,
                                              run_key(claim, arm.name, repeat, profile, backend, code_hash, config,
                                                      stage, variant),
                                              f"{claim.tuning.param}={value:g}"))
        else:  # eval: every arm; placebo: the baselines of the paired sub-claims, again on their own seeds
            for arm in claim.arms:
                if stage == "placebo" and arm.name not in placebo:
                    continue
                if (arm.tuned or arm.follows) and (arm.follows or (arm.name,))[0] not in tuned:
                    continue  # its tuning found no usable value: the judge reports ERROR for it
                config = claim.resolve_config(arm.name, profile, tuned, variant.dataset)
                planned.append(PlannedRun(stage, arm.name, repeat, seed, config,
                                          run_key(claim, arm.name, repeat, profile, backend, code_hash, config,
                                                  stage, variant)))
    return planned


def current_variant(claim: Claim, profile: str, precision: str = "float32", step_cap: int | None = None,
                    data_dir: str | None = None, stream: str = "discovery") -> Variant:
    """The variant a run of the claim gets here and now: the dataset found, the numeric environment in force."""
    dataset = resolve_dataset("auto", data_dir) if claim.uses_dataset_choice(profile) else None
    backend = keras.backend.backend()
    environment = numerics.key(numerics.describe(backend), provenance.device(backend))
    return Variant(precision, step_cap, dataset, tuple(sorted(environment.items())), stream)


def planned_runs(claim: Claim, profile: str, seeds: int) -> int:
    """How many runs a claim makes at a profile: (arms + placebo arms) × seeds, plus tuned arms × grid ×
    tuning seeds."""
    tuning_seeds = claim.budgets[profile].tuning_seeds if claim.tuning else 0
    n_tuning = tuning_seeds * sum(a.tuned for a in claim.arms) * (len(claim.tuning.grid) if claim.tuning else 0)
    return seeds * (len(claim.arms) + len(judging.placebo_arms(claim))) + n_tuning


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


def run_claim(claim: Claim, profile: str, seeds: int, store: Store, *, force: bool = False,
              data_dir: str | None = None, progress: Callable[[str], None] = print,
              tracker: Progress | None = None, precision: str = "float32",
              step_cap: int | None = None, stream: str = "discovery") -> ExecutionSummary:
    """Plan, run (or keep) and judge one claim at one profile: tuning, then the judged runs and the placebo
    replicates; `stream='confirmation'` does it all again on seeds no decision has seen."""
    if seeds < 1:
        raise ValueError("seeds must be >= 1")
    backend = keras.backend.backend()
    prov = provenance.tags(backend)
    environment = numerics.describe(backend)
    variant = current_variant(claim, profile, precision, step_cap, data_dir, stream)
    dataset = variant.dataset
    code_hash = claim_code_hash(claim)
    experiment_id = store.experiment_id(claim.id, f"{claim.title}\n\n{claim.statement}")
    execution_key = _hash({"claim": claim.id, "profile": profile, "backend": backend, "code": code_hash,
                           **variant.key(), **({"dataset": dataset} if dataset else {})})
    base_tags = {"claim": claim.id, "profile": profile, **prov, **variant.tags(),
                 **{f"numerics.{name}": value for name, value in environment.items()}}
    tuning_seeds = claim.budgets[profile].tuning_seeds if claim.tuning else 0

    parent, _ = runs.open_execution(
        store, experiment_id, execution_key,
        " · ".join(part for part in (f"{claim.id} · {profile} · {backend}{variant.label()}",
                                     numerics.label(environment)) if part),
        # the definitions the runs are made and judged under (pre-registration: the report marks a verdict
        # judged under a definition changed since)
        tags={**base_tags, "code_hash": code_hash,
              **{f"definition.{e.id}": claim.definition_hash(e.id, profile) for e in claim.expectations}},
        params={"profile": profile, "backend": backend, "claim_code_hash": code_hash, **variant.tags(),
                **{f"base.{k}": v for k, v in claim.base_config.items()}}, force=force)
    summary = ExecutionSummary(claim.id, parent)
    runs.log(store, parent, tags={"n_seeds": str(seeds), "n_tuning_seeds": str(tuning_seeds), "status_note": "running"})
    summary.abandoned = len(runs.mark_abandoned(store, runs.children(store, experiment_id, parent)))

    started = time.monotonic()
    child, where = None, "start"
    total = planned_runs(claim, profile, seeds)
    if tracker is None:  # a tracker nobody reads, so the events below need no checks
        tracker = Progress({claim.id: total}, stream=io.StringIO(), live=False)
    tracker.start_claim(claim.id)

    def execute(planned: list[PlannedRun], offset: int, heartbeat: runs.Heartbeat) -> None:
        """Each planned run once: kept if it finished before, waited for while another live process
        does it, redone if it was abandoned, done here otherwise."""
        nonlocal child, where
        labels = {item.key: f"[{offset + i + 1}/{total}] {claim.id} · {item.name}" for i, item in enumerate(planned)}
        pending, waited = list(planned), set()
        while pending:
            still = []
            for item in pending:
                where, label = item.name, labels[item.key]
                tags = {**base_tags, "arm": item.arm, "repeat": str(item.repeat), "seed": str(item.seed),
                        "run_key": item.key, "stage": item.stage}
                if item.stage == "tuning":
                    tags["tuned_param"] = claim.tuning.param
                    tags["grid_value"] = repr(float(item.config[claim.tuning.param]))
                claimed = runs.claim_child(store, experiment_id, parent, item.name, tags=tags,
                                           params={**item.config, "seed": item.seed, "repeat": item.repeat,
                                                   "arm": item.arm, "stage": item.stage})
                if claimed.finished is not None:
                    summary.reused += 1
                    tracker.run_finished(None)
                    progress(f"{label}: " + ("finished by another process, kept" if item.key in waited
                                             else "finished earlier, kept"))
                    continue
                if claimed.holder is not None:
                    still.append(item)
                    if item.key not in waited:
                        waited.add(item.key)
                        holder = claimed.holder.tags
                        progress(f"{label}: in progress in another process (pid {holder.get('owner.pid', '?')} "
                                 f"on {holder.get('owner.host', '?').split('/')[0]}), waiting for it")
                    continue
                child = claimed.run_id
                heartbeat.watch(child)
                tracker.run_started(f"{claim.id} · {item.name}")
                t0 = time.monotonic()
                try:
                    seed_everything(item.seed)
                    keras.config.set_dtype_policy(PRECISIONS[variant.precision])
                    try:
                        result = claim.run(item.config, item.seed,
                                           RunContext(data_dir=data_dir, profile=profile, step_cap=variant.step_cap,
                                                      stage=item.stage))
                    finally:
                        keras.config.set_dtype_policy("float32")
                except DataError as error:  # the data are missing for every arm alike: stop this claim
                    tracker.skip_rest_of_claim()
                    runs.log(store, child, tags={"error": str(error)})
                    runs.finish(store, child, "FAILED")
                    runs.log(store, parent, tags={"status_note": "data error", "error": str(error)})
                    runs.finish(store, parent, "FAILED")
                    raise
                except Exception as error:  # this run failed; the others still run and the judge says ERROR
                    if sigint.seen:  # a Ctrl-C that the run's libraries turned into an ordinary error
                        raise KeyboardInterrupt from error
                    runs.log(store, child, tags={"error": f"{type(error).__name__}: {error}"[:4000],
                                                 "traceback": traceback.format_exc()[-4000:]})
                    runs.finish(store, child, "FAILED")
                    heartbeat.forget(child)
                    child = None
                    summary.failed += 1
                    tracker.run_finished(time.monotonic() - t0)
                    first_line = (str(error).strip().splitlines() or [""])[0]
                    progress(f"{label}: FAILED ({type(error).__name__}: {first_line})")
                    continue
                elapsed = time.monotonic() - t0
                runs.log(store, child, scalars={**result.scalars, "run_seconds": elapsed}, series=result.series)
                runs.finish(store, child, "FINISHED")
                heartbeat.forget(child)
                child = None
                summary.ran += 1
                tracker.run_finished(elapsed)
                progress(f"{label}: {elapsed:.1f}s" + (f" ({result.notes})" if result.notes else ""))
            pending = still
            if pending:
                time.sleep(WAIT_SECONDS)

    tuning_plan = _plan(claim, profile, backend, code_hash, "tuning", tuning_seeds, None, variant) if claim.tuning else []
    with runs.Heartbeat(store) as heartbeat, SigintWatch() as sigint:
        heartbeat.watch(parent)
        try:
            tuned = None
            if claim.tuning:
                execute(tuning_plan, 0, heartbeat)
                summary.tuning = tuning_choices(claim, runs.children(store, experiment_id, parent), tuning_seeds, profile,
                                                dataset)
                tuned = {arm: choice.value for arm, choice in summary.tuning.items() if choice.value is not None}
                runs.log(store, parent, tags={
                    **{f"tuned.{arm}": repr(c.value) for arm, c in summary.tuning.items()},
                    **{f"tuned.{arm}.on_edge": str(c.on_edge).lower() for arm, c in summary.tuning.items()}})
                for arm, choice in summary.tuning.items():
                    edge = " (on the grid's edge)" if choice.on_edge else ""
                    progress(f"tuned {arm}: {claim.tuning.param} = {choice.value!r}{edge}")
            judged_plan = [run for stage in ("eval", "placebo")
                           for run in _plan(claim, profile, backend, code_hash, stage, seeds, tuned, variant)]
            execute(judged_plan, len(tuning_plan), heartbeat)
        except KeyboardInterrupt:  # Ctrl-C, wherever it lands: the run in flight and the execution are KILLED
            if child is not None:
                runs.finish(store, child, "KILLED")
            others = [c for c in runs.children(store, experiment_id, parent) if runs.is_live(c)]
            if not others:  # another process still working in this execution finishes it
                runs.log(store, parent, tags={"status_note": "interrupted"})
                runs.finish(store, parent, "KILLED")
            raise Interrupted(f"{claim.id} at {where} ({summary.ran} runs finished this time, "
                              f"{summary.reused} kept from before)") from None
        except Exception as error:  # the runner itself broke (e.g. the store went away): leave nothing RUNNING
            try:
                if child is not None:
                    runs.finish(store, child, "FAILED")
                runs.log(store, parent, tags={"status_note": f"runner error: {type(error).__name__}"})
                runs.finish(store, parent, "FAILED")
            except Exception:  # noqa: S110 (the store may be what failed; the original error is raised)
                pass
            raise

    table, used, _ = results_of(store, experiment_id, parent, seeds)
    placebo_table, _, _ = results_of(store, experiment_id, parent, seeds, stage="placebo")
    verdict = judging.judge_claim(claim, table, profile, placebo_table)
    log_verdict(store, parent, verdict)
    if variant.step_cap is not None:  # the judge ran on capped numbers: say so where the verdict is shown
        runs.log(store, parent, tags={"status_note": f"step-capped at {variant.step_cap} steps: no evidence",
                                      "mlflow.note.content": f"**Step-capped at {variant.step_cap} training steps per "
                                      "run: a check of the profile's shapes, no verdict.**\n\n" + _description(verdict)})
    with tempfile.TemporaryDirectory() as scratch:  # the plots travel with the execution run
        for _, path in plots.draw_claim_plots(store, claim, used, table, Path(scratch)):
            runs.log_artifact(store, parent, str(path), "plots")
    runs.finish(store, parent, "FINISHED")
    summary.seconds = time.monotonic() - started
    summary.verdict = verdict
    return summary


def log_verdict(store: Store, parent_run_id: str, verdict: judging.ClaimVerdict) -> None:
    """The verdict as tags, and each sub-claim's mean, interval, p and n as metrics, on the parent."""
    tags = {"verdict": verdict.verdict, "status_note": verdict.reason or "judged",
            "verdict_counts": ", ".join(f"{k}: {v}" for k, v in verdict.counts().items() if v)}
    scalars = {"n_seeds": float(verdict.n_seeds)}
    for sub in verdict.subverdicts + verdict.placebos:
        e = sub.expectation.id
        tags[f"verdict.{e}"] = sub.verdict
        tags[f"role.{e}"] = sub.role
        for name in ("mean", "ci_low", "ci_high", "p_value", "effect_size"):
            value = getattr(sub, name)
            if math.isfinite(value):
                scalars[f"{e}.{name}"] = value
        scalars[f"{e}.n"] = float(sub.n)
    tags["mlflow.note.content"] = _description(verdict)  # the run's Description in the MLflow UI
    runs.log(store, parent_run_id, scalars=scalars, tags=tags)


def _description(verdict: judging.ClaimVerdict) -> str:
    """The verdict and each sub-claim's measurement, as markdown for the execution run's page."""
    lines = [f"**Verdict: {verdict.verdict}** (its primary sub-claims; {verdict.n_seeds} seeds)"
             + (f": {verdict.reason}" if verdict.reason else ""),
             "", "| Sub-claim | Role | Estimate [CI] | n | p | Verdict |", "|---|---|---|---|---|---|"]
    for sub in verdict.subverdicts + verdict.placebos:
        lines.append(f"| {sub.expectation.id} | {sub.role} | {sub.mean:.4g} [{sub.ci_low:.4g}, {sub.ci_high:.4g}] | "
                     f"{sub.n} | {sub.p_value:.3g} | {sub.verdict} |")
    return "\n".join(lines)
