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


@functools.lru_cache(maxsize=1)
def device(backend: str) -> str:
    """The accelerator the backend computes on, else the CPU's name."""
    try:
        if backend == "jax":
            import jax

            dev = jax.devices()[0]
            if dev.platform != "cpu":
                return f"{dev.platform}:{getattr(dev, 'device_kind', dev)}"
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                return f"gpu:{torch.cuda.get_device_name(0)}"
        elif backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                details = tf.config.experimental.get_device_details(gpus[0])
                return f"gpu:{details.get('device_name', gpus[0].name)}"
    except Exception:  # device detection must never break a run
        pass
    return f"cpu:{_cpu_name()}"


def tags(backend: str) -> dict[str, str]:
    return {
        "backend": backend,
        "device": device(backend),
        "git_sha": git_sha(),
        "python_version": platform.python_version(),
        "keras_version": _version("keras"),
        "tensorflow_version": _version("tensorflow"),
        "jax_version": _version("jax"),
        "torch_version": _version("torch"),
        "mlflow_version": _version("mlflow"),
    }
