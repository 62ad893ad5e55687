"""Provenance tags every run carries: backend, device, git sha, package versions."""

from __future__ import annotations

import functools
import importlib.metadata
import platform
import subprocess
from pathlib import Path


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@functools.lru_cache(maxsize=1)
def git_sha() -> str:
    """HEAD of the checkout this code runs from, '+dirty' when it has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _host_memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return _gib(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:.1f} GiB"


def _accelerator(backend: str) -> tuple[str, str] | None:
    """(name, memory) of the accelerator the backend computes on, or None on the CPU."""
    if backend == "jax":
        import jax

        dev = jax.devices()[0]
        if dev.platform != "cpu":
            stats = (dev.memory_stats() if hasattr(dev, "memory_stats") else None) or {}
            memory = _gib(stats["bytes_limit"]) if "bytes_limit" in stats else "unknown"
            return f"{dev.platform}:{getattr(dev, 'device_kind', dev)}", memory
    elif backend == "torch":
        import torch

        if torch.cuda.is_available():
            return f"gpu:{torch.cuda.get_device_name(0)}", _gib(torch.cuda.get_device_properties(0).total_memory)
    elif backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            details = tf.config.experimental.get_device_details(gpus[0])
            return f"gpu:{details.get('device_name', gpus[0].name)}", "unknown"
    return None


@functools.lru_cache(maxsize=4)
def device_details(backend: str) -> tuple[str, str]:
    """(device, memory): the accelerator the backend computes on and its memory, else the CPU's name
    and the host's memory."""
    try:
        found = _accelerator(backend)
        if found:
            return found
    except Exception:  # device detection must never break a run
        pass
    return f"cpu:{_cpu_name()}", _host_memory()


def device(backend: str) -> str:
    """The accelerator the backend computes on, else the CPU's name."""
    return device_details(backend)[0]


def tags(backend: str) -> dict[str, str]:
    name, memory = device_details(backend)
    return {
        "backend": backend,
        "device": name,
        "device_memory": memory,
        "git_sha": git_sha(),
        "python_version": platform.python_version(),
        "keras_version": _version("keras"),
        "tensorflow_version": _version("tensorflow"),
        "jax_version": _version("jax"),
        "torch_version": _version("torch"),
        "mlflow_version": _version("mlflow"),
    }
