"""The numeric environment: what the project sets before a Keras backend is imported, and what it records.

A run's numbers depend on more than its seed. Measured on the 2-core development CPU (AMD EPYC,
TensorFlow 2.21), with the same seed and data:

- TensorFlow's oneDNN kernels are off by default there (TensorFlow turns them on by itself only on CPUs
  with AVX-512 VNNI/BF16 or AMX). Turned on, the quick CNN trains 2.9× faster, and the rounding differs.
- TensorFlow's intra-op thread count changes the numbers: a small CNN's weights after 3 epochs differ
  between 1 and 2 threads, with oneDNN on and off (an MLP's too, with oneDNN off). The inter-op count
  did not change them. At a fixed setting, runs are bit-for-bit repeatable.
- The CPU's vector width changes them too: oneDNN, NumPy and OpenBLAS pick their kernels at run time, AVX-512
  ones where the CPU has AVX-512, AVX2 ones where it has only AVX2 (TensorFlow's own Eigen kernels are built for
  AVX and are the same on both). The same quick suite gave learning-rate-decay another verdict on a 2-core AVX2
  EPYC than on an AVX-512 one (issue 30).

So the project chooses, and the user's shell does not: every entry point (the `reprobench` CLI, the
pytest tiers, the benchmarks, and so scripts/) calls `configure()` before the backend is imported.

- **TensorFlow**: oneDNN on (`TF_ENABLE_ONEDNN_OPTS=1`), the setting the claims were measured under;
  intra- and inter-op threads = `--threads`/`REPROBENCH_THREADS`, else every core this process may use
  (TensorFlow's own default, now explicit). A variable the user exported stands, and is recorded as
  theirs.
- **PyTorch**: the same thread count (`OMP_NUM_THREADS`, `MKL_NUM_THREADS`, read when torch is imported);
  its oneDNN (mkldnn) stays as torch ships it, on, and is recorded.
- **JAX**: XLA's CPU client runs on every usable core and offers no thread-count setting, so a
  `--threads` below that is refused on JAX rather than silently ignored.
- **CPU vector width**: as the CPU has it. `--cpu-isa avx2` (or REPROBENCH_CPU_ISA=avx2) on a CPU with AVX-512
  caps the kernels the libraries choose at AVX2, as on a CPU without AVX-512: oneDNN (ONEDNN_MAX_CPU_ISA),
  NumPy's SIMD loops (NPY_DISABLE_CPU_FEATURES) and OpenBLAS (OPENBLAS_CORETYPE, AMD Zen's kernels). It makes
  the numbers of an AVX2 machine on an AVX-512 one, for the pins that must hold on both (tests/pins/), and is
  recorded and keyed like every other setting. It cannot add what the CPU lacks (avx512 on an AVX2 CPU is refused).

After the import, `describe()` reads back what is in force (not what was asked: a backend imported
before `configure()` keeps its own settings) for every run's tags, and `key()` is the part of it that
changes numbers: oneDNN, the CPU's vector width, threads, device, the versions of the packages that compute
(keras, the backend, numpy, scipy), and any numerics-changing variable set (XLA, determinism and kernel
flags). It is part of every run key and execution key, so runs made under different kernels or packages are
never mixed in one verdict.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import MutableMapping
from pathlib import Path

THREADS_ENV = "REPROBENCH_THREADS"
SET_BY_PROJECT_ENV = "REPROBENCH_NUMERICS_SET"  # the variables configure() set (children inherit them as ours)
ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"
# thread variables each backend reads when it is imported
THREAD_ENVS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
CPU_ISA_ENV = "REPROBENCH_CPU_ISA"
# the x86 vector widths told apart, narrowest first (the kernels differ between them)
CPU_ISAS = ("avx", "avx2", "avx512")
# what caps each library's kernels at AVX2 on a CPU that has AVX-512 (NumPy's names for its AVX-512 groups:
# numpy >= 2.3 calls them X86_V4, AVX512_ICL, AVX512_SPR; older ones AVX512F, AVX512_SKX, …; unknown names are
# ignored); OpenBLAS's Zen kernels are an AVX2 AMD EPYC's
CPU_ISA_CAPS = {"avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2",
                         "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_KNL "
                                                     "AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL",
                         "OPENBLAS_CORETYPE": "Zen"}}
# variables that change numbers when set (by hand, or by --cpu-isa): recorded, and part of the key
KEYED_ENVS = ("XLA_FLAGS", "TF_XLA_FLAGS", "TF_DETERMINISTIC_OPS", "TF_CUDNN_DETERMINISTIC", "CUBLAS_WORKSPACE_CONFIG",
              "JAX_ENABLE_X64", "JAX_DEFAULT_MATMUL_PRECISION", "NVIDIA_TF32_OVERRIDE", "ONEDNN_MAX_CPU_ISA",
              "DNNL_MAX_CPU_ISA", "NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE")
# the packages whose versions change numbers: part of the key
KEYED_PACKAGES = ("keras", "numpy", "scipy")
BACKEND_MODULES = ("tensorflow", "jax", "torch")


class NumericsError(ValueError):
    """A numeric setting that cannot be honoured; the message says why in one line."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), which the backends size their pools by."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def native_cpu_isa(cpuinfo: str | None = None) -> str:
    """The widest vector extension the CPU has ('avx512', 'avx2', 'avx'), or the machine's architecture where it
    is not an x86 with AVX (e.g. 'aarch64')."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            cpuinfo = ""
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    for isa, flag in (("avx512", "avx512f"), ("avx2", "avx2"), ("avx", "avx")):
        if flag in flags:
            return isa
    return platform.machine() or "unknown"


def _cpu_isa_option(text: str | None) -> str | None:
    if text is None or not str(text).strip():
        return None
    value = str(text).strip().lower()
    if value not in CPU_ISA_CAPS and value not in CPU_ISAS:
        raise NumericsError(f"{CPU_ISA_ENV} must be one of {', '.join(CPU_ISAS)}, got {text!r}")
    return value


def _threads_option(text: str | None) -> int | None:
    if text is None or not str(text).strip():
        return None
    try:
        value = int(text)
    except ValueError:
        raise NumericsError(f"{THREADS_ENV} must be a whole number, got {text!r}") from None
    if value < 1:
        raise NumericsError(f"{THREADS_ENV} must be at least 1, got {value}")
    return value


def _set_by_project(environ: MutableMapping[str, str]) -> set[str]:
    return {name for name in environ.get(SET_BY_PROJECT_ENV, "").split(",") if name}


def configure(threads: int | None = None, environ: MutableMapping[str, str] = os.environ,
              cpu_isa: str | None = None, cpuinfo: str | None = None) -> dict[str, str]:
    """Set the project's numeric environment in `environ`, before a backend (and NumPy) is imported; returns
    what it set.

    `threads` (else REPROBENCH_THREADS, else every usable core) is the thread count. `cpu_isa` (else
    REPROBENCH_CPU_ISA) caps the kernels at that vector width where the CPU has a wider one (CPU_ISA_CAPS). A
    variable the user exported is left as it is. Called again (a second entry point in one process, or a child
    process that inherited the variables), it changes only what it set itself.
    """
    threads = threads if threads is not None else _threads_option(environ.get(THREADS_ENV))
    if threads is not None and threads < 1:
        raise NumericsError(f"threads must be at least 1, got {threads}")
    cpu_isa = _cpu_isa_option(cpu_isa if cpu_isa is not None else environ.get(CPU_ISA_ENV))
    native = native_cpu_isa(cpuinfo)
    if cpu_isa is not None and native in CPU_ISAS and CPU_ISAS.index(cpu_isa) > CPU_ISAS.index(native):
        raise NumericsError(f"--cpu-isa {cpu_isa} cannot be honoured: this CPU's widest vector extension is {native}")
    if cpu_isa is not None and native not in CPU_ISAS:
        raise NumericsError(f"--cpu-isa {cpu_isa} needs an x86 CPU with AVX; this one is {native}")
    ours = _set_by_project(environ)
    count = str(threads or usable_cores())
    wanted = {ONEDNN_ENV: "1", **{name: count for name in THREAD_ENVS}}
    if cpu_isa is not None and cpu_isa != native:
        wanted.update(CPU_ISA_CAPS.get(cpu_isa, {}))
    chosen = {}
    for name, value in wanted.items():
        if name in environ and name not in ours:
            continue  # the user's choice stands (describe() records it as theirs)
        environ[name] = value
        chosen[name] = value
    if threads is not None:
        environ[THREADS_ENV] = str(threads)
    if cpu_isa is not None:
        environ[CPU_ISA_ENV] = cpu_isa
    environ[SET_BY_PROJECT_ENV] = ",".join(sorted(ours | set(chosen)))
    return chosen


def _source(name: str, environ: MutableMapping[str, str]) -> str:
    """Who chose a variable's value: the user's shell, `--threads` (a thread variable), the project, or nobody."""
    if name not in environ:
        return "backend default"
    if name not in _set_by_project(environ):
        return f"user ({name})"
    return "--threads" if name in THREAD_ENVS and environ.get(THREADS_ENV) else "project"


def _env_int(name: str, environ) -> int | None:
    try:
        return int(environ[name]) if environ.get(name) else None
    except ValueError:
        return None


def _tensorflow(environ) -> dict[str, str]:
    import tensorflow as tf

    try:  # the state TensorFlow decided on (the variable, or its own default for this CPU)
        from tensorflow.python.util import _pywrap_util_port

        onednn = "on" if _pywrap_util_port.IsMklEnabled() else "off"
    except (ImportError, AttributeError):
        onednn = "off" if environ.get(ONEDNN_ENV, "").strip().lower() in ("0", "false") else "unknown"
    cores = usable_cores()
    intra = tf.config.threading.get_intra_op_parallelism_threads() or _env_int("TF_NUM_INTRAOP_THREADS", environ) or cores
    inter = tf.config.threading.get_inter_op_parallelism_threads() or _env_int("TF_NUM_INTEROP_THREADS", environ) or cores
    gpu = bool(tf.config.list_physical_devices("GPU"))
    return {"onednn": onednn, "onednn_source": _source(ONEDNN_ENV, environ),
            "threads": str(intra), "inter_op_threads": str(inter),
            "threads_source": _source("TF_NUM_INTRAOP_THREADS", environ),
            # Keras' jit_compile='auto': XLA where TensorFlow sees a GPU, a tf.function graph on a CPU
            "jit": "XLA (jit_compile auto, GPU)" if gpu else "tf.function graph, no XLA (jit_compile auto, CPU)"}


def _torch(environ) -> dict[str, str]:
    import torch

    mkldnn = torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled
    return {"onednn": "on" if mkldnn else "off", "onednn_source": "torch's default",
            "threads": str(torch.get_num_threads()), "inter_op_threads": str(torch.get_num_interop_threads()),
            "threads_source": _source("OMP_NUM_THREADS", environ), "jit": "eager (jit_compile auto on torch)"}


def _jax(environ) -> dict[str, str]:
    import jax

    return {"threads": str(usable_cores()), "threads_source": "XLA's CPU client: every usable core",
            "jit": f"XLA (jax.jit) on {jax.devices()[0].platform}"}


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def cpu_isa_in_force(environ: MutableMapping[str, str] = os.environ, cpuinfo: str | None = None) -> tuple[str, str]:
    """(the vector width the kernels are chosen for, who chose it): the CPU's own, or capped by --cpu-isa."""
    native = native_cpu_isa(cpuinfo)
    asked = environ.get(CPU_ISA_ENV)
    if asked and native in CPU_ISAS and asked in CPU_ISAS and CPU_ISAS.index(asked) < CPU_ISAS.index(native):
        return asked, f"--cpu-isa (the CPU has {native})"
    return native, "the CPU's flags"


def describe(backend: str, environ: MutableMapping[str, str] = os.environ) -> dict[str, str]:
    """What is in force for `backend` (already imported by Keras): oneDNN, the CPU's vector width, threads, jit,
    the versions of the packages that compute, the usable cores and any numerics-changing variable set, as tag
    values."""
    isa, isa_source = cpu_isa_in_force(environ)
    found = {"backend_version": _version(backend), "usable_cores": str(usable_cores()), "cpu_isa": isa,
             "cpu_isa_source": isa_source, **{f"{name}_version": _version(name) for name in KEYED_PACKAGES}}
    reader = {"tensorflow": _tensorflow, "torch": _torch, "jax": _jax}.get(backend)
    if reader is not None:
        found.update(reader(environ))
    found.update({f"env.{name}": environ[name] for name in KEYED_ENVS if environ.get(name)})
    return found


KEYED = ("onednn", "threads", "cpu_isa", "backend_version", *(f"{name}_version" for name in KEYED_PACKAGES))


def key(described: dict[str, str], device: str) -> dict[str, str]:
    """The part of `describe()` that changes numbers, with the device: part of every run and execution key."""
    return {"device": device, **{name: described[name] for name in KEYED if name in described},
            **{name: value for name, value in described.items() if name.startswith("env.")}}


def check(backend: str, described: dict[str, str], environ: MutableMapping[str, str] = os.environ) -> None:
    """Refuse a thread count the backend did not honour (JAX has no setting below every usable core)."""
    asked = _threads_option(environ.get(THREADS_ENV))
    if asked is not None and described.get("threads") != str(asked):
        raise NumericsError(f"--threads {asked} cannot be honoured on {backend}: it runs {described.get('threads')} "
                            f"thread(s), as set by {described.get('threads_source', 'its own default')}")


def too_late(modules=sys.modules) -> list[str]:
    """Backends imported before configure() ran: they keep the settings they read then."""
    return [name for name in BACKEND_MODULES if name in modules]


def label(described: dict[str, str]) -> str:
    """'oneDNN on · AVX-512 · 2 threads', for progress lines and the report."""
    parts = [f"oneDNN {described['onednn']}"] if "onednn" in described else []
    if described.get("cpu_isa") in CPU_ISAS:
        parts.append({"avx": "AVX", "avx2": "AVX2", "avx512": "AVX-512"}[described["cpu_isa"]]
                     + (" (capped)" if described.get("cpu_isa_source", "").startswith("--cpu-isa") else ""))
    if "threads" in described:
        parts.append(f"{described['threads']} thread{'s' if described['threads'] != '1' else ''}")
    return " · ".join(parts)
