"""The search block: log-space sampling and grids, and the one-model trial runner (a reset trial is a fresh trial)."""

import math

import keras
import numpy as np
import pytest

from reproductions.common.search import (CheapTrial, grid_points, log_grid, log_uniform, random_points,
                                         range_position)

pytestmark = pytest.mark.unit


def test_log_uniform_is_uniform_in_log_space_and_seeded():
    values = log_uniform(np.random.default_rng(0), 1e-6, 1e-2, 20000)
    assert values.min() >= 1e-6 and values.max() <= 1e-2
    logs = np.log10(values)
    # uniform on [-6, -2]: mean -4, a quarter in each decade (a linear-uniform draw would put 99.9% in the last)
    assert logs.mean() == pytest.approx(-4.0, abs=0.03)
    assert np.mean(logs < -5) == pytest.approx(0.25, abs=0.02)
    np.testing.assert_array_equal(values[:5], log_uniform(np.random.default_rng(0), 1e-6, 1e-2, 5))
    with pytest.raises(ValueError):
        log_uniform(np.random.default_rng(0), 1e-2, 1e-6, 3)
    with pytest.raises(ValueError):
        log_uniform(np.random.default_rng(0), 0.0, 1.0, 3)


def test_log_grid_has_the_endpoints_and_a_constant_ratio():
    grid = log_grid(1e-4, 1e-1, 4)
    np.testing.assert_allclose(grid, [1e-4, 1e-3, 1e-2, 1e-1])
    np.testing.assert_allclose(log_grid(1e-4, 1e-1, 3), [1e-4, 10 ** -2.5, 1e-1])
    with pytest.raises(ValueError):
        log_grid(1e-1, 1e-4, 3)


def test_grid_points_are_every_combination():
    points = grid_points({"learning_rate": [1e-3, 1e-2, 1e-1], "l2": [1e-5, 1e-4]})
    assert len(points) == 6
    assert points[0] == {"learning_rate": 1e-3, "l2": 1e-5} and points[1] == {"learning_rate": 1e-3, "l2": 1e-4}
    assert {(p["learning_rate"], p["l2"]) for p in points} == {(a, b) for a in (1e-3, 1e-2, 1e-1) for b in (1e-5, 1e-4)}
    assert len({p["learning_rate"] for p in points}) == 3  # a 3 × n grid tries 3 rates, whatever n


def test_random_points_stay_in_their_ranges_and_differ():
    points = random_points(np.random.default_rng(1), {"learning_rate": (1e-4, 1e-1), "l2": (1e-6, 1e-3)}, 9)
    assert len(points) == 9 and all(set(p) == {"learning_rate", "l2"} for p in points)
    assert all(1e-4 <= p["learning_rate"] <= 1e-1 and 1e-6 <= p["l2"] <= 1e-3 for p in points)
    assert len({p["learning_rate"] for p in points}) == 9  # every trial a distinct rate


def test_range_position_is_in_log_space():
    assert range_position(1e-4, 1e-4, 1e-3) == pytest.approx(0.0)
    assert range_position(1e-3, 1e-4, 1e-3) == pytest.approx(1.0)
    assert range_position(math.sqrt(1e-7), 1e-4, 1e-3) == pytest.approx(0.5)
    assert range_position(9.471549e-4, 1e-4, 1e-3) == pytest.approx(0.9764, abs=1e-4)  # the lecture's best


def _data(n=60, dim=12, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim)).astype("float32")
    y = (x[:, 0] > 0).astype("int32") + 2 * (x[:, 1] > 0).astype("int32")
    return x, y


def _trial(hidden=8, epochs=2, **kwargs):
    keras.utils.set_random_seed(3)
    x, y = _data()
    return CheapTrial(x, y, (x[:40], y[:40]), hidden=hidden, batch_size=10, epochs=epochs, classes=4, seed=5,
                      **kwargs)


def _kernels_and_biases(model):
    """The model's trainable weights (the L2 strengths left out)."""
    return [np.asarray(keras.ops.convert_to_numpy(v)) for v in model.trainable_variables]


@pytest.mark.parametrize("hidden", [0, 8])
def test_a_trial_is_what_a_fresh_model_with_keras_l2_does(hidden):
    trial = _trial(hidden=hidden)
    lr, l2 = 0.05, 0.01
    trial(lr, l2)
    # a fresh model: plain keras.regularizers.L2(l2), the trial's initial weights, a new SGD, the same batches
    layers = [keras.Input((12,))]
    if hidden:
        layers.append(keras.layers.Dense(hidden, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)))
    layers.append(keras.layers.Dense(4, kernel_regularizer=keras.regularizers.L2(l2)))
    fresh = keras.Sequential(layers)
    fresh.compile(optimizer=keras.optimizers.SGD(lr, momentum=0.9),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    start = iter(trial.initial_weights)
    initial = []
    for layer in trial.model.layers:  # each layer's weights: l2_strength first, then kernel and bias
        names = [w.name for w in layer.weights]
        values = [next(start) for _ in names]
        initial += [v for n, v in zip(names, values) if n != "l2_strength"]
    fresh.set_weights(initial)
    for batches in trial.batches:
        for index in batches:
            fresh.train_on_batch(trial.x[index], trial.y[index])
    for ours, theirs in zip(_kernels_and_biases(trial.model), _kernels_and_biases(fresh)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_trials_are_reset_and_the_strength_and_rate_take_effect():
    trial = _trial(epochs=3)
    first = trial(0.05, 1e-5)
    assert sorted(first) == [1, 2, 3] and all(0 <= v <= 1 for v in first.values())
    trial(0.05, 1.0)  # an L2 strength that dominates the loss: smaller weights
    weights_heavy = _kernels_and_biases(trial.model)
    again = trial(0.05, 1e-5)
    assert again == first  # the same init, optimizer state and batches: the same trial
    assert trial.trials == 3
    trial(0.05, 1e-5)
    weights_light = _kernels_and_biases(trial.model)
    assert np.sum(weights_heavy[0] ** 2) < 0.5 * np.sum(weights_light[0] ** 2)
    trial(0.0, 0.0)  # no step at all: the initial weights
    for ours, start in zip(_kernels_and_biases(trial.model), [w for w in trial.initial_weights if w.ndim > 0]):
        np.testing.assert_array_equal(ours, start)


def test_validation_at_chosen_epochs_and_divergence_counted():
    trial = _trial(epochs=3, validate_at=(1, 3))
    assert sorted(trial(0.05, 1e-5)) == [1, 3]
    scores = trial(1e30, 0.0)  # a rate that overflows the weights
    assert min(scores.values()) == 0.0 and trial.diverged == 1


def test_a_step_cap_shortens_epochs_and_validation():
    trial = _trial(epochs=2, step_cap=2)
    assert [len(b) for b in trial.batches] == [2, 2] and len(trial.x_val) == 20
