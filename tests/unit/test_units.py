"""The identical/dead-unit detector (reproductions/common/units.py)."""

from __future__ import annotations

import numpy as np
import pytest

from reproductions.common import units as U

pytestmark = pytest.mark.unit


def test_unit_vectors_are_the_kernel_columns_with_their_bias():
    kernel = np.arange(6, dtype="float32").reshape(3, 2)  # fan_in 3, 2 units
    rows = U.unit_vectors(kernel, bias=[10.0, 20.0])
    assert rows.dtype == np.float64
    np.testing.assert_array_equal(rows, [[0, 2, 4, 10], [1, 3, 5, 20]])
    np.testing.assert_array_equal(U.unit_vectors(kernel), [[0, 2, 4], [1, 3, 5]])


def test_conv_kernels_flatten_per_output_channel():
    kernel = np.random.default_rng(0).standard_normal((3, 3, 2, 4))
    rows = U.unit_vectors(kernel)
    assert rows.shape == (4, 18)
    np.testing.assert_array_equal(rows[1], kernel[..., 1].ravel())


def test_a_bias_per_unit_is_required():
    with pytest.raises(ValueError):
        U.unit_vectors(np.zeros((3, 2)), bias=[0.0, 0.0, 0.0])


def test_identical_units_have_zero_spread_and_one_distinct_unit():
    column = np.random.default_rng(1).standard_normal((50, 1))
    kernel = np.repeat(column, 8, axis=1)
    rows = U.unit_vectors(kernel, np.full(8, 0.3))
    assert U.max_pairwise_spread(rows) == 0.0
    assert U.relative_spread(rows) == 0.0
    assert U.min_pairwise_distance(rows) == 0.0
    assert U.distinct_units(rows) == 1
    assert U.distinct_units(rows, 1e-3) == 1


def test_spread_is_the_largest_coordinate_difference_between_two_units():
    rows = np.array([[0.0, 1.0, 2.0], [0.5, 1.0, 2.0], [0.0, 0.25, 2.0]])
    # pairs: (0,1) 0.5, (0,2) 0.75, (1,2) 0.75 -> max 0.75, min 0.5
    assert U.max_pairwise_spread(rows) == pytest.approx(0.75)
    assert U.min_pairwise_distance(rows) == pytest.approx(0.5)
    assert U.scale(rows) == 2.0
    assert U.relative_spread(rows) == pytest.approx(0.375)


def test_a_tiny_difference_is_distinct_bitwise_but_not_within_a_tolerance():
    rows = np.ones((4, 10))
    rows[2, 3] += 1e-9
    assert U.max_pairwise_spread(rows) == pytest.approx(1e-9)
    assert U.distinct_units(rows, 0.0) == 2
    assert U.distinct_units(rows, 1e-6) == 1


def test_random_units_are_all_distinct():
    rows = np.random.default_rng(2).standard_normal((64, 100))
    assert U.distinct_units(rows) == 64
    assert U.distinct_units(rows, 1e-4 * U.scale(rows)) == 64
    assert U.relative_spread(rows) > 0.5


def test_groups_are_counted_as_connected_components_in_any_order():
    # a chain 0 - 0.4 - 0.8 at tolerance 0.5 is one group (linked through the middle), plus a far unit
    rows = np.array([[0.0], [0.8], [5.0], [0.4]])
    for order in ([0, 1, 2, 3], [1, 0, 3, 2], [3, 2, 1, 0]):
        assert U.distinct_units(rows[order], 0.5) == 2
    assert U.distinct_units(rows, 0.3) == 4


def test_two_groups_of_identical_units():
    a, b = np.zeros(5), np.ones(5)
    rows = np.stack([a, b, a, b, b])
    assert U.distinct_units(rows) == 2
    assert U.distinct_units(rows, 0.5) == 2


def test_edge_cases():
    assert U.max_pairwise_spread(np.ones((1, 3))) == 0.0
    assert U.min_pairwise_distance(np.ones((1, 3))) == float("inf")
    assert U.distinct_units(np.zeros((0, 3))) == 0
    assert U.relative_spread(np.zeros((5, 3))) == 0.0  # an all-zero layer: identical, scale 0
    with pytest.raises(ValueError):
        U.distinct_units(np.ones((2, 2)), -1.0)


def test_dead_units_do_not_vary_over_the_batch():
    rng = np.random.default_rng(3)
    activations = np.maximum(rng.standard_normal((32, 6)), 0.0)
    activations[:, [1, 4]] = 0.0  # dead ReLUs
    activations[:, 5] = 0.7  # stuck at one value
    assert U.dead_units(activations) == 3
    images = np.maximum(rng.standard_normal((8, 5, 5, 4)), 0.0)
    images[..., 2] = 0.0
    assert U.dead_units(images) == 1  # channels last: a conv map dead everywhere


def test_layer_symmetry_summary():
    rng = np.random.default_rng(4)
    summary = U.layer_symmetry(np.full((20, 6), 0.01), np.zeros(6))
    assert summary["units"] == 6 and summary["distinct"] == 1 and summary["distinct_bitwise"] == 1
    assert summary["relative_spread"] == 0.0 and summary["relative_min_distance"] == 0.0
    kernel = rng.standard_normal((20, 6))
    summary = U.layer_symmetry(kernel, np.zeros(6))
    assert summary["distinct"] == 6 and summary["relative_min_distance"] > 0.1
    assert summary["scale"] == np.abs(kernel).max() and summary["spread"] > 0
