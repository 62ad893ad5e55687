"""Fair tuning: the same grid for every tuned arm, each arm's best value chosen from its stored tuning runs."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np

from reproductions.claim import Tuning


@dataclasses.dataclass(frozen=True)
class GridPoint:
    value: float
    n: int
    median: float  # of the selection metric over the tuning seeds (nan when every run failed)
    tiebreak: float  # median of the tie-break metric, or nan


@dataclasses.dataclass(frozen=True)
class TuningChoice:
    arm: str
    value: float | None  # None when no grid point has a finished run
    on_edge: bool
    points: tuple[GridPoint, ...]
    pending: tuple[float, ...] = ()  # values the grid was extended to (Tuning.extend_edges) that have no run yet
    extended: tuple[float, ...] = ()  # the values beyond the claim's grid this arm was tried at


def _median(values: Sequence[float]) -> float:
    finite = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.median(finite)) if finite else math.nan


def choose(tuning: Tuning, arm: str, runs_by_value: Mapping[float, Sequence[Mapping[str, float]]],
           grid: Sequence[float] | None = None) -> TuningChoice:
    """The best value of the arm's grid (default: the tuning grid): the best median metric; values within
    `tuning.tie_margin` of it are tied, and ties go to the better median tie-break, then the better metric."""
    grid = tuple(tuning.grid if grid is None else grid)
    points = []
    for value in grid:
        metrics = runs_by_value.get(value, [])
        points.append(GridPoint(value, len(metrics), _median([m.get(tuning.metric, math.nan) for m in metrics]),
                                _median([m.get(tuning.tiebreak, math.nan) for m in metrics]) if tuning.tiebreak else math.nan))
    candidates = [p for p in points if p.n]
    if not candidates:
        return TuningChoice(arm, None, False, tuple(points))
    sign = 1.0 if tuning.direction == "less" else -1.0
    tiebreak_sign = 1.0 if tuning.tiebreak_direction == "less" else -1.0

    def score(point: GridPoint) -> float:  # lower is better; a value whose every run failed ranks last
        return sign * point.median if not math.isnan(point.median) else math.inf

    best_score = min(score(p) for p in candidates)  # inf only when every candidate failed: then all tie
    tied = [p for p in candidates if score(p) <= best_score + tuning.tie_margin + 1e-12]  # 1e-12: decimal rounding

    def key(point: GridPoint):
        tiebreak = tiebreak_sign * point.tiebreak if not math.isnan(point.tiebreak) else math.inf
        return (tiebreak, score(point))

    best = min(tied, key=key)
    return TuningChoice(arm, best.value, best.value in (grid[0], grid[-1]), tuple(points))


def choose_extended(tuning: Tuning, arm: str, runs_by_value: Mapping[float, Sequence[Mapping[str, float]]],
                    grid: Sequence[float] | None = None) -> TuningChoice:
    """`choose`, with the grid extended by `tuning.extend_edges`: while the best value lies on an edge of the
    grid and rounds remain, the next value past that edge joins the grid. A value that joined but has no run
    yet is `pending`: the choice is not final until it has run (the runner runs it, then asks again)."""
    grid = tuple(tuning.grid if grid is None else grid)
    base = set(grid)
    for _ in range(tuning.extend_edges):
        choice = choose(tuning, arm, runs_by_value, grid)
        if choice.value is None or not choice.on_edge:
            break
        value = tuning.beyond(grid, "high" if choice.value == grid[-1] else "low")
        grid = tuple(sorted(grid + (value,)))
        if not runs_by_value.get(value):
            # still the edge of what has run: on the edge until the value past it has run
            return dataclasses.replace(choose(tuning, arm, runs_by_value, grid), on_edge=True, pending=(value,),
                                       extended=tuple(v for v in grid if v not in base))
    return dataclasses.replace(choose(tuning, arm, runs_by_value, grid), extended=tuple(v for v in grid if v not in base))
