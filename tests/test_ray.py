"""The Ray executor, on a local Ray cluster of two simulated nodes (ray.cluster_utils.Cluster), faults injected for
real: a worker SIGKILLed mid-run, a node removed mid-run, the driver SIGKILLed, the driver Ctrl-C'd, a worker
whose install differs from the driver's. Each checks what survives: every run FINISHED once, nothing lost or
duplicated, nothing left RUNNING, the same numbers as the local executor (wall-clock metrics aside). The rows go
into the reliability table.

The cluster is started once for the module, its token (Ray's token authentication) held in the environment and
its files kept in the test's temporary directory; nothing is written to ~/.ray.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import keras
import pytest

from benchmarks import numerics
from benchmarks.identity import claim_code_hash
from benchmarks.plan import current_variant, plan_stage
from mlflow_tracking import provenance
from reproductions import registry
from tests.test_reliability import QUIET, census, finish, paused, wait_for_mark

pytestmark = [pytest.mark.reliability, pytest.mark.ray]
# Ray reads its authentication mode when imported: token authentication, with the token in the environment only
os.environ.setdefault("RAY_AUTH_MODE", "token")
os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(16))
CLAIM = "init-scale-collapse"  # forward passes only: ~1 s a run
SEEDS = 2
RUN = ("run", CLAIM, "--profile", "quick", "--seeds", str(SEEDS))
SMOKE = ("initial-loss", "init-scale-collapse")


def ray_keys(claim_id: str, profile: str, seeds: int) -> set[str]:
    """The judged and placebo run keys of a claim when each run has one thread (as on the test cluster)."""
    claim, backend = registry()[claim_id], keras.backend.backend()
    environment = {**numerics.key(numerics.describe(backend), provenance.device(backend)), "threads": "1"}
    variant = current_variant(claim, profile, environment=environment)
    return {p.key for stage in ("eval", "placebo")
            for p in plan_stage(claim, profile, backend, claim_code_hash(claim), stage, seeds, None, variant)}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two simulated nodes of one CPU each under a head that runs nothing (so either node can go away)."""
    from ray.cluster_utils import Cluster

    temp = short_temp()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "temp_dir": temp})
    cluster.nodes = [cluster.add_node(num_cpus=1) for _ in range(2)]
    cluster.wait_for_nodes()
    try:
        yield cluster
    finally:
        cluster.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


def short_temp() -> str:
    """Ray's session directory holds Unix sockets, whose paths may not exceed 107 bytes: pytest's are too deep."""
    return tempfile.mkdtemp(prefix="rb-ray-")


@pytest.fixture(scope="module")
def one_thread_reference(tmp_path_factory) -> str:
    """RUN with the local executor at one thread a run, as the cluster's runs have: the numbers they must equal."""
    uri = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'mlflow.db'}"
    finish(driver(uri, "--threads", "1", *RUN))
    return uri


def same_numbers(uri: str, reference: str) -> None:
    mine, theirs = census(uri, CLAIM).metrics_by_key(), census(reference, CLAIM).metrics_by_key()
    assert mine.keys() == theirs.keys()
    differ = [key for key in mine if mine[key] != theirs[key]]
    assert not differ, f"{len(differ)} of {len(mine)} runs differ from the local executor's"


def two_nodes(cluster) -> None:
    """Back to two worker nodes, whatever an earlier test removed."""
    while len(cluster.nodes) < 2:
        cluster.nodes.append(cluster.add_node(num_cpus=1))
    cluster.wait_for_nodes()


def driver(uri: str, *args: str, cwd: str | None = None, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "benchmarks.cli", "--store", uri, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                            env={**os.environ, **QUIET, **(env or {})},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def check_complete(uri: str, claim_id: str, profile: str, seeds: int) -> tuple[int, int]:
    found, keys = census(uri, claim_id), ray_keys(claim_id, profile, seeds)
    assert not found.left_running(), [r.name for r in found.left_running()]
    assert found.lost(keys) == 0 and found.duplicates == 0 and set(found.finished) == keys
    return found.lost(keys), found.duplicates


@pytest.mark.ci
def test_jobs_start_a_ray_of_their_own_beside_a_running_cluster(cluster):
    # `--jobs N` must never join a cluster that happens to run here (a plain ray.init() would, and then
    # refuse the num_cpus it is given): its Ray has its own CPUs, one node
    import ray

    from benchmarks.executors import RayExecutor

    two_nodes(cluster)
    executor = RayExecutor(jobs=1, threads=1)
    try:
        assert len(ray.nodes()) == 1 and ray.cluster_resources().get("CPU") == 1
    finally:
        executor.close()


@pytest.mark.ci
def test_two_claims_on_two_nodes_same_numbers_as_local(cluster, tmp_path, ledger):
    two_nodes(cluster)
    local, ray = f"sqlite:///{tmp_path / 'local.db'}", f"sqlite:///{tmp_path / 'ray.db'}"
    out, _ = finish(driver(local, "--threads", "1", "run", *SMOKE, "--profile", "smoke"))
    out, _ = finish(driver(ray, "run", *SMOKE, "--profile", "smoke", "--address", cluster.address))
    assert "on the Ray cluster at" in out
    nodes = set()
    for claim_id in SMOKE:
        seeds = registry()[claim_id].budgets["smoke"].seeds
        check_complete(ray, claim_id, "smoke", seeds)
        mine, theirs = census(ray, claim_id), census(local, claim_id)
        assert mine.metrics_by_key() == theirs.metrics_by_key()  # bit for bit, wall-clock metrics aside
        assert [e.tags["verdict"] for e in mine.executions] == [e.tags["verdict"] for e in theirs.executions]
        assert all(e.tags["executor"] == "ray" for e in mine.executions)
        nodes |= {c.tags["worker.node"] for c in mine.children}
        # simulated nodes share this machine: runs that overlapped say so (their wall clock is not their own)
        assert any(c.tags.get("machine.shared") == "true" for c in mine.children) or len(mine.children) < 2
    assert len(nodes) == 2  # both nodes worked
    ledger["faults"].append(("Ray, 2 nodes: 2 claims at smoke, same numbers as local", 0, 0, 0, 0))


@pytest.mark.ci
@pytest.mark.init_scale_collapse
def test_a_worker_killed_mid_run_is_retried(cluster, tmp_path, one_thread_reference, ledger):
    two_nodes(cluster)
    uri, pause = f"sqlite:///{tmp_path / 'mlflow.db'}", tmp_path / "pause"
    process = driver(uri, *RUN, "--address", cluster.address, env=paused(pause, 0))  # every run held in the middle
    victim = wait_for_mark(pause, 0, process)  # the worker doing the first run, certainly busy
    os.kill(victim, signal.SIGKILL)
    (pause / "hold").unlink()
    finish(process)
    retried = list(pause.glob("started-*.again"))
    assert retried, "the killed worker's run was never started again"  # Ray retried it: a retry happened
    lost, duplicates = check_complete(uri, CLAIM, "quick", SEEDS)
    assert not [c for c in census(uri, CLAIM).children if c.status == "FAILED"]  # retried, not failed
    same_numbers(uri, one_thread_reference)  # bit for bit (NumPy's BLAS threads included), wall clock aside
    ledger["faults"].append(("Ray: SIGKILL a worker mid-run (retried)", 1, len(retried), lost, duplicates))


@pytest.mark.init_scale_collapse
def test_a_node_removed_mid_run_is_retried_on_the_other(cluster, tmp_path, one_thread_reference, ledger):
    two_nodes(cluster)
    uri, pause = f"sqlite:///{tmp_path / 'mlflow.db'}", tmp_path / "pause"
    process = driver(uri, *RUN, "--address", cluster.address, env=paused(pause, 0))
    wait_for_mark(pause, 0, process), wait_for_mark(pause, 1, process)  # a run held on each node
    gone = cluster.nodes.pop()
    cluster.remove_node(gone)
    (pause / "hold").unlink()
    finish(process)
    retried = list(pause.glob("started-*.again"))
    assert retried, "the removed node's run was never started again"
    lost, duplicates = check_complete(uri, CLAIM, "quick", SEEDS)
    assert not [c for c in census(uri, CLAIM).children if c.status == "FAILED"]
    same_numbers(uri, one_thread_reference)
    ledger["faults"].append(("Ray: a node removed mid-run (retried on the other)", 1, len(retried), lost, duplicates))


@pytest.mark.init_scale_collapse
@pytest.mark.parametrize("fault", [pytest.param("SIGINT", marks=pytest.mark.ci), "SIGKILL"])  # (SIGKILL: as locally)
def test_the_driver_interrupted_then_resumed(fault, cluster, tmp_path, ledger):
    two_nodes(cluster)
    uri, pause = f"sqlite:///{tmp_path / 'mlflow.db'}", tmp_path / "pause"
    process = driver(uri, *RUN, "--address", cluster.address, env=paused(pause, 3))
    wait_for_mark(pause, 3, process)  # three runs started (two or more finished), the fourth held in the middle
    process.send_signal(getattr(signal, fault))
    _, err = process.communicate(timeout=60)
    (pause / "hold").unlink()  # (a worker of the killed driver may still be held: let it go)
    before = census(uri, CLAIM)
    if fault == "SIGINT":  # exit 130, one line, what was in flight cancelled and KILLED: nothing RUNNING
        assert process.returncode == 130, err
        lines = [line for line in err.splitlines() if line.startswith("interrupted")]
        assert len(lines) == 1 and "run the same command again to resume" in lines[0], err
        assert not before.left_running()
        assert any(c.status == "KILLED" for c in before.children)
    else:  # the driver had no chance: its runs stay RUNNING until the next invocation marks them abandoned
        assert process.returncode == -signal.SIGKILL
        assert before.left_running()
    finished_before = set(before.finished)
    out, _ = finish(driver(uri, *RUN, "--address", cluster.address))
    assert out.count("finished earlier, kept") == len(finished_before)
    lost, duplicates = check_complete(uri, CLAIM, "quick", SEEDS)
    after = census(uri, CLAIM)
    if fault == "SIGKILL":
        assert any(c.tags.get("abandoned") == "true" for c in after.children)
    assert len(after.executions) == 1 and after.executions[0].status == "FINISHED"
    redone = len(ray_keys(CLAIM, "quick", SEEDS) - finished_before)
    ledger["faults"].append((f"Ray: {fault} the driver mid-run, then resume", 1, redone, lost, duplicates))


@pytest.mark.ci
@pytest.mark.initial_loss
def test_a_worker_with_other_code_refuses_and_the_right_one_redoes_it(tmp_path, ledger):
    """A node whose install differs from the driver's (here: the claim edited in a copy first on its Python path)
    refuses every run: FAILED with the reason, exit 1; the next invocation on a sound node does them."""
    from ray.cluster_utils import Cluster

    stale = tmp_path / "stale"
    root = Path(__file__).resolve().parents[1]
    for package in ("reproductions", "benchmarks", "mlflow_tracking"):
        shutil.copytree(root / package, stale / package, ignore=shutil.ignore_patterns("__pycache__"))
    (stale / "reproductions" / "babysitting" / "initial_loss.py").open("a").write("\nassert CLAIM  # edited on one node only\n")
    saved = os.environ.get("PYTHONPATH")
    temp = short_temp()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "temp_dir": temp})
    try:
        os.environ["PYTHONPATH"] = str(stale)  # the node's workers import the edited copy
        node = cluster.add_node(num_cpus=1)
        os.environ.pop("PYTHONPATH") if saved is None else os.environ.__setitem__("PYTHONPATH", saved)
        cluster.wait_for_nodes()
        uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
        args = ("run", "initial-loss", "--profile", "smoke", "--address", cluster.address)
        process = driver(uri, *args, cwd=str(tmp_path))  # not from the checkout: Ray puts the driver's cwd first
        out, err = process.communicate(timeout=300)
        assert process.returncode == 1, out + err
        assert "REFUSED" in out and "the claim's code hashes to" in out, out
        refused = census(uri, "initial-loss")
        assert refused.children and all(c.status == "FAILED" and c.tags.get("refused") == "true"
                                        for c in refused.children)
        cluster.remove_node(node)
        cluster.add_node(num_cpus=1)  # a sound node: the checkout's code
        cluster.wait_for_nodes()
        finish(driver(uri, *args, cwd=str(tmp_path)))
        seeds = registry()["initial-loss"].budgets["smoke"].seeds
        lost, duplicates = check_complete(uri, "initial-loss", "smoke", seeds)
    finally:
        cluster.shutdown()
        shutil.rmtree(temp, ignore_errors=True)
    ledger["faults"].append(("Ray: a worker with other code refuses; redone on a sound one",
                             1, len(refused.children), lost, duplicates))
