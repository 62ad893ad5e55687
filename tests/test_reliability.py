"""Reliability: nothing lost, nothing wrong.

Faults are injected for real (SIGINT and SIGKILL sent to a running `reprobench run` subprocess, two
processes on one store, a PostgreSQL-backed MLflow server), bad input is fed to the command line, and
each test checks what survives: finished runs kept, interrupted runs redone, nothing left RUNNING,
no run key finished twice, the same numbers as an undisturbed run. The session ends with a table of
faults injected, runs recovered, lost and duplicated, and every bad input with the line it gave
(see `ledger` in conftest.py).
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
import shutil
import socket
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import keras
import numpy as np
import pytest

import reproductions
from benchmarks import judge
from benchmarks.cli import main
from benchmarks.report import write_report
from benchmarks.identity import claim_code_hash
from benchmarks.plan import current_variant, plan_stage
from benchmarks.runner import run_claim
from mlflow_tracking import Store, runs
from reproductions import registry, reload_registry
from reproductions.claim import ArmResult
from reproductions.common import data as data_module
from reproductions.common.training import TIMING_METRICS
from benchmarks.executors import PAUSE_ENV
from tests import servers

# CI runs one test per guarantee (marked `ci`); the others run in `./scripts/test.sh --all`
pytestmark = [pytest.mark.reliability]
CLAIM = "init-scale-collapse"  # forward passes only: ~1 s a run, 5 arms
SEEDS = 2
RUN = ("run", CLAIM, "--profile", "quick", "--seeds", str(SEEDS))
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}


# --------------------------------------------------------------------------- helpers


def cli(store_uri: str, *args: str, env: dict | None = None) -> subprocess.Popen:
    """`reprobench --store URI ARGS` in a subprocess, as a user would run it."""
    return subprocess.Popen([sys.executable, "-m", "benchmarks.cli", "--store", store_uri, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **QUIET, **(env or {})}, preexec_fn=_default_sigint)


def _default_sigint() -> None:
    """A shell starts background jobs with SIGINT ignored, and Python then never installs its Ctrl-C
    handler: the child gets the default back, as in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def finish(process: subprocess.Popen, timeout: float = 400) -> tuple[str, str]:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"exit {process.returncode}\n{out[-3000:]}\n{err[-3000:]}"
    return out, err


def expected_keys(claim_id: str, profile: str, seeds: int, stages=("eval", "placebo")) -> set[str]:
    """The run keys of a claim's judged runs and placebo replicates (tuning runs are not kept apart by key)."""
    claim, backend = registry()[claim_id], keras.backend.backend()
    return {p.key for stage in stages
            for p in plan_stage(claim, profile, backend, claim_code_hash(claim), stage, seeds, None,
                           current_variant(claim, profile))}


@dataclasses.dataclass
class Census:
    executions: list
    children: list

    @property
    def finished(self) -> Counter:
        return Counter(c.tags["run_key"] for c in self.children if c.status == "FINISHED")

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.finished.values())

    def lost(self, keys: set[str]) -> int:
        return len(keys - set(self.finished))

    def left_running(self) -> list:
        return [r for r in self.executions + self.children if r.status == "RUNNING"]

    def metrics_by_key(self) -> dict[str, dict[str, float]]:
        return {c.tags["run_key"]: {k: v for k, v in c.metrics.items() if k not in TIMING_METRICS}
                for c in self.children if c.status == "FINISHED"}


def census(uri: str, claim_id: str) -> Census:
    store = Store(uri)
    experiment = store.experiment_id(claim_id, create=False)
    executions = runs.executions(store, experiment) if experiment else []
    children = [c for e in executions for c in runs.children(store, experiment, e.run_id)]
    return Census(executions, children)


def wait_for_line(process: subprocess.Popen, needle: str, seconds: float = 180) -> list[str]:
    """The process's output up to the first line holding `needle`, never blocking longer than `seconds`."""
    return servers.Lines(process.stdout).until(needle, seconds)


def paused(directory: Path, first: int) -> dict:
    """The environment that makes every run from the `first` (from 0) wait in the middle while DIR/hold exists
    (benchmarks.executors.pause_point): a fault then lands mid-run, with no race."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hold").touch()
    return {PAUSE_ENV: f"{directory}:{first}"}


def wait_for_mark(directory: Path, n: int, process: subprocess.Popen | None = None, seconds: float = 180) -> int:
    """Wait until the n-th run (from 0) is held in the middle; returns the pid of the process doing it."""
    mark, deadline = directory / f"started-{n}", time.monotonic() + seconds
    while time.monotonic() < deadline:
        if mark.exists() and mark.read_text().strip():
            return int(mark.read_text().split()[0])
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (exit {process.returncode}) before run {n} started:\n"
                                 + (process.stderr.read()[-3000:] if process.stderr else ""))
        time.sleep(0.05)
    raise AssertionError(f"run {n} never started")


def running_child(uri: str, pid: int):
    """The process's child run in flight (the one held in the middle)."""
    running = [c for c in census(uri, CLAIM).children if c.status == "RUNNING" and c.tags.get("owner.pid") == str(pid)]
    assert len(running) == 1, running
    return running[0]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> str:
    """The same selection, run once without any fault: what every recovered store must equal."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'mlflow.db'}"
    finish(cli(uri, *RUN))
    return uri


def assert_same_numbers(uri: str, reference_uri: str) -> None:
    mine, theirs = census(uri, CLAIM).metrics_by_key(), census(reference_uri, CLAIM).metrics_by_key()
    assert mine.keys() == theirs.keys()
    for key in mine:
        assert mine[key] == theirs[key], key  # bit for bit: same seed, backend and machine


# --------------------------------------------------------------------------- interruption and resume


@pytest.mark.init_scale_collapse
@pytest.mark.parametrize("fault", ["SIGINT", pytest.param("SIGKILL", marks=pytest.mark.ci)])  # CI: the crash;
# Ctrl-C's own path (the execution marked KILLED at once) is CI's in tests/test_ray.py's driver SIGINT
def test_interrupted_mid_run_then_resumed(fault, tmp_path, reference, ledger):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    pause = tmp_path / "pause"
    process = cli(uri, *RUN, env=paused(pause, 2))  # two runs finish, the third is held in the middle
    wait_for_mark(pause, 2, process)
    in_flight = running_child(uri, process.pid)
    process.send_signal(getattr(signal, fault))
    _, err = process.communicate(timeout=60)

    before = census(uri, CLAIM)
    finished_before = set(before.finished)
    assert len(finished_before) >= 2
    if fault == "SIGINT":  # a clean exit: one line saying what finished and how to resume
        assert process.returncode == 130
        lines = [line for line in err.splitlines() if line.startswith("interrupted")]  # (TensorFlow's
        assert len(lines) == 1, err  # start-up chatter on stderr comes from C++, before any of ours)
        assert "run the same command again to resume" in lines[0] and "runs finished this time" in lines[0]
        assert not before.left_running()  # the run in flight and the execution are KILLED at once
        assert {r.run_id: r.status for r in before.children}[in_flight.run_id] == "KILLED"
    else:  # SIGKILL: the process had no chance; its runs are left RUNNING until the next run
        assert process.returncode == -signal.SIGKILL
        assert in_flight.run_id in {r.run_id for r in before.left_running()}

    out, _ = finish(cli(uri, *RUN))
    assert out.count("finished earlier, kept") == len(finished_before)
    after = census(uri, CLAIM)
    keys = expected_keys(CLAIM, "quick", SEEDS)
    assert not after.left_running()
    killed = {r.run_id: r for r in after.children}[in_flight.run_id]
    assert killed.status == "KILLED"
    assert after.duplicates == 0 and after.lost(keys) == 0 and set(after.finished) == keys
    assert len(after.executions) == 1 and after.executions[0].status == "FINISHED"
    assert_same_numbers(uri, reference)
    assert after.executions[0].tags["verdict"] == census(reference, CLAIM).executions[0].tags["verdict"]

    out_dir = tmp_path / "report"
    assert main(["--store", uri, "report", "--out", str(out_dir)]) == 0
    report = (out_dir / "FINDINGS.md").read_text()
    # each (arm, seed) counted once, the placebo replicates apart
    assert f"<summary>{len(expected_keys(CLAIM, 'quick', SEEDS, ('eval',)))} arm × seed runs</summary>" in report
    assert f"<summary>{len(expected_keys(CLAIM, 'quick', SEEDS, ('placebo',)))} placebo runs</summary>" in report
    assert killed.run_id not in report
    redone = len(keys - finished_before)
    ledger["faults"].append((f"{fault} mid-run, then resume", 1, redone, after.lost(keys), after.duplicates))


# --------------------------------------------------------------------------- what invalidates a cached run


@pytest.mark.ci
@pytest.mark.initial_loss
def test_a_config_or_code_change_invalidates_only_what_it_affects(store, monkeypatch, tmp_path):
    claim = registry()["initial-loss"]
    quiet = {"progress": lambda _: None}
    placebos = 2 * len(judge.placebo_arms(claim))  # the baseline arm again, on the placebo seeds
    assert placebos and claim.arms[-1].name not in judge.placebo_arms(claim)
    first = run_claim(claim, "smoke", 2, store, **quiet)
    assert first.ran == 2 * len(claim.arms) + placebos and first.reused == 0
    again = run_claim(claim, "smoke", 2, store, **quiet)
    assert again.ran == 0 and again.reused == first.ran and again.parent_run_id == first.parent_run_id

    # one arm's config changes: only that arm runs again, in the same execution
    arm = claim.arms[-1]
    changed_arm = dataclasses.replace(arm, overrides={**arm.overrides, "reg": 2 * arm.overrides["reg"]})
    changed = dataclasses.replace(claim, arms=(*claim.arms[:-1], changed_arm))
    partly = run_claim(changed, "smoke", 2, store, **quiet)
    assert partly.ran == 2 and partly.reused == 2 * (len(claim.arms) - 1) + placebos
    assert partly.parent_run_id == first.parent_run_id

    # the claim's source changes: a new execution, every run again; another claim's hash is untouched
    other = registry()["init-scale-collapse"]
    own_hash, other_hash = claim_code_hash(claim), claim_code_hash(other)
    source = Path(reproductions.module_of(claim.id))
    edited = tmp_path / "initial_loss_edited.py"
    edited.write_text(source.read_text() + "\nassert CLAIM\n")  # code (a comment would not count)
    real_module_of = reproductions.module_of
    monkeypatch.setattr("reproductions.module_of",
                        lambda cid: str(edited) if cid == claim.id else real_module_of(cid))
    assert claim_code_hash(claim) != own_hash and claim_code_hash(other) == other_hash
    rerun = run_claim(claim, "smoke", 2, store, **quiet)
    assert rerun.ran == 2 * len(claim.arms) + placebos and rerun.reused == 0
    assert rerun.parent_run_id != first.parent_run_id


# --------------------------------------------------------------------------- determinism


@pytest.mark.ci
@pytest.mark.dropout_overfitting
def test_same_seed_same_numbers_and_report_different_seeds_differ(tmp_path, monkeypatch):
    """A claim that trains (dropout-overfitting at smoke), run twice into two stores."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    claim = registry()["dropout-overfitting"]
    texts, numbers, plots = [], [], []
    for name in ("first", "second"):
        monkeypatch.chdir(tmp_path)
        store = Store(f"sqlite:///{tmp_path / name}.db")
        summary = run_claim(claim, "smoke", 2, store, progress=lambda _: None)
        experiment = store.experiment_id(claim.id, create=False)
        children = runs.children(store, experiment, summary.parent_run_id)
        numbers.append({c.tags["run_key"]: ({k: v for k, v in c.metrics.items() if k not in TIMING_METRICS},
                                            {key: runs.series(store, c.run_id, key) for key in c.metrics
                                             if key not in TIMING_METRICS})
                        for c in children})
        out = write_report(store, tmp_path / f"report-{name}", claim_ids=[claim.id])
        text = re.sub(r"\b[0-9a-f]{32}\b", "<run id>", out.read_text())  # minted per store; the rest must match
        texts.append(text)
        plots.append({p.name: p.read_bytes() for p in (out.parent / "findings-plots").glob("*.png")})
    assert numbers[0] == numbers[1]  # every metric but the wall-clock ones, every step of every series, bit for bit
    assert texts[0] == texts[1] and plots[0] == plots[1] and plots[0]
    first_store = Store(f"sqlite:///{tmp_path / 'first'}.db")
    experiment = first_store.experiment_id(claim.id, create=False)
    per_arm: dict[str, list] = {}
    for child in runs.children(first_store, experiment, runs.executions(first_store, experiment)[0].run_id):
        if child.tags["stage"] != "tuning":  # one tuning seed per grid value at smoke: nothing to compare
            per_arm.setdefault((child.tags["stage"], child.tags["arm"]), []).append(child.metrics)
    for arm, seeds in per_arm.items():
        assert len(seeds) == 2 and seeds[0] != seeds[1], arm  # seed 0 and seed 1 are different draws


# --------------------------------------------------------------------------- concurrency


@pytest.mark.init_scale_collapse
@pytest.mark.initial_loss
def test_two_processes_different_claims_one_new_store(tmp_path, ledger):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"  # neither process finds a store: both create it at once
    a = cli(uri, "run", "initial-loss", "--profile", "smoke")
    b = cli(uri, *RUN)
    finish(a), finish(b)
    lost = duplicates = 0
    for claim_id, profile, seeds in (("initial-loss", "smoke", registry()["initial-loss"].budgets["smoke"].seeds),
                                     (CLAIM, "quick", SEEDS)):
        found, keys = census(uri, claim_id), expected_keys(claim_id, profile, seeds)
        lost, duplicates = lost + found.lost(keys), duplicates + found.duplicates
        assert found.lost(keys) == 0 and found.duplicates == 0 and not found.left_running()
        assert len(found.executions) == 1 and found.executions[0].tags["verdict"] != "ERROR"
    ledger["faults"].append(("2 processes, different claims, new SQLite store", 1, 0, lost, duplicates))


@pytest.mark.ci  # CI's test of two processes: a new store and one claim (the next test: two claims)
@pytest.mark.init_scale_collapse
def test_two_processes_same_claim_one_store(tmp_path, reference, ledger):
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"  # neither process finds a store: both create it, then start the
    # same selection at once
    a, b = cli(uri, *RUN), cli(uri, *RUN)
    (out_a, _), (out_b, _) = finish(a), finish(b)
    found, keys = census(uri, CLAIM), expected_keys(CLAIM, "quick", SEEDS)
    assert found.lost(keys) == 0 and found.duplicates == 0 and not found.left_running()
    assert len(found.executions) == 1  # they agreed on one execution
    ran = [int(re.search(r"ran (\d+)", out).group(1)) for out in (out_a, out_b)]
    assert sum(ran) == len(keys)  # every run done once, by one of them
    verdicts = [re.search(r"-> (\S+)", out).group(1) for out in (out_a, out_b)]
    assert verdicts[0] == verdicts[1] == found.executions[0].tags["verdict"]
    assert_same_numbers(uri, reference)
    ledger["faults"].append((f"2 processes, same claim, one SQLite store (ran {ran[0]} + {ran[1]})", 1, 0,
                             found.lost(keys), found.duplicates))


@pytest.fixture(scope="module")
def postgres_mlflow():
    why = servers.missing()
    if why:
        if os.environ.get(servers.REQUIRE_ENV):
            pytest.fail(f"{servers.REQUIRE_ENV} is set but {why}")
        pytest.skip(why)
    with servers.mlflow_server_on_postgres() as uri:
        yield uri


@pytest.mark.ci
@pytest.mark.initial_loss
@pytest.mark.init_scale_collapse
def test_suite_on_a_postgresql_backed_mlflow_server(postgres_mlflow, tmp_path, reference, ledger):
    """The multi-machine setup: processes talk to `mlflow server` (PostgreSQL behind it) over HTTP."""
    uri = postgres_mlflow
    a, b, c = cli(uri, *RUN), cli(uri, *RUN), cli(uri, "run", "initial-loss", "--profile", "smoke")
    for process in (a, b, c):
        finish(process)
    found, keys = census(uri, CLAIM), expected_keys(CLAIM, "quick", SEEDS)
    assert found.lost(keys) == 0 and found.duplicates == 0 and not found.left_running()
    assert len(found.executions) == 1
    assert_same_numbers(uri, reference)  # the same numbers as on the SQLite store
    assert census(uri, "initial-loss").executions[0].tags["verdict"] != "ERROR"

    out_dir = tmp_path / "report"
    assert main(["--store", uri, "report", "--out", str(out_dir)]) == 0
    report = (out_dir / "FINDINGS.md").read_text()
    assert f"<summary>{len(expected_keys(CLAIM, 'quick', SEEDS, ('eval',)))} arm × seed runs</summary>" in report
    assert list((out_dir / "findings-plots").glob(f"{CLAIM}*.png"))  # plots came back through the server
    ledger["faults"].append(("3 processes on a PostgreSQL-backed MLflow server", 1, 0, found.lost(keys),
                             found.duplicates))


# --------------------------------------------------------------------------- bad input


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A store holding a finished execution, to show that bad input loses nothing already recorded."""
    directory = tmp_path_factory.mktemp("recorded")
    uri = f"sqlite:///{directory / 'mlflow.db'}"
    assert main(["--store", uri, "run", "initial-loss", "--profile", "smoke"]) == 0
    return directory


def _snapshot(uri: str) -> set:
    store = Store(uri)
    found = set()
    for experiment in store.client.search_experiments():
        for run in runs._search(store, experiment.experiment_id, ""):
            found.add((run.run_id, run.status, tuple(sorted(run.metrics.items()))))
    return found


@pytest.fixture(scope="module")
def real_data(tmp_path_factory):
    """A copy of the real Fashion-MNIST files, for damaging."""
    source = data_module.locate_fashion_mnist()
    directory = tmp_path_factory.mktemp("fashion")
    for name in data_module.FASHION_MNIST:
        shutil.copy(source / name, directory / name)
    return directory


def _damaged(real_data: Path, tmp_path: Path, how: str) -> Path:
    directory = tmp_path / f"data-{how}"
    shutil.copytree(real_data, directory)
    target = directory / "train-labels-idx1-ubyte.gz"
    raw = target.read_bytes()
    if how == "truncated":
        target.write_bytes(raw[: len(raw) // 2])
    elif how == "corrupt":
        target.write_bytes(raw[:20] + bytes(reversed(raw[20:])))
    elif how == "checksum":  # a valid file of the right shape, one label changed
        labels = data_module.parse_idx(gzip.decompress(raw)).copy()
        labels[0] = (labels[0] + 1) % 10
        data_module.write_idx(target, labels)
    elif how == "shape":
        data_module.write_idx(target, np.zeros(59999, dtype=np.uint8))
    return directory


def _unwritable_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "locked"
    directory.mkdir()
    directory.chmod(0o500)
    try:  # root writes anywhere; sysfs refuses even root
        (directory / "probe").touch()
    except OSError:
        return directory
    (directory / "probe").unlink()
    return Path("/sys")


def _broken_module(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "exploding_claim_module.py").write_text("raise ImportError('cannot import name Dense2')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reproductions, "CLAIM_MODULES", ("exploding_claim_module", "reproductions.babysitting.initial_loss"))
    reload_registry()


# (what, argv with {store} {tmp} {data:how} {free_port} placeholders, env, setup, exit code, the line must say)
BAD_INPUT = [
    ("unknown claim id (typo)", ["run", "init-scale-colapse"], {}, None, 2, "did you mean 'init-scale-collapse'"),
    ("unknown claim id", ["run", "no-such-claim"], {}, None, 2, "unknown claim 'no-such-claim'"),
    ("no claim named", ["run"], {}, None, 2, "name at least one claim"),
    ("claim ids and --all", ["run", "--all", "initial-loss"], {}, None, 2, "not both"),
    ("unknown profile", ["run", "initial-loss", "--profile", "huge"], {}, None, 2, "invalid choice: 'huge'"),
    ("seeds 0", ["run", "initial-loss", "--seeds", "0"], {}, None, 2, "seeds must be at least 1"),
    ("seeds -3", ["run", "initial-loss", "--seeds", "-3"], {}, None, 2, "seeds must be at least 1"),
    ("seeds not a number", ["run", "initial-loss", "--seeds", "five"], {}, None, 2, "seeds must be a whole number"),
    ("seeds 2.5", ["run", "initial-loss", "--seeds", "2.5"], {}, None, 2, "seeds must be a whole number"),
    ("step cap 0", ["run", "initial-loss", "--step-cap", "0"], {}, None, 2, "the step cap must be at least 1"),
    ("unknown precision", ["run", "initial-loss", "--precision", "fp8"], {}, None, 2, "invalid choice: 'fp8'"),
    ("missing data directory", ["run", "initial-loss", "--profile", "smoke", "--data-dir", "{tmp}/nope"], {}, None,
     2, "does not exist; install it with `apt-get install dataset-fashion-mnist`"),
    ("data directory is a file", ["run", "initial-loss", "--profile", "smoke", "--data-dir", "{tmp}/mlflow.db"], {},
     None, 2, "is not a directory"),
    ("truncated .gz", ["run", "initial-loss", "--profile", "smoke", "--data-dir", "{data:truncated}",
      "--force"], {}, None,
     2, "corrupt or truncated gzip"),
    ("corrupt .gz", ["run", "initial-loss", "--profile", "smoke", "--data-dir", "{data:corrupt}",
      "--force"], {}, None,
     2, "corrupt or truncated gzip"),
    ("wrong checksum", ["run", "initial-loss", "--profile", "smoke", "--data-dir", "{data:checksum}",
      "--force"], {}, None,
     2, "checksum mismatch"),
    ("IDX file of the wrong shape", ["run", "initial-loss", "--profile", "smoke", "--data-dir", "{data:shape}",
      "--force"], {},
     None, 2, "an IDX array of shape (59999,), expected (60000,)"),
    ("store directory missing", ["--store", "sqlite:////nonexistent-dir/x/mlflow.db", "run", "initial-loss"], {},
     None, 2, "directory /nonexistent-dir/x does not exist"),
    # issue 33: nothing destroys a report (each of these finds a FINDINGS.md in the directory, left as it was)
    ("a typo in the store's name", ["--store", "sqlite:///{tmp}/stroe.db", "report"], {}, "report", 2,
     "stroe.db does not exist (a typo?)"),
    ("a plain path as the store", ["--store", "{tmp}/mlflow.db", "report"], {}, "report", 2,
     "is a path, not a tracking URI: write sqlite:///"),
    ("report of a store without runs", ["--store", "sqlite:///{tmp}/empty.db", "report"], {}, "report+empty", 2,
     "holds no reprobench runs"),
    ("report at a profile the store lacks", ["report", "--profile", "quick"], {}, "report", 2,
     "holds no execution of any claim at profile quick: no report written"),
    ("report over one that judged more claims", ["report"], {}, "report-of-2", 2,
     "judges 2 claims, sqlite:///"),
    ("confirm on a store that does not exist", ["--store", "sqlite:///{tmp}/new.db", "confirm", "initial-loss",
                                                "--profile", "smoke"], {}, None, 2, "new.db does not exist"),
    ("confirm on a store without runs", ["--store", "sqlite:///{tmp}/empty.db", "confirm", "initial-loss",
                                         "--profile", "smoke"], {}, "empty", 2, "holds no reprobench runs"),
    ("ui on a store that does not exist", ["--store", "sqlite:///{tmp}/new.db", "ui"], {}, None, 2,
     "new.db does not exist"),
    ("ui on a port in use", ["ui", "--port", "{busy_port}"], {}, "busy-port", 2, "is in use"),
    ("unwritable store path", ["--store", "sqlite:///{unwritable}/mlflow.db", "run", "initial-loss"], {}, None,
     2, "is not writable"),
    ("store file is not a database", ["--store", "sqlite:///{tmp}/notes.db", "report"], {}, "notes", 2,
     "exists but is not a SQLite database"),
    ("store path is a directory", ["--store", "sqlite:///{tmp}", "report"], {}, None, 2, "is a directory"),
    ("unreachable tracking server", ["--store", "http://127.0.0.1:{free_port}", "run", "initial-loss"], {}, None,
     2, "cannot reach tracking server http://127.0.0.1:"),
    ("unknown tracking URI scheme", ["--store", "ftp://example.invalid/x", "report"], {}, None,
     2, "cannot use tracking store ftp://example.invalid/x"),
    ("unknown KERAS_BACKEND", ["run", "initial-loss"], {"KERAS_BACKEND": "theano"}, None,
     2, "unknown KERAS_BACKEND 'theano'"),
    ("report --out is a file", ["report", "--out", "{tmp}/mlflow.db"], {}, None, 2, "is a file"),
    ("ui --port out of range", ["ui", "--port", "70000"], {}, None, 2, "port must be between 1 and 65535"),
    ("--jobs 0", ["run", "initial-loss", "--jobs", "0"], {}, None, 2, "--jobs must be at least 1"),
    ("--jobs and --address", ["run", "initial-loss", "--jobs", "2", "--address", "127.0.0.1:1"], {}, None,
     2, "give --jobs (a Ray started on this machine) or --address (a running cluster), not both"),
    ("--gpus-per-run -1", ["run", "initial-loss", "--executor", "ray", "--gpus-per-run", "-1"], {}, None,
     2, "--gpus-per-run must be 0 or more"),
    ("--gpus-per-run on the local executor", ["run", "initial-loss", "--executor", "local", "--gpus-per-run", "1"],
     {}, None, 2, "--gpus-per-run needs --executor ray"),
    ("--retries -1", ["run", "initial-loss", "--jobs", "2", "--retries", "-1"], {}, None, 2, "--retries must be 0 or more"),
    ("no Ray cluster at --address", ["run", "initial-loss", "--address", "127.0.0.1:{free_port}"], {}, None,
     2, "cannot join the Ray cluster at 127.0.0.1:"),
    ("unknown CPU vector width", ["--cpu-isa", "sse9", "list"], {}, None, 2, "invalid choice: 'sse9'"),
    ("pins from a store without quick executions", ["pins", "--out", "{tmp}/pins.json"], {}, None,
     2, "no claim has enough finished executions in these stores to be pinned"),
    ("pins --out is a directory", ["pins", "--out", "{tmp}"], {}, None, 2, "is not a file"),
    ("a claim module that raises on import", ["run", "--all", "--profile", "smoke"], {}, "broken-module",
     1, "claim module exploding_claim_module failed to load: ImportError: cannot import name Dense2"),
]


@pytest.mark.ci
@pytest.mark.initial_loss
@pytest.mark.parametrize("what, argv, env, setup, code, message", BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_bad_input_one_line_nonzero_nothing_lost(what, argv, env, setup, code, message, recorded, real_data,
                                                  tmp_path, monkeypatch, capsys, ledger):
    shutil.copytree(recorded, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if setup == "notes":
        (tmp_path / "notes.db").write_text("my notes, not a database\n")
    if setup == "broken-module":
        _broken_module(tmp_path, monkeypatch)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    report = tmp_path / "FINDINGS.md"
    if setup and setup.startswith("report"):
        assert main(["--store", uri, "report"]) == 0 and report.read_text().startswith("<!-- reprobench report: 1 ")
        if setup == "report-of-2":  # a report of two claims is there, the store holds one
            report.write_text(report.read_text().replace("report: 1 claim(s)", "report: 2 claim(s)", 1))
        capsys.readouterr()
    if setup in ("empty", "report+empty"):
        Store(f"sqlite:///{tmp_path / 'empty.db'}")  # a store with MLflow's tables and no run
    findings = report.read_bytes() if report.exists() else None

    def started(*command):  # no bad input may start the UI's server (it would replace this process)
        raise AssertionError(f"started {command[0]}")

    monkeypatch.setattr(os, "execvp", started)
    busy = None
    if setup == "busy-port":
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen()
    before = _snapshot(uri)
    fill = {"{tmp}": str(tmp_path), "{free_port}": str(servers.free_port()),
            "{busy_port}": str(busy.getsockname()[1] if busy else 0)}
    args = []
    for arg in argv:
        for key, value in fill.items():
            arg = arg.replace(key, value)
        if "{unwritable}" in arg:
            arg = arg.replace("{unwritable}", str(_unwritable_dir(tmp_path)))
        match = re.fullmatch(r"\{data:(\w+)\}", arg)
        args.append(str(_damaged(real_data, tmp_path, match.group(1))) if match else arg)
    try:
        try:
            result = main(args)
        except SystemExit as exit_:
            result = exit_.code
        err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    finally:
        if busy is not None:
            busy.close()
        if setup == "broken-module":
            monkeypatch.undo()
            reload_registry()
    assert result == code
    if code == 2:
        assert len(err) == 1, err  # one clear line
        assert err[0].startswith("reprobench: error: "), err
    line = next((line for line in err if message in line), None)
    assert line is not None, err
    if setup == "notes":
        assert (tmp_path / "notes.db").read_text() == "my notes, not a database\n"  # left as it was
    assert before <= _snapshot(uri)  # nothing already recorded is lost or changed
    assert (report.read_bytes() if report.exists() else None) == findings  # nor is a report written over
    assert not (tmp_path / "stroe.db").exists() and not (tmp_path / "new.db").exists()  # nor a store created
    ledger["bad_inputs"].append((what, result, line.replace("reprobench: error: ", "")[:150]))


def _exploding(config, seed, context):
    raise RuntimeError("<img src=x onerror=alert(1)> | ![t](http://evil.invalid/t.png) `x`")


@pytest.mark.ci
@pytest.mark.initial_loss
def test_a_claim_that_raises_gets_error_and_its_message_cannot_inject_markup(store, tmp_path, monkeypatch, capsys,
                                                                           ledger):
    claim = dataclasses.replace(registry()["initial-loss"], run=_exploding)
    monkeypatch.setattr(reproductions, "registry", lambda: {claim.id: claim})  # what the CLI looks up
    monkeypatch.setattr("benchmarks.report.registry", lambda: {claim.id: claim})
    assert main(["--store", store.uri, "run", "initial-loss", "--profile", "smoke"]) == 1
    out = capsys.readouterr().out
    assert "-> ERROR" in out and "FAILED (RuntimeError" in out
    assert main(["--store", store.uri, "report", "--out", str(tmp_path / "report")]) == 0
    report = (tmp_path / "report" / "FINDINGS.md").read_text()
    assert "ERROR" in report and "### Failed runs" in report
    assert "<img" not in report and "![t](" not in report and "&lt;img src=x onerror=alert\\(1\\)&gt;" in report
    ledger["bad_inputs"].append(("a claim whose run raises", 1, "its claim ERROR, each run FAILED with the error"))


def _diverging(config, seed, context):
    """A real Keras model trained at a learning rate of 1e6: the loss goes to NaN/inf."""
    from reproductions.common.data import synthetic_classification
    from reproductions.common.models import mlp
    from reproductions.common.training import train_to_target

    x, y = synthetic_classification(512, 20, 10, seed)
    model = mlp(20, 1, 32, "relu")
    outcome = train_to_target(model, x, y, optimizer=keras.optimizers.SGD(config["learning_rate"]), batch_size=64,
                              window=8, max_steps=32, target=0.99)
    return ArmResult(scalars=outcome.scalars(), series=outcome.series())


@pytest.mark.ci
@pytest.mark.initial_loss
def test_a_diverging_run_is_recorded_as_diverged_and_judged(store, ledger):
    from reproductions.claim import Arm, Budget, Claim, Expectation, SizeSource

    claim = Claim(
        id="initial-loss", title="divergence", statement="s", source="test", run=_diverging,
        base_config={"learning_rate": 0.01}, arms=(Arm("calm", {}), Arm("wild", {"learning_rate": 1e6})),
        expectations=(Expectation("wild-diverges", "the wild arm diverges", "diverged", "wild",
                                  comparison="greater", margin=0.5, test="binomial",
                                  size_source=SizeSource("ours", "a test: most seeds")),),
        budgets={p: Budget(seeds=3) for p in ("smoke", "quick", "full")}, primary=("wild-diverges",))
    summary = run_claim(claim, "quick", 3, store, progress=lambda _: None)
    experiment = store.experiment_id(claim.id, create=False)
    children = runs.children(store, experiment, summary.parent_run_id)
    wild = [c for c in children if c.tags["arm"] == "wild"]
    assert all(c.status == "FINISHED" and c.metrics["diverged"] == 1.0 for c in wild)
    assert all(any(k.startswith("nonfinite.") for k in c.tags) for c in wild)  # NaN/inf kept, as tags
    assert summary.failed == 0 and summary.verdict.verdict != "ERROR"
    ledger["bad_inputs"].append(("a diverging run (lr 1e6, loss NaN)", 0,
                                 f"recorded diverged=1, judged {summary.verdict.verdict}"))


# --------------------------------------------------------------------------- safe defaults


@pytest.mark.unit
def test_safe_defaults(tmp_path):
    from benchmarks.cli import build_parser

    assert build_parser().parse_args(["ui"]).host == "127.0.0.1"  # this machine only, unless told otherwise
    command = Store(f"sqlite:///{tmp_path / 'x.db'}").ui_command()
    assert command[command.index("--host") + 1] == "127.0.0.1"
    clean = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_DISABLE_TELEMETRY", "DO_NOT_TRACK")}
    probe = subprocess.run([sys.executable, "-c", "import os, mlflow_tracking; "
                            "print(os.environ['MLFLOW_DISABLE_TELEMETRY'], os.environ['DO_NOT_TRACK'])"],
                           capture_output=True, text=True, env=clean, check=True)
    assert probe.stdout.split() == ["true", "true"]  # telemetry off in every process that opens a store
