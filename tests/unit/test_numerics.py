"""The numeric environment: what configure() sets (and leaves to the user), what describe() reads back,
and what goes into the keys."""

from __future__ import annotations

import keras
import pytest

from benchmarks import numerics
from benchmarks.runner import Variant, run_key
from reproductions import registry

pytestmark = pytest.mark.unit
THREAD_VARS = numerics.THREAD_ENVS


def test_an_empty_environment_gets_onednn_on_and_every_usable_core():
    environ = {}
    chosen = numerics.configure(environ=environ)
    cores = str(numerics.usable_cores())
    assert environ["TF_ENABLE_ONEDNN_OPTS"] == "1"
    assert all(environ[name] == cores for name in THREAD_VARS)
    assert chosen == {"TF_ENABLE_ONEDNN_OPTS": "1", **{name: cores for name in THREAD_VARS}}
    assert set(environ[numerics.SET_BY_PROJECT_ENV].split(",")) == set(chosen)
    assert numerics._source("TF_ENABLE_ONEDNN_OPTS", environ) == "project"


def test_what_the_user_exported_stands_and_is_recorded_as_theirs():
    environ = {"TF_ENABLE_ONEDNN_OPTS": "0", "TF_NUM_INTRAOP_THREADS": "1"}
    chosen = numerics.configure(environ=environ)
    assert environ["TF_ENABLE_ONEDNN_OPTS"] == "0" and environ["TF_NUM_INTRAOP_THREADS"] == "1"
    assert "TF_ENABLE_ONEDNN_OPTS" not in chosen and "TF_NUM_INTRAOP_THREADS" not in chosen
    assert numerics._source("TF_ENABLE_ONEDNN_OPTS", environ) == "user (TF_ENABLE_ONEDNN_OPTS)"
    assert numerics._source("TF_NUM_INTRAOP_THREADS", environ) == "user (TF_NUM_INTRAOP_THREADS)"
    assert numerics._source("XLA_FLAGS", environ) == "backend default"


def test_a_second_configure_or_a_child_process_keeps_the_projects_settings_as_the_projects():
    environ = {}
    numerics.configure(environ=environ)
    child = dict(environ)  # a subprocess inherits the variables and the list of those the project set
    numerics.configure(environ=child)
    assert child == environ
    assert numerics._source("TF_ENABLE_ONEDNN_OPTS", child) == "project"
    numerics.configure(3, environ=child)  # the project may change what it set itself
    assert all(child[name] == "3" for name in THREAD_VARS)
    assert numerics._source("TF_NUM_INTRAOP_THREADS", child) == "--threads"


@pytest.mark.parametrize("text", ["x", "0", "-2", "1.5"])
def test_a_bad_thread_count_is_one_clear_error(text):
    with pytest.raises(numerics.NumericsError, match="REPROBENCH_THREADS must be"):
        numerics.configure(environ={"REPROBENCH_THREADS": text})


def test_this_process_runs_in_the_projects_environment():
    """conftest configured the tiers before TensorFlow was imported: what TensorFlow decided is oneDNN on
    (off by default on CPUs without AVX-512 VNNI/BF16 or AMX, like the development machine's)."""
    backend = keras.backend.backend()
    described = numerics.describe(backend)
    assert described["threads"] == str(numerics.usable_cores())
    if backend in ("tensorflow", "torch"):
        assert described["onednn"] == "on"
    if backend == "tensorflow":
        assert described["onednn_source"] in ("project", "user (TF_ENABLE_ONEDNN_OPTS)")
    assert described["backend_version"] not in ("", "unknown")


def test_the_key_holds_what_changes_numbers_and_nothing_else():
    described = {"backend_version": "2.21.0", "usable_cores": "2", "onednn": "on", "onednn_source": "project",
                 "threads": "2", "inter_op_threads": "2", "threads_source": "project", "jit": "graph",
                 "env.XLA_FLAGS": "--xla_gpu_deterministic_ops=true"}
    assert numerics.key(described, "cpu:X") == {"device": "cpu:X", "onednn": "on", "threads": "2",
                                                "env.XLA_FLAGS": "--xla_gpu_deterministic_ops=true"}
    assert numerics.label(described) == "oneDNN on · 2 threads"
    assert numerics.label({"threads": "1"}) == "1 thread"


def test_executions_that_differ_only_in_kernels_or_threads_have_different_run_keys():
    claim = registry()["initial-loss"]
    arm = claim.arms[0].name

    def key(**numeric):
        variant = Variant(numerics=tuple(sorted({"device": "cpu:X", "onednn": "on", "threads": "2", **numeric}.items())))
        return run_key(claim, arm, 0, "quick", "tensorflow", "code", variant=variant)

    assert key() == key()
    assert len({key(), key(onednn="off"), key(threads="1"), key(device="cpu:Y")}) == 4


def test_a_thread_count_the_backend_did_not_honour_is_refused():
    numerics.check("jax", {"threads": "16"}, environ={})  # nothing asked: nothing to refuse
    numerics.check("tensorflow", {"threads": "4"}, environ={"REPROBENCH_THREADS": "4"})
    with pytest.raises(numerics.NumericsError, match="--threads 4 cannot be honoured on jax: it runs 16 thread"):
        numerics.check("jax", {"threads": "16", "threads_source": "XLA"}, environ={"REPROBENCH_THREADS": "4"})
