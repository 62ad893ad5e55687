"""Plots the report and the execution runs carry, drawn from stored numbers only (matplotlib, Agg)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from mlflow_tracking import runs  # noqa: E402
from reproductions.claim import PlotSpec  # noqa: E402

# series_by_arm[arm][repeat] = {step: value}; scalars_by_arm[arm][repeat] = value
SeriesByArm = Mapping[str, Mapping[int, Mapping[int, float]]]


def _positive(values: np.ndarray, log_y: bool) -> np.ndarray:
    return np.where(values > 0, values, np.nan) if log_y else values


def draw_series(spec: PlotSpec, series_by_arm: SeriesByArm, path: Path, line: float | None = None) -> Path:
    figure, axes = plt.subplots(figsize=(7.5, 4.5))
    if line is not None:
        axes.axhline(line, color="gray", linestyle=":", label=f"{spec.line_param} = {line:g}")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, (arm, per_seed) in enumerate(series_by_arm.items()):
        color = colors[index % len(colors)]
        steps = sorted({step for points in per_seed.values() for step in points})
        if not steps:
            continue
        grid = np.array([[points.get(step, np.nan) for step in steps] for points in per_seed.values()], dtype=float)
        grid = _positive(grid, spec.log_y)
        with np.errstate(all="ignore"):
            mean = np.nanmean(grid, axis=0)
            low, high = np.nanmin(grid, axis=0), np.nanmax(grid, axis=0)
        axes.plot(steps, mean, "o-", color=color, label=f"{arm} (n={len(per_seed)})", markersize=3)
        axes.fill_between(steps, low, high, color=color, alpha=0.2, linewidth=0)
        reference = spec.reference.get(arm)
        if reference is not None:
            ref = _positive(np.asarray(reference, dtype=float), spec.log_y)
            axes.plot(range(1, len(ref) + 1), ref, "x--", color=color, alpha=0.8, markersize=5)
    if spec.reference:
        axes.plot([], [], "kx--", label=f"{spec.reference_label} (dashed)")
    if spec.log_y:
        axes.set_yscale("log")
    axes.set(title=spec.title, xlabel=spec.xlabel, ylabel=spec.ylabel)
    axes.title.set_fontsize(10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return _save(figure, path)


def draw_bar(spec: PlotSpec, scalars_by_arm: Mapping[str, Mapping[int, float]], path: Path, alpha: float = 0.05) -> Path:
    figure, axes = plt.subplots(figsize=(7.5, 4.5))
    arms = list(scalars_by_arm)
    means, errors = [], []
    for arm in arms:
        values = np.array([v for v in scalars_by_arm[arm].values() if np.isfinite(v)], dtype=float)
        means.append(values.mean() if len(values) else np.nan)
        if len(values) > 1 and np.ptp(values) > 0:
            ci = stats.ttest_1samp(values, 0.0).confidence_interval(1 - alpha)
            errors.append((ci.high - ci.low) / 2)
        else:
            errors.append(0.0)
    axes.bar(arms, means, yerr=errors, capsize=4, color="tab:blue", alpha=0.7)
    for index, (label, value) in enumerate(spec.reference.items()):
        axes.axhline(float(value), linestyle="--", color=f"C{index + 1}", label=f"{label}: {float(value):.4g}")
    if spec.log_y:
        axes.set_yscale("log")
    axes.set(title=spec.title, ylabel=spec.ylabel)
    axes.title.set_fontsize(10)
    axes.tick_params(axis="x", labelsize=8)
    if spec.reference:
        axes.legend(fontsize=8)
    axes.grid(alpha=0.3, axis="y")
    return _save(figure, path)


def _save(figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # fixed margins: tight_layout() measured every text box and took a third of the report's time
    figure.subplots_adjust(left=0.11, right=0.97, top=0.9, bottom=0.13)
    figure.savefig(path, dpi=100, metadata={"Software": None})  # no version/date: same store, same bytes
    plt.close(figure)
    return path


def draw_claim_plots(store, claim, used, results, directory: Path) -> list[tuple[str, Path]]:
    """A claim's plots from stored runs: `used` maps (arm, repeat) to the child run, `results` holds
    its scalar metrics. Returns (title, path) pairs."""
    drawn = []
    arms = [arm.name for arm in claim.arms]
    for spec in claim.plots:
        path = directory / f"{claim.id}-{spec.name}.png"
        if spec.kind == "series":
            data = {arm: {repeat: runs.series(store, run.run_id, spec.metric)
                          for (a, repeat), run in sorted(used.items()) if a == arm} for arm in arms}
            line = None
            if spec.line_param and used:
                first = next(iter(sorted(used.items())))[1]
                line = float(first.params[spec.line_param]) if spec.line_param in first.params else None
            draw_series(spec, {arm: per_seed for arm, per_seed in data.items() if per_seed}, path, line)
        else:
            data = {arm: {repeat: values[spec.metric] for repeat, values in results.get(arm, {}).items()
                          if spec.metric in values} for arm in arms}
            draw_bar(spec, {arm: v for arm, v in data.items() if v}, path)
        drawn.append((spec.title, path))
    return drawn
