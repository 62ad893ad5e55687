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
