"""Plots the report and the execution runs carry, drawn from stored numbers only (matplotlib, Agg)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# titles at the axes' top, not placed by measuring every tick label: a fifth of the report's time (117 plots of 41
# claims, 20.5 s → 16.9 s); the plots here put no tick labels on top, where an automatic title would move up
plt.rcParams["axes.titley"] = 1.0
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from reproductions.claim import PlotSpec  # noqa: E402

# series_by_arm[arm][repeat] = {step: value}; scalars_by_arm[arm][repeat] = value
SeriesByArm = Mapping[str, Mapping[int, Mapping[int, float]]]


def _positive(values: np.ndarray, log_y: bool) -> np.ndarray:
    return np.where(values > 0, values, np.nan) if log_y else values


def draw_series(spec: PlotSpec, series_by_arm: SeriesByArm, path: Path, line: float | None = None,
                stamp: str | None = None) -> Path:
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
    if axes.get_legend_handles_labels()[0]:  # no finished runs: no lines, no legend (and no warning)
        axes.legend(fontsize=8)
    return _save(figure, path, stamp=stamp)


def mean_interval(values: np.ndarray, alpha: float, log: bool) -> tuple[float, float, float]:
    """The mean and its (1 − alpha) t interval; on log axes the geometric mean and its interval (computed on log10,
    so it never crosses 0); values all within [0, 1] (a share, an accuracy) keep their interval within [0, 1]."""
    if log:
        values = values[values > 0]
        if not len(values):
            return np.nan, np.nan, np.nan
        mean, low, high = mean_interval(np.log10(values), alpha, log=False)
        return 10 ** mean, 10 ** low, 10 ** high
    if not len(values):
        return np.nan, np.nan, np.nan
    mean = float(values.mean())
    if len(values) < 2 or np.ptp(values) == 0:
        return mean, mean, mean
    ci = stats.ttest_1samp(values, 0.0).confidence_interval(1 - alpha)
    low, high = float(ci.low), float(ci.high)
    if values.min() >= 0 and values.max() <= 1:
        low, high = max(low, 0.0), min(high, 1.0)
    return mean, low, high


def sized_levels(claim, metric: str) -> list[tuple[str, str | None, str, float, str]]:
    """The sizes a claim's sub-claims on `metric` take from the lecture or a paper, as levels a bar chart can draw:
    (arm, baseline or None, 'ratio' | 'difference' | 'bound', amount, label). A ratio or difference is drawn over the
    arm's bar at the baseline's level times (plus) the amount: where the arm must be for the sourced size to hold
    (e.g. tanh at 6× ReLU's steps); a bound on one arm at the bound. Sizes of our own choosing are left to the
    report's tables: a chart shows what the source says."""
    levels = []
    for e in claim.expectations:
        source = e.size_source
        if (e.metric != metric or e.exact or not e.has_size or e.comparison not in ("greater", "less")
                or source is None or source.kind not in ("lecture", "paper")):
            continue
        where = f"{source.kind} ({source.seed})" if source.seed else source.kind
        if e.baseline is None:
            bound = 10 ** e.margin if e.scale == "log10" else e.margin
            levels.append((e.arm, None, "bound", float(bound), f"{e.arm}: {bound:.3g} ({where})"))
        elif e.scale == "log10":
            levels.append((e.arm, e.baseline, "ratio", float(10 ** e.margin),
                           f"{e.arm} at {10 ** e.margin:.2g}× {e.baseline} ({where})"))
        else:
            levels.append((e.arm, e.baseline, "difference", float(e.margin),
                           f"{e.arm} at {e.baseline} {e.margin:+.3g} ({where})"))
    return levels


def draw_bar(spec: PlotSpec, scalars_by_arm: Mapping[str, Mapping[int, float]], path: Path, alpha: float = 0.05,
             censored_by_arm: Mapping[str, Mapping[int, float]] | None = None, stamp: str | None = None,
             sized: tuple = (), omitted: tuple = ()) -> Path:
    """A scalar per arm with its 95 % interval: bars on a linear axis; on log axes points (a bar's length means
    nothing there), the geometric mean. Arms with runs censored at their budget are drawn as open markers with an
    arrow up (their values are lower bounds), and their label says how many. `sized` (sized_levels): the source's
    sizes, each a short dashed red line over its arm at the level the size puts it. `omitted`: arms left out (no
    sub-claim judges them on this measure and every run stopped at its budget), named under the chart."""
    figure, axes = plt.subplots(figsize=(7.5, 4.5))
    arms = list(scalars_by_arm)
    censored_by_arm = censored_by_arm or {}
    means, lows, highs, labels, bounds = [], [], [], [], []
    for arm in arms:
        values = np.array([v for v in scalars_by_arm[arm].values() if np.isfinite(v)], dtype=float)
        mean, low, high = mean_interval(values, alpha, spec.log_y)
        means.append(mean)
        lows.append(mean - low if np.isfinite(low) else 0.0)
        highs.append(high - mean if np.isfinite(high) else 0.0)
        flags = censored_by_arm.get(arm, {})
        n_censored = sum(1 for v in flags.values() if v and np.isfinite(v) and v > 0.5)
        bounds.append(n_censored > 0)
        labels.append(f"{arm}\n(≥: {n_censored} of {len(flags)} censored)" if n_censored else arm)
    positions = np.arange(len(arms))
    interval = f"{'geometric ' if spec.log_y else ''}mean over seeds; error bars: its {100 * (1 - alpha):.0f} % interval"
    if spec.log_y:  # points with their intervals: on log axes a bar's length has no meaning
        for index in range(len(arms)):
            axes.errorbar(positions[index], means[index], yerr=[[lows[index]], [highs[index]]], capsize=4,
                          marker="o", markersize=7, linestyle="none", color="tab:blue",
                          markerfacecolor="white" if bounds[index] else "tab:blue",
                          label=interval if index == 0 else None)
    else:
        axes.bar(positions, means, yerr=[lows, highs], capsize=4, color="tab:blue", alpha=0.7, label=interval)
    for index in np.flatnonzero(bounds):  # a lower bound: the true value lies above
        axes.annotate("", xy=(positions[index], means[index] * (1.6 if spec.log_y else 1.08)),
                      xytext=(positions[index], means[index]), arrowprops={"arrowstyle": "->", "color": "tab:red"})
    for index, (label, value) in enumerate(spec.reference.items()):
        axes.axhline(float(value), linestyle="--", color=f"C{index + 1}", label=f"{label}: {float(value):.4g}")
    for arm, baseline, kind, amount, label in sized:
        if arm not in arms or (baseline is not None and baseline not in arms):
            continue
        if baseline is None:
            level = amount
        else:  # the baseline's level as its bar shows it (the geometric mean where the size is a ratio)
            values = np.array([v for v in scalars_by_arm[baseline].values() if np.isfinite(v)], dtype=float)
            base = mean_interval(values, alpha, log=kind == "ratio")[0]
            level = base * amount if kind == "ratio" else base + amount
        if np.isfinite(level) and (level > 0 or not spec.log_y):
            position = positions[arms.index(arm)]
            axes.hlines(level, position - 0.42, position + 0.42, colors="tab:red", linestyles="--", linewidth=1.6,
                        label=f"the source's size: {label}")
    if spec.log_y:
        axes.set_yscale("log")
    if any(bounds):  # room above the highest bound for its arrow
        top = max(m + h for m, h in zip(means, highs) if np.isfinite(m))
        axes.set_ylim(top=top * (2.2 if spec.log_y else 1.15))
    axes.set_xticks(positions, labels)
    axes.set(title=spec.title, ylabel=spec.ylabel)
    axes.title.set_fontsize(10)
    crowded = len(arms) > 5 or max((len(label) for label in labels), default=0) > 14
    axes.tick_params(axis="x", labelsize=7 if crowded else 8, labelrotation=25 if crowded else 0)
    if crowded:
        for tick in axes.get_xticklabels():
            tick.set_horizontalalignment("right")
    axes.legend(fontsize=7)
    axes.grid(alpha=0.3, axis="y")
    if omitted:
        figure.text(0.01, 0.01, f"Not drawn (judged on other measures; every run stopped at its budget): "
                    f"{', '.join(omitted)}", fontsize=7, color="dimgray")
    return _save(figure, path, bottom=0.26 if crowded else 0.13, stamp=stamp)


def images_of(points: Mapping[int, float], shape: tuple[int, int]) -> np.ndarray:
    """A series of pixels (step i = pixel i, row-major, images concatenated) as an (n, H, W) array."""
    size = shape[0] * shape[1]
    n = len(points) // size
    if n == 0 or sorted(points) != list(range(n * size)):
        raise ValueError(f"a series of {len(points)} points is not whole {shape[0]}×{shape[1]} images from step 0")
    return np.array([points[i] for i in range(n * size)], dtype=float).reshape(n, *shape)


def draw_images(spec: PlotSpec, images_by_arm: Mapping[str, np.ndarray], path: Path, stamp: str | None = None) -> Path:
    """One row of tiles per arm (its first seed's images), each tile scaled to its own range (cs231n's pictures)."""
    arms = list(images_by_arm)
    columns = max((len(images) for images in images_by_arm.values()), default=1)
    figure, grid = plt.subplots(max(len(arms), 1), columns, figsize=(1.1 * columns + 1.4, 1.2 * max(len(arms), 1) + 0.6),
                                squeeze=False)
    for row, arm in enumerate(arms):
        for column in range(columns):
            axes = grid[row][column]
            axes.set_xticks([])
            axes.set_yticks([])
            images = images_by_arm[arm]
            if column < len(images):
                tile = images[column]
                low, high = np.nanmin(tile), np.nanmax(tile)
                axes.imshow((tile - low) / (high - low) if high > low else np.zeros_like(tile), cmap="gray",
                            vmin=0, vmax=1, interpolation="nearest")
            else:
                axes.axis("off")
            if column == 0:
                axes.set_ylabel(arm, fontsize=7, rotation=0, ha="right", va="center")
    figure.suptitle(spec.title, fontsize=10)
    figure.subplots_adjust(left=0.16, right=0.99, top=0.86, bottom=0.02, wspace=0.05, hspace=0.08)
    return _write(figure, path, stamp)


# points_by_arm[arm][repeat] = (x, y, score) arrays of equal length, one entry per trial
PointsByArm = Mapping[str, Mapping[int, tuple[np.ndarray, np.ndarray, np.ndarray]]]


def trial_points(x: Mapping[int, float], score: Mapping[int, float], y: Mapping[int, float] | None = None):
    """One run's trials as (x, y, score) arrays over the steps all the series hold; y is the score without y."""
    steps = sorted(set(x) & set(score) & (set(y) if y is not None else set(x)))
    xs = np.array([x[s] for s in steps], dtype=float)
    scores = np.array([score[s] for s in steps], dtype=float)
    return xs, (np.array([y[s] for s in steps], dtype=float) if y is not None else scores), scores


def best_index(scores: np.ndarray, best: str | None) -> int | None:
    finite = np.isfinite(scores)
    if best is None or not finite.any():
        return None
    masked = np.where(finite, scores, -np.inf if best == "greater" else np.inf)
    return int(np.argmax(masked) if best == "greater" else np.argmin(masked))


def _scatter_axes(axes, spec: PlotSpec) -> None:
    for index, (label, value) in enumerate(spec.reference.items()):
        axes.axvline(float(value), linestyle="--", color=f"C{index + 3}", label=f"{label}: {float(value):.4g}")
    if spec.log_x:
        axes.set_xscale("log")
    if spec.log_y:
        axes.set_yscale("log")
    axes.grid(alpha=0.3)


def draw_scatter(spec: PlotSpec, points_by_arm: PointsByArm, path: Path, stamp: str | None = None) -> Path:
    """A search's trials: without y_metric, score against x with each arm in its colour (all seeds); with it,
    a panel per arm of the sampled (x, y) points coloured by score. Each seed's best trial is a star."""
    arms = [arm for arm, per_seed in points_by_arm.items() if per_seed]
    if spec.y_metric is None:
        figure, axes = plt.subplots(figsize=(7.5, 4.5))
        panels = [axes] * max(len(arms), 1)
    else:
        figure, grid = plt.subplots(1, max(len(arms), 1), figsize=(3.6 * max(len(arms), 1) + 1.2, 4.2),
                                    squeeze=False, sharex=True, sharey=True)
        panels = list(grid[0])
        every = np.concatenate([p[2] for arm in arms for p in points_by_arm[arm].values()] or [np.zeros(1)])
        finite = every[np.isfinite(every)]
        low, high = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    mappable = None
    for index, arm in enumerate(arms):
        axes, color = panels[index], colors[index % len(colors)]
        per_seed = points_by_arm[arm]
        n_trials = sum(len(p[0]) for p in per_seed.values())
        for number, (xs, ys, scores) in enumerate(per_seed.values()):
            positive = (xs > 0 if spec.log_x else np.ones(len(xs), bool)) & (ys > 0 if spec.log_y else True)
            label = f"{arm} ({n_trials} trials, {len(per_seed)} seeds)" if number == 0 else None
            if spec.y_metric is None:
                axes.scatter(xs[positive], ys[positive], s=14, color=color, alpha=0.45, linewidths=0, label=label)
            else:
                mappable = axes.scatter(xs[positive], ys[positive], s=22, c=scores[positive], cmap="viridis",
                                        vmin=low, vmax=high, alpha=0.8, linewidths=0)
            best = best_index(scores, spec.best)
            if best is not None:
                axes.scatter([xs[best]], [ys[best]], marker="*", s=110, color=color if spec.y_metric is None else "red",
                             edgecolors="black", linewidths=0.6, zorder=3,
                             label=("best trial of each seed" if number == 0 and index == 0 else None))
        if spec.y_metric is not None:
            axes.set_title(f"{arm} ({n_trials} trials, {len(per_seed)} seeds)", fontsize=9)
    for axes in dict.fromkeys(panels):
        _scatter_axes(axes, spec)
        axes.set_xlabel(spec.xlabel)
    panels[0].set_ylabel(spec.ylabel)
    if spec.y_metric is None:
        panels[0].set_title(spec.title, fontsize=10)
        panels[0].legend(fontsize=8)
        return _save(figure, path, stamp=stamp)
    figure.suptitle(spec.title, fontsize=10)
    if spec.reference or spec.best:
        panels[0].legend(fontsize=7)
    if mappable is not None:
        figure.colorbar(mappable, ax=panels, label=spec.metric, shrink=0.9)
    return _write(figure, path, stamp)


def _save(figure, path: Path, bottom: float = 0.13, stamp: str | None = None) -> Path:
    # fixed margins: tight_layout() measured every text box and took a third of the report's time
    figure.subplots_adjust(left=0.11, right=0.97, top=0.9, bottom=bottom)
    return _write(figure, path, stamp)


STAMP_KEY = "reprobench-fingerprint"  # a PNG text chunk: what the picture was drawn from (PlotJob.fingerprint)
# an execution run's tag: {file name: fingerprint} of the plots stored with it (its "plots" artifacts), so a report
# knows without downloading anything which of them it can copy
STORED_TAG = "plots.fingerprints"


def _write(figure, path: Path, stamp: str | None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # no version or date: the same store gives the same bytes
    figure.savefig(path, dpi=100, metadata={"Software": None, **({STAMP_KEY: stamp} if stamp else {})})
    plt.close(figure)
    return path


def stamp_of(path: Path) -> str | None:
    """The fingerprint a plot file was drawn with (None: no such file, not a PNG, or drawn without one)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.text.get(STAMP_KEY) if hasattr(image, "text") else None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return None


@dataclasses.dataclass(frozen=True)
class PlotJob:
    """One plot of a claim, its data read from the store: drawing it needs nothing else (no store, no claim), so it
    can be drawn in another process, and its fingerprint says whether an earlier drawing is this one."""

    spec: PlotSpec
    data: dict  # the drawing function's arguments besides spec and path
    path: Path

    @functools.cached_property
    def fingerprint(self) -> str:
        """What the picture is made from: this module's code, matplotlib's version, the spec and the data (computed
        once: a report asks for it to keep, to copy and to draw)."""
        hasher = hashlib.sha256(_DRAWING_CODE + matplotlib.__version__.encode())
        hasher.update(json.dumps([_plain(_spec_fields(self.spec)), _plain(self.data)], sort_keys=True).encode())
        return hasher.hexdigest()[:20]

    def __reduce__(self):  # a spec's reference is a read-only mapping, which pickle refuses: send its fields
        return _job_from, (_spec_fields(self.spec), self.data, str(self.path))


_DRAWING_CODE = Path(__file__).read_bytes()


def _spec_fields(spec: PlotSpec) -> dict:
    fields = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec)}
    fields["reference"] = dict(fields["reference"])
    return fields


def _job_from(fields: dict, data: dict, path: str) -> PlotJob:
    return PlotJob(PlotSpec(**fields), data, Path(path))


def _plain(value):
    """A value as JSON sees it, the same for the same numbers (arrays as lists, mapping keys as text)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return [_plain(item) for item in value.tolist()]
    if isinstance(value, (float, np.floating)):
        return repr(float(value))  # nan and inf too, and every bit of the number
    if isinstance(value, np.integer):
        return int(value)
    return value


def plot_jobs(store, claim, used, results, directory: Path) -> list[PlotJob]:
    """A claim's plots as jobs, their data read from stored runs: `used` maps (arm, repeat) to the child run,
    `results` holds its scalar metrics."""
    from mlflow_tracking import runs  # here: a process that only draws never imports MLflow

    jobs = []
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
            job = {"series_by_arm": {arm: per_seed for arm, per_seed in data.items() if per_seed}, "line": line}
        elif spec.kind == "images":  # the first seed of each arm
            first = {}
            for (arm, _), run in sorted(used.items()):
                if arm not in first:
                    points = runs.series(store, run.run_id, spec.metric)
                    if points:
                        first[arm] = images_of(points, spec.image_shape)
            job = {"images_by_arm": {arm: first[arm] for arm in arms if arm in first}}
        elif spec.kind == "scatter":
            points = {arm: {} for arm in arms}
            for (arm, repeat), run in sorted(used.items()):
                x = runs.series(store, run.run_id, spec.x_metric)
                if arm in points and x:
                    y = runs.series(store, run.run_id, spec.y_metric) if spec.y_metric else None
                    points[arm][repeat] = trial_points(x, runs.series(store, run.run_id, spec.metric), y)
            job = {"points_by_arm": points}
        else:
            data = {arm: {repeat: values[spec.metric] for repeat, values in results.get(arm, {}).items()
                          if spec.metric in values} for arm in arms}
            # a run censored at its budget (a target never reached) gives a lower bound, drawn as one: the flag is
            # the one the claim's own sub-claims on this metric are judged with (Expectation.censored_by)
            flag = next((e.censored_by for e in claim.expectations if e.metric == spec.metric and e.censored_by), None)
            censored = {arm: {repeat: values[flag] for repeat, values in results.get(arm, {}).items() if flag in values}
                        for arm in arms} if flag else {}
            # an arm no sub-claim judges on this measure, every run of it stopped at its budget (a fixed-budget arm,
            # or one measured on something else), tells nothing here: left out, and the chart names it
            judged = {arm for e in claim.expectations if e.metric == spec.metric for arm in e.arms}
            omitted = tuple(arm for arm in arms if judged and arm not in judged and data.get(arm)
                            and censored.get(arm) and all(v > 0.5 for v in censored[arm].values()))
            job = {"scalars_by_arm": {arm: v for arm, v in data.items() if v and arm not in omitted},
                   "censored_by_arm": {arm: v for arm, v in censored.items() if arm not in omitted},
                   "sized": tuple(sized_levels(claim, spec.metric)), "omitted": omitted}
        jobs.append(PlotJob(spec, job, path))
    return jobs


def draw(job: PlotJob) -> Path:
    """Draw one job into its path, stamped with its fingerprint (the functions are looked up here, so a test may
    stand in for one)."""
    function = {"series": draw_series, "images": draw_images, "scatter": draw_scatter}.get(job.spec.kind, draw_bar)
    return function(job.spec, path=job.path, stamp=job.fingerprint, **job.data)


def is_drawn(job: PlotJob) -> bool:
    """Whether the job's file is already this picture: drawn from the same code, spec and data."""
    return stamp_of(job.path) == job.fingerprint
