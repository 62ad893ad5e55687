"""How noisy an image (a first-layer filter) looks: one minus its neighbouring pixels' correlation.

cs231n reads a net's first-layer weights by eye: "Noisy weights => regularization maybe not strong
enough", "Nice clean weights: training is proceeding well". To judge that over seeds we need a number.
For a 2-D image f with mean m and variance s², the roughness is

    R(f) = [ mean (f[i, j+1] - f[i, j])²  +  mean (f[i+1, j] - f[i, j])² ] / (4 s²)

the mean squared step to the right and downward neighbour, over twice the variance of a pixel. Since
E(a - b)² = 2 s² (1 - corr(a, b)), R is 1 minus the average lag-1 correlation of neighbouring pixels:

    white noise          R ≈ 1   (neighbours uncorrelated)
    a smooth picture     R ≈ 0   (neighbours nearly equal)
    a checkerboard       R = 2   (neighbours anti-correlated; the most R can be)

R does not change when the image is scaled or shifted (f -> a·f + b, a ≠ 0), so L2's shrinking of a
filter does not by itself lower it: only a change of the filter's shape does. A constant image has no
shape; its roughness is 0 (no step between neighbours).
"""

from __future__ import annotations

import numpy as np


def roughness(images: np.ndarray) -> np.ndarray:
    """Roughness of each image in a stack of shape (..., H, W) (H, W ≥ 2), as float64 of shape (...)."""
    f = np.asarray(images, dtype="float64")
    if f.ndim < 2 or f.shape[-1] < 2 or f.shape[-2] < 2:
        raise ValueError(f"need images of at least 2×2 pixels, got shape {f.shape}")
    across = np.mean(np.diff(f, axis=-1) ** 2, axis=(-2, -1))
    down = np.mean(np.diff(f, axis=-2) ** 2, axis=(-2, -1))
    variance = np.var(f, axis=(-2, -1))
    # a constant image (variance 0) has no step between neighbours either: call it smooth
    tiny = variance <= 1e-300
    return np.where(tiny, 0.0, (across + down) / (4.0 * np.where(tiny, 1.0, variance)))


def filters_as_images(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A Dense kernel (inputs × units) whose inputs are row-major flattened H×W images, as one H×W image
    per unit: (units, H, W)."""
    kernel = np.asarray(kernel)
    height, width = shape
    if kernel.ndim != 2 or kernel.shape[0] != height * width:
        raise ValueError(f"a kernel of shape {kernel.shape} does not take {height}×{width} images as input")
    return kernel.T.reshape(kernel.shape[1], height, width)
