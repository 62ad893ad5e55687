"""The numeric environment: what configure() sets (and leaves to the user), what describe() reads back,
and what goes into the keys."""

from __future__ import annotations

import keras
import pytest

from benchmarks import numerics
from benchmarks.identity import Variant, run_key
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
                 "cpu_isa": "avx2", "cpu_isa_source": "the CPU's flags", "keras_version": "3.15.1",
                 "numpy_version": "2.4.6", "scipy_version": "1.17.1",
                 "env.XLA_FLAGS": "--xla_gpu_deterministic_ops=true"}
    assert numerics.key(described, "cpu:X") == {"device": "cpu:X", "onednn": "on", "threads": "2", "cpu_isa": "avx2",
                                                "backend_version": "2.21.0", "keras_version": "3.15.1",
                                                "numpy_version": "2.4.6", "scipy_version": "1.17.1",
                                                "env.XLA_FLAGS": "--xla_gpu_deterministic_ops=true"}
    assert numerics.label(described) == "oneDNN on · AVX2 · 2 threads"
    assert numerics.label({**described, "cpu_isa": "avx2", "cpu_isa_source": "--cpu-isa (the CPU has avx512)"}) \
        == "oneDNN on · AVX2 (capped) · 2 threads"
    assert numerics.label({"threads": "1"}) == "1 thread"


AVX512_CPU = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512bw\n"
AVX2_CPU = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n"


def test_the_cpus_vector_width_is_read_from_its_flags():
    assert numerics.native_cpu_isa(AVX512_CPU) == "avx512"
    assert numerics.native_cpu_isa(AVX2_CPU) == "avx2"
    assert numerics.native_cpu_isa("flags\t: fpu sse2 avx\n") == "avx"
    assert numerics.native_cpu_isa("Features\t: fp asimd\n") not in numerics.CPU_ISAS  # not an x86 with AVX


def test_cpu_isa_avx2_caps_every_librarys_kernels_and_is_recorded_as_the_projects():
    environ = {}
    chosen = numerics.configure(environ=environ, cpu_isa="avx2", cpuinfo=AVX512_CPU)
    assert chosen["ONEDNN_MAX_CPU_ISA"] == "AVX2" and "X86_V4" in chosen["NPY_DISABLE_CPU_FEATURES"]
    assert chosen["OPENBLAS_CORETYPE"] == "Zen" and environ[numerics.CPU_ISA_ENV] == "avx2"
    assert numerics.cpu_isa_in_force(environ, AVX512_CPU) == ("avx2", "--cpu-isa (the CPU has avx512)")
    # on a CPU that is AVX2 already there is nothing to cap: its own kernels are the AVX2 ones
    environ = {}
    assert "ONEDNN_MAX_CPU_ISA" not in numerics.configure(environ=environ, cpu_isa="avx2", cpuinfo=AVX2_CPU)
    assert numerics.cpu_isa_in_force(environ, AVX2_CPU) == ("avx2", "the CPU's flags")
    # nothing asked: the CPU's own width, nothing capped
    environ = {}
    assert "ONEDNN_MAX_CPU_ISA" not in numerics.configure(environ=environ, cpuinfo=AVX512_CPU)
    assert numerics.cpu_isa_in_force(environ, AVX512_CPU) == ("avx512", "the CPU's flags")
    # a variable the user exported stands
    environ = {"ONEDNN_MAX_CPU_ISA": "AVX"}
    numerics.configure(environ=environ, cpu_isa="avx2", cpuinfo=AVX512_CPU)
    assert environ["ONEDNN_MAX_CPU_ISA"] == "AVX"


def test_a_vector_width_the_cpu_lacks_or_an_unknown_one_is_refused():
    with pytest.raises(numerics.NumericsError, match="cannot be honoured: this CPU's widest vector extension is avx2"):
        numerics.configure(environ={}, cpu_isa="avx512", cpuinfo=AVX2_CPU)
    with pytest.raises(numerics.NumericsError, match="must be one of avx, avx2, avx512"):
        numerics.configure(environ={numerics.CPU_ISA_ENV: "sse9"}, cpuinfo=AVX512_CPU)


def test_executions_that_differ_only_in_kernels_or_threads_have_different_run_keys():
    claim = registry()["initial-loss"]
    arm = claim.arms[0].name

    def key(**numeric):
        variant = Variant(numerics=tuple(sorted({"device": "cpu:X", "onednn": "on", "threads": "2", **numeric}.items())))
        return run_key(claim, arm, 0, "quick", "tensorflow", "code", variant=variant)

    assert key() == key()
    assert len({key(), key(onednn="off"), key(threads="1"), key(device="cpu:Y"), key(cpu_isa="avx2"),
                key(keras_version="3.99")}) == 6


def test_a_thread_count_the_backend_did_not_honour_is_refused():
    numerics.check("jax", {"threads": "16"}, environ={})  # nothing asked: nothing to refuse
    numerics.check("tensorflow", {"threads": "4"}, environ={"REPROBENCH_THREADS": "4"})
    with pytest.raises(numerics.NumericsError, match="--threads 4 cannot be honoured on jax: it runs 16 thread"):
        numerics.check("jax", {"threads": "16", "threads_source": "XLA"}, environ={"REPROBENCH_THREADS": "4"})
