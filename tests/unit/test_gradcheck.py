"""The gradient-check block (reproductions/common/gradcheck.py) on functions whose gradients are known."""

import keras
import numpy as np
import pytest

from reproductions.common.gradcheck import (keras_gradients, keras_numerical_gradients, loss_evaluator,
                                            numerical_gradient, precision_available, relative_error, selected,
                                            tensor_relative_error)

pytestmark = pytest.mark.unit
needs_float64 = pytest.mark.skipif(not precision_available("float64"),
                                   reason="the backend computes no float64 here (JAX: export JAX_ENABLE_X64=1)")


def test_centred_difference_of_a_sum_of_squares_is_2x():
    x = np.random.default_rng(0).standard_normal((3, 4))
    before = x.copy()
    grad = numerical_gradient(lambda v: float(np.sum(v ** 2)), x, 1e-5, "centred")
    np.testing.assert_allclose(grad, 2 * before, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(x, before)  # every nudge undone


def test_forward_difference_is_off_by_h_on_a_square():
    # ((x + h)² − x²) / h = 2x + h exactly: the forward difference's O(h) error, which the centred one cancels
    x = np.array([0.3, -1.2, 2.5])
    h = 1e-3
    forward = numerical_gradient(lambda v: float(np.sum(v ** 2)), x, h, "forward")
    centred = numerical_gradient(lambda v: float(np.sum(v ** 2)), x, h, "centred")
    np.testing.assert_allclose(forward, 2 * x + h, rtol=1e-9)
    np.testing.assert_allclose(centred, 2 * x, rtol=1e-9)


def test_centred_difference_of_a_quadratic_form_matches_its_gradient():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((5, 5)), rng.standard_normal(5)
    x = rng.standard_normal(5)
    grad = numerical_gradient(lambda v: float(0.5 * v @ a @ v + b @ v), x, 1e-4, "centred")
    exact = 0.5 * (a + a.T) @ x + b
    assert tensor_relative_error(exact, grad) < 1e-9
    assert relative_error(exact, grad).max() < 1e-7


def test_only_the_chosen_coordinates_are_checked():
    calls = []

    def f(v):
        calls.append(1)
        return float(np.sum(v ** 3))

    x = np.arange(6, dtype="float64").reshape(2, 3)
    chosen = [(0, 1), (1, 2)]
    grad = numerical_gradient(f, x, 1e-4, "centred", chosen)
    assert len(calls) == 2 * len(chosen)
    np.testing.assert_allclose(selected(grad, chosen), [3 * 1.0 ** 2, 3 * 5.0 ** 2], rtol=1e-7)
    mask = np.zeros_like(x, dtype=bool)
    mask[0, 1] = mask[1, 2] = True
    assert np.all(grad[~mask] == 0)


def test_the_nudge_is_made_in_the_arrays_own_precision():
    # in float32, 1 + 1e-9 is 1: no step is taken and the difference is 0; in float64 it is the derivative
    f = lambda v: float(np.sum(v.astype("float64") * 3.0))  # noqa: E731
    assert numerical_gradient(f, np.ones(2, dtype="float32"), 1e-9, "centred").tolist() == [0.0, 0.0]
    np.testing.assert_allclose(numerical_gradient(f, np.ones(2, dtype="float64"), 1e-9, "centred"), 3.0, rtol=1e-6)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        numerical_gradient(np.sum, np.ones(2), 1e-5, "backward")
    with pytest.raises(ValueError):
        numerical_gradient(np.sum, np.ones(2), 0.0)


def test_relative_error_formulas():
    np.testing.assert_allclose(relative_error([1.0, 0.0, -2.0, 0.0], [1.1, 0.0, 2.0, 3.0]),
                               [0.1 / 1.1, 0.0, 2.0, 1.0])
    assert relative_error(3.0, 4.0) == relative_error(4.0, 3.0) == 0.25
    assert tensor_relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert tensor_relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert tensor_relative_error([3.0, 4.0], [0.0, 0.0]) == 1.0
    assert tensor_relative_error([3.0, 4.0], [3.0, 3.0]) == pytest.approx(1.0 / 5.0)
    # scale-free: the same mismatch on gradients 1000x smaller is the same relative error
    assert tensor_relative_error([3e-3, 4e-3], [3e-3, 3e-3]) == pytest.approx(0.2)


def test_a_planted_wrong_gradient_is_flagged():
    x = np.random.default_rng(2).standard_normal(20)
    numerical = numerical_gradient(lambda v: float(np.sum(np.sin(v) * v)), x.copy(), 1e-5, "centred")
    right = np.sin(x) + x * np.cos(x)
    dropped_factor = np.sin(x) + np.cos(x)  # forgot the inner x of the product rule
    assert tensor_relative_error(right, numerical) < 1e-8
    assert tensor_relative_error(dropped_factor, numerical) > 1e-2
    assert tensor_relative_error(-right, numerical) == pytest.approx(2.0)


class SquaredError(keras.losses.Loss):
    """Σ over outputs of (pred − y)², averaged over the batch by Keras (a sum, not ops.mean, whose float64
    is computed in float32 on Keras' JAX backend)."""

    def call(self, y_true, y_pred):
        return keras.ops.sum(keras.ops.square(y_pred - y_true), axis=-1)


def _linear_model(dtype):
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((8, 3)).astype(dtype), rng.standard_normal((8, 1)).astype(dtype)
    w, b = rng.standard_normal((3, 1)), rng.standard_normal(1)
    inputs = keras.Input((3,), dtype=dtype)
    model = keras.Model(inputs, keras.layers.Dense(1, dtype=dtype)(inputs))
    model.set_weights([w.astype(dtype), b.astype(dtype)])
    # the batch mean of (xw + b − y)²: d/dw = 2/N · xᵀ(xw + b − y), d/db = 2/N · Σ(xw + b − y)
    residual = x.astype("float64") @ w + b - y.astype("float64")
    exact = [2 / len(x) * x.astype("float64").T @ residual, 2 / len(x) * residual.sum(axis=0)]
    return model, SquaredError(name="squared_error", dtype=dtype), x, y, exact


@needs_float64
def test_keras_gradients_reads_backprop_exactly_and_restores_the_weights():
    model, loss, x, y, exact = _linear_model("float64")
    before = [np.array(v) for v in model.get_weights()]
    for analytic, formula in zip(keras_gradients(model, loss, x, y), exact):
        np.testing.assert_allclose(analytic, formula, rtol=1e-12, atol=1e-14)
    for now, then in zip(model.get_weights(), before):
        np.testing.assert_array_equal(now, then)
    assert all(v.trainable for v in model.trainable_variables + model.non_trainable_variables)
    assert len(model.trainable_variables) == 2


@needs_float64
def test_keras_numerical_gradients_match_the_formula_and_restore_the_weights():
    model, loss, x, y, exact = _linear_model("float64")
    before = [np.array(v) for v in model.get_weights()]
    numerical = keras_numerical_gradients(model, loss, x, y, 1e-5, "centred")
    for n, formula in zip(numerical, exact):
        assert tensor_relative_error(formula, n) < 1e-9
    for now, then in zip(model.get_weights(), before):
        np.testing.assert_array_equal(now, then)


@needs_float64
def test_the_loss_evaluator_is_the_loss_and_follows_the_weights():
    model, loss, x, y, _ = _linear_model("float64")
    evaluate = loss_evaluator(model, loss, x, y)
    direct = float(keras.ops.convert_to_numpy(loss(y, model(x))))
    assert evaluate() == pytest.approx(direct, rel=1e-12)
    kernel = model.trainable_variables[0]
    kernel.assign(np.zeros((3, 1)))
    bias = float(np.asarray(keras.ops.convert_to_numpy(model.trainable_variables[1].value))[0])
    assert evaluate() == pytest.approx(float(np.mean((bias - y.astype("float64")) ** 2)), rel=1e-12)


def test_float32_is_always_available_and_float64_on_tensorflow():
    assert precision_available("float32")
    if keras.backend.backend() == "tensorflow":
        assert precision_available("float64")


def test_a_float64_that_is_computed_in_float32_is_refused(monkeypatch):
    matmul = keras.ops.matmul
    monkeypatch.setattr(keras.ops, "matmul",
                        lambda a, b: keras.ops.cast(keras.ops.cast(matmul(a, b), "float32"), "float64"))
    assert not precision_available("float64")


def test_in_float32_both_gradients_agree_with_the_formula_to_float32_accuracy():
    model, loss, x, y, exact = _linear_model("float32")
    analytic = keras_gradients(model, loss, x, y)
    numerical = keras_numerical_gradients(model, loss, x, y, 1e-2, "centred")  # exact for a quadratic, bar round-off
    for a, n, formula in zip(analytic, numerical, exact):
        assert tensor_relative_error(formula, a) < 1e-5
        assert tensor_relative_error(formula, n) < 1e-3
