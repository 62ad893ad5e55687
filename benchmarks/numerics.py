"""The numeric environment: what the project sets before a Keras backend is imported, and what it records.

A run's numbers depend on more than its seed. Measured on the 2-core development CPU (AMD EPYC,
TensorFlow 2.21), with the same seed and data:

- TensorFlow's oneDNN kernels are off by default there (TensorFlow turns them on by itself only on CPUs
  with AVX-512 VNNI/BF16 or AMX). Turned on, the quick CNN trains 2.9× faster, and the rounding differs.
- TensorFlow's intra-op thread count changes the numbers: a small CNN's weights after 3 epochs differ
  between 1 and 2 threads, with oneDNN on and off (an MLP's too, with oneDNN off). The inter-op count
  did not change them. At a fixed setting, runs are bit-for-bit repeatable.

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

After the import, `describe()` reads back what is in force (not what was asked: a backend imported
before `configure()` keeps its own settings) for every run's tags, and `key()` is the part of it that
changes numbers: backend, oneDNN, threads, device, and any numerics-changing variable the user set
(XLA and determinism flags). It is part of every run key and execution key, so runs made under
different kernels are never mixed in one verdict.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

THREADS_ENV = "REPROBENCH_THREADS"
SET_BY_PROJECT_ENV = "REPROBENCH_NUMERICS_SET"  # the variables configure() set (children inherit them as ours)
ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"
# thread variables each backend reads when it is imported
THREAD_ENVS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# variables that change numbers when set by hand: recorded, and part of the key
KEYED_ENVS = ("XLA_FLAGS", "TF_XLA_FLAGS", "TF_DETERMINISTIC_OPS", "TF_CUDNN_DETERMINISTIC", "CUBLAS_WORKSPACE_CONFIG",
              "JAX_ENABLE_X64", "JAX_DEFAULT_MATMUL_PRECISION", "NVIDIA_TF32_OVERRIDE")
BACKEND_MODULES = ("tensorflow", "jax", "torch")


class NumericsError(ValueError):
    """A numeric setting that cannot be honoured; the message says why in one line."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), which the backends size their pools by."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


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


def configure(threads: int | None = None, environ: MutableMapping[str, str] = os.environ) -> dict[str, str]:
    """Set the project's numeric environment in `environ`, before a backend is imported; returns what it set.

    `threads` (else REPROBENCH_THREADS, else every usable core) is the thread count. A variable the user
    exported is left as it is. Called again (a second entry point in one process, or a child process that
    inherited the variables), it changes only what it set itself.
    """
    threads = threads if threads is not None else _threads_option(environ.get(THREADS_ENV))
    if threads is not None and threads < 1:
        raise NumericsError(f"threads must be at least 1, got {threads}")
    ours = _set_by_project(environ)
    count = str(threads or usable_cores())
    wanted = {ONEDNN_ENV: "1", **{name: count for name in THREAD_ENVS}}
    chosen = {}
    for name, value in wanted.items():
        if name in environ and name not in ours:
            continue  # the user's choice stands (describe() records it as theirs)
        environ[name] = value
        chosen[name] = value
    if threads is not None:
        environ[THREADS_ENV] = str(threads)
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


def describe(backend: str, environ: MutableMapping[str, str] = os.environ) -> dict[str, str]:
    """What is in force for `backend` (already imported by Keras): oneDNN, threads, jit, the backend's
    version, the usable cores and any numerics-changing variable set, as tag values."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        backend_version = version(backend)
    except PackageNotFoundError:
        backend_version = "unknown"
    found = {"backend_version": backend_version, "usable_cores": str(usable_cores())}
    reader = {"tensorflow": _tensorflow, "torch": _torch, "jax": _jax}.get(backend)
    if reader is not None:
        found.update(reader(environ))
    found.update({f"env.{name}": environ[name] for name in KEYED_ENVS if environ.get(name)})
    return found


def key(described: dict[str, str], device: str) -> dict[str, str]:
    """The part of `describe()` that changes numbers, with the device: part of every run and execution key."""
    return {"device": device, **{name: described[name] for name in ("onednn", "threads") if name in described},
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
    """'oneDNN on · 2 threads', for progress lines and the report."""
    parts = [f"oneDNN {described['onednn']}"] if "onednn" in described else []
    if "threads" in described:
        parts.append(f"{described['threads']} thread{'s' if described['threads'] != '1' else ''}")
    return " · ".join(parts)
