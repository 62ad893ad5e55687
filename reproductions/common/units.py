"""Identical and dead units: whether a layer's units differ from each other, up to a tolerance.

A unit is described by its incoming weights: column j of a Dense kernel (or output channel j of a
conv kernel, flattened), with its bias appended. Two units are the same unit when these vectors are
equal; symmetric initialisation (all weights zero, or any constant) makes every unit of a layer the
same, and gradient descent keeps them so (lecture 003/004: "every neuron computes the same output,
gets the same gradient"). Distances are L∞ (the largest coordinate difference): "equal within a
tolerance" then means every weight is.

A dead unit is one whose activation does not vary over a batch (e.g. a ReLU that is zero on every
input). Everything here is numpy in float64; pass weights and activations as numpy arrays.
"""

from __future__ import annotations

import numpy as np


def unit_vectors(kernel, bias=None) -> np.ndarray:
    """(units, fan_in [+ 1]) float64: row j is unit j's incoming weights, and its bias when given.

    The units are the kernel's last axis: Dense (fan_in, units), Conv2D (kh, kw, c_in, units)."""
    kernel = np.asarray(kernel, dtype="float64")
    rows = kernel.reshape(-1, kernel.shape[-1]).T
    if bias is not None:
        bias = np.asarray(bias, dtype="float64").reshape(-1, 1)
        if len(bias) != len(rows):
            raise ValueError(f"{len(bias)} biases for {len(rows)} units")
        rows = np.concatenate([rows, bias], axis=1)
    return rows


def scale(units) -> float:
    """The layer's weight scale, max |w| (0 for an all-zero layer): what relative tolerances multiply."""
    units = np.asarray(units, dtype="float64")
    return float(np.abs(units).max()) if units.size else 0.0


def max_pairwise_spread(units) -> float:
    """The largest L∞ distance between any two units: max over coordinates of (max − min) over units.
    0 exactly when all units are bitwise equal."""
    units = np.asarray(units, dtype="float64")
    if len(units) < 2:
        return 0.0
    return float(np.ptp(units, axis=0).max())


def relative_spread(units) -> float:
    """max_pairwise_spread / scale: 0 for identical units, of order 1 for independent random ones
    (0 for an all-zero layer)."""
    s = scale(units)
    return max_pairwise_spread(units) / s if s > 0 else 0.0


def _pairwise_linf(units: np.ndarray, i: int) -> np.ndarray:
    """L∞ distances from unit i to units i+1, i+2, …"""
    return np.abs(units[i + 1:] - units[i]).max(axis=1)


def min_pairwise_distance(units) -> float:
    """The smallest L∞ distance between two different units (inf for fewer than two units)."""
    units = np.asarray(units, dtype="float64")
    if len(units) < 2:
        return float("inf")
    return float(min(_pairwise_linf(units, i).min() for i in range(len(units) - 1)))


def distinct_units(units, tolerance: float = 0.0) -> int:
    """How many different units a layer has: the groups of units linked by L∞ distances ≤ `tolerance`
    (connected components, so the count does not depend on the units' order). With tolerance 0 it
    counts bitwise-different weight vectors."""
    units = np.asarray(units, dtype="float64")
    n = len(units)
    if n == 0:
        return 0
    if tolerance < 0:
        raise ValueError(f"tolerance {tolerance} must be >= 0")
    if tolerance == 0:
        return int(len(np.unique(units, axis=0)))
    parent = list(range(n))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n - 1):
        for j in np.flatnonzero(_pairwise_linf(units, i) <= tolerance) + i + 1:
            a, b = root(i), root(int(j))
            if a != b:
                parent[b] = a
    return len({root(i) for i in range(n)})


def dead_units(activations, tolerance: float = 0.0) -> int:
    """Units (last axis) whose activation varies by at most `tolerance` over the batch (all other
    axes): a ReLU that is zero on every input, or a unit stuck at one value."""
    activations = np.asarray(activations, dtype="float64")
    flat = activations.reshape(-1, activations.shape[-1])
    return int(np.sum(np.ptp(flat, axis=0) <= tolerance))


def layer_symmetry(kernel, bias=None, relative_tolerance: float = 1e-4) -> dict[str, float]:
    """A layer's symmetry summary: units, scale, spread (absolute and relative), the closest pair's
    relative distance, and distinct units bitwise and within `relative_tolerance` × scale."""
    units = unit_vectors(kernel, bias)
    s = scale(units)
    closest = min_pairwise_distance(units)
    return {
        "units": float(len(units)),
        "scale": s,
        "spread": max_pairwise_spread(units),
        "relative_spread": relative_spread(units),
        "relative_min_distance": closest / s if s > 0 else 0.0,
        "distinct_bitwise": float(distinct_units(units, 0.0)),
        "distinct": float(distinct_units(units, relative_tolerance * s)),
    }
