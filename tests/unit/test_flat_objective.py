"""The flat-objective block (reproductions/common/flat_objective.py) on models whose gradients are known."""

import keras
import numpy as np
import pytest
import scipy.optimize

from reproductions.common.flat_objective import FlatObjective, GradientReader

pytestmark = pytest.mark.unit
LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def _softmax_regression(seed=0, n=64, dim=5, classes=3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim)).astype("float32")
    y = rng.integers(0, classes, n).astype("int32")
    model = keras.Sequential([keras.Input((dim,)), keras.layers.Dense(
        classes, kernel_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=seed),
        bias_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=seed + 1))])
    return model, x, y


def _closed_form(model, x, y):
    """Mean softmax cross-entropy and its gradient for a Dense layer: X^T (p - onehot) / n, mean(p - onehot)."""
    kernel, bias = (w.astype("float64") for w in model.get_weights())
    z = x.astype("float64") @ kernel + bias
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(len(y)), y]))
    p[np.arange(len(y)), y] -= 1.0
    return loss, x.T.astype("float64") @ p / len(y), p.mean(axis=0)


def test_the_reader_holds_keras_gradient_and_leaves_the_weights():
    model, x, y = _softmax_regression()
    before = [w.copy() for w in model.get_weights()]
    objective = FlatObjective(model, LOSS, x, y)
    loss, grads = objective.loss_and_gradients()
    expected_loss, grad_kernel, grad_bias = _closed_form(model, x, y)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(grads[0], grad_kernel, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(grads[1], grad_bias, rtol=1e-4, atol=1e-6)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)  # the reader never moves a weight


def test_value_and_grad_sets_the_flat_weights_and_counts():
    model, x, y = _softmax_regression(seed=3)
    objective = FlatObjective(model, LOSS, x, y)
    theta = objective.get()
    assert theta.dtype == np.float64 and theta.shape == (objective.size,) == (5 * 3 + 3,)
    moved = theta + 0.1 * np.arange(theta.size)
    loss, grad = objective.value_and_grad(moved)
    np.testing.assert_allclose(objective.get(), moved.astype("float32"), rtol=0, atol=0)
    expected_loss, grad_kernel, grad_bias = _closed_form(model, x, y)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    np.testing.assert_allclose(grad, np.concatenate([grad_kernel.ravel(), grad_bias]), rtol=1e-4, atol=1e-6)
    assert grad.dtype == np.float64
    objective.value_and_grad(theta)
    assert objective.evaluations == 2 and len(objective.history) == 2
    assert objective.history[0] == pytest.approx(expected_loss, rel=1e-5)
    with pytest.raises(ValueError):
        objective.set(theta[:-1])


def test_gradient_matches_centred_differences_on_an_mlp():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((32, 4)).astype("float32")
    y = rng.integers(0, 3, 32).astype("int32")
    model = keras.Sequential([keras.Input((4,)),
                              keras.layers.Dense(6, activation="tanh",
                                                 kernel_initializer=keras.initializers.GlorotNormal(seed=1)),
                              keras.layers.Dense(3, kernel_initializer=keras.initializers.GlorotNormal(seed=2))])
    objective = FlatObjective(model, LOSS, x, y)
    theta = objective.get()
    _, grad = objective.value_and_grad(theta)
    h = 1e-2  # float32 losses: a large step, tanh is smooth
    numeric = np.array([(objective.value_and_grad(theta + h * e)[0] - objective.value_and_grad(theta - h * e)[0])
                        / (2 * h) for e in np.eye(theta.size)])
    assert np.linalg.norm(numeric - grad) / np.linalg.norm(grad) < 2e-3


def test_lbfgs_through_the_objective_lowers_the_loss_and_clean_loss_ignores_dropout():
    model, x, y = _softmax_regression(seed=7, n=128)
    objective = FlatObjective(model, LOSS, x, y)
    start = objective.clean_loss()
    result = scipy.optimize.minimize(objective.value_and_grad, objective.get(), jac=True, method="L-BFGS-B",
                                     options={"maxfun": 30})
    objective.set(result.x)
    assert objective.clean_loss() < 0.8 * start
    assert objective.evaluations == result.nfev

    dropped = keras.Sequential([keras.Input((5,)), keras.layers.Dropout(0.5, seed=1), keras.layers.Dense(3)])
    noisy = FlatObjective(dropped, LOSS, x, y)
    theta = noisy.get()
    values = {noisy.value_and_grad(theta)[0] for _ in range(4)}
    assert len(values) > 1  # a fresh dropout mask at every evaluation: a noisy objective
    assert noisy.clean_loss() == noisy.clean_loss()  # inference mode: deterministic


def test_a_sampler_replaces_the_data_of_each_evaluation():
    model, x, y = _softmax_regression(seed=9)
    calls = []

    def first_half():
        calls.append(1)
        return x[:32], y[:32]

    objective = FlatObjective(model, LOSS, x, y, sample=first_half)
    loss, _ = objective.loss_and_gradients()
    assert calls == [1]
    assert loss == pytest.approx(_closed_form(model, x[:32], y[:32])[0], rel=1e-5)
    assert objective.clean_loss() == pytest.approx(_closed_form(model, x, y)[0], rel=1e-5)


def test_the_reader_is_an_optimizer_that_never_moves():
    variable = keras.Variable(np.array([1.0, -2.0], dtype="float32"))
    reader = GradientReader()
    reader.build([variable])
    reader.apply([np.array([0.5, 3.0], dtype="float32")], [variable])
    np.testing.assert_array_equal(np.asarray(keras.ops.convert_to_numpy(variable.value)), [1.0, -2.0])
    np.testing.assert_array_equal(reader.gradients()[0], [0.5, 3.0])
