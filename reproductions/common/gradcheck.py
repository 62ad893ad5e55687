"""Gradient checking: finite-difference (numerical) gradients, the relative error that compares them with an
analytic gradient, and Keras' own analytic gradient of a loss with respect to a model's weights, the same on
the TensorFlow, JAX and PyTorch backends (in float64 only where Keras computes in float64: `precision_available`).

The numerical gradient is the lecture's `eval_numerical_gradient` (seed 003): nudge one coordinate by h,
re-evaluate the loss, restore it, for every coordinate in turn. `scheme='forward'` is the lecture's own
formula (f(x+h) - f(x)) / h, error O(h); `scheme='centred'` is (f(x+h) - f(x-h)) / 2h, error O(h²). The
nudge is made in the array's own dtype, so in float32 the step actually taken is what float32 can represent
(below half a unit in the last place of x it is no step at all): round-off, the lecture's "numerically
unstable", enters exactly as it does in a float32 implementation.

Keras 3 has no backend-neutral `grad()`. `keras_gradients` reads the gradient off one plain-SGD step at
learning rate 1 (w_new = w - g, so g = w - w_new, up to the one rounding of w_new: at most half a unit in
the last place of w, 2^-53·|w| in float64), run eagerly and with only the variable being read trainable,
so no backend can reorder an update before a read the backward pass still needs (see common/probes.py for
that defect on TensorFlow); the weights are restored afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np

SCHEMES = ("centred", "forward")


def precision_available(dtype: str) -> bool:
    """Whether Keras computes in `dtype` here: a value that only `dtype` can hold (1 + 4 units in its last
    place) survives an add, a matmul, a sum and exp(log(.)). Float64 does not on Keras' torch backend (its
    type promotion computes float64 in float32 off TensorFlow) nor on JAX without JAX_ENABLE_X64."""
    ops = keras.ops
    value = 1.0 + 4 * float(np.finfo(dtype).eps)
    x = ops.convert_to_tensor(np.array([[value]], dtype=dtype))
    one = ops.ones((1, 1), dtype=dtype)
    results = [ops.add(x, ops.zeros((1, 1), dtype=dtype)), ops.matmul(x, one), ops.sum(x, axis=1),
               ops.exp(ops.log(x))]
    for result in results:
        got = np.asarray(ops.convert_to_numpy(result))
        if got.dtype != np.dtype(dtype) or abs(float(got.ravel()[0]) - value) > float(np.finfo(dtype).eps):
            return False
    return True


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float, scheme: str = "centred",
                       indices: Sequence[tuple[int, ...]] | None = None) -> np.ndarray:
    """Finite-difference gradient of the scalar function f at x, as float64 (entries not in `indices` are 0).

    `f` takes the array `x` itself, which is nudged in place one coordinate at a time (in x's dtype) and
    restored after each evaluation, as in the lecture's eval_numerical_gradient. `indices` (multi-indices)
    limits the check to some coordinates, as cs231n's sparse gradient check does; None means all of them.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose one of {SCHEMES}")
    if not h > 0:
        raise ValueError(f"the step h must be positive, got {h!r}")
    grad = np.zeros(x.shape, dtype="float64")
    kind = x.dtype.type
    fx = float(f(x)) if scheme == "forward" else None
    for ix in (np.ndindex(x.shape) if indices is None else indices):
        ix = tuple(ix)
        old = x[ix]
        x[ix] = kind(old + h)  # in x's own precision: float32 rounds the nudge
        f_plus = float(f(x))
        if scheme == "centred":
            x[ix] = kind(old - h)
            f_minus = float(f(x))
            grad[ix] = (f_plus - f_minus) / (2 * h)
        else:
            grad[ix] = (f_plus - fx) / h
        x[ix] = old
    return grad


def relative_error(a, b) -> np.ndarray:
    """Elementwise |a - b| / max(|a|, |b|) (cs231n's symmetric relative error); 0 where both are 0."""
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.divide(np.abs(a - b), scale, out=np.zeros(np.broadcast(a, b).shape), where=scale > 0)


def tensor_relative_error(a, b) -> float:
    """The same formula on whole tensors: ‖a - b‖ / max(‖a‖, ‖b‖) in the Euclidean norm; 0 when both are 0.

    Unlike the elementwise maximum it is not dominated by coordinates whose gradient happens to be near 0,
    where the finite difference's absolute round-off (about eps·|f|/h) is a large relative error.
    """
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)))
    return float(np.linalg.norm(a - b)) / scale if scale > 0 else 0.0


def selected(gradient: np.ndarray, indices: Sequence[tuple[int, ...]] | None) -> np.ndarray:
    """The entries of `gradient` at `indices` (all of them, flattened, when None)."""
    if indices is None:
        return np.asarray(gradient).ravel()
    return np.array([gradient[tuple(ix)] for ix in indices], dtype=np.asarray(gradient).dtype)


class LossLayer(keras.layers.Layer):
    """The loss as the last layer of a model, so that one compiled forward pass evaluates it."""

    def __init__(self, loss, **kwargs):
        super().__init__(**kwargs)
        self.loss = loss

    def call(self, y_true, y_pred):
        return self.loss(y_true, y_pred)


def loss_evaluator(model: keras.Model, loss: keras.losses.Loss, x, y) -> Callable[[], float]:
    """A function of no arguments: loss(y, model(x)) at the weights the model holds when it is called,
    evaluated by one compiled forward pass (Keras' predict_on_batch) of the model with the loss on top."""
    x, y = np.asarray(x), np.asarray(y)
    labels = keras.Input(y.shape[1:], dtype=str(y.dtype))
    scored = keras.Model([model.inputs[0], labels], LossLayer(loss, dtype=loss.dtype)(labels, model.outputs[0]))

    def evaluate() -> float:
        return float(np.asarray(scored.predict_on_batch([x, y])))

    return evaluate


def keras_numerical_gradients(model: keras.Model, loss: keras.losses.Loss, x, y, h: float, scheme: str = "centred",
                              indices: Sequence[Sequence[tuple[int, ...]] | None] | None = None,
                              variables=None, evaluate: Callable[[], float] | None = None) -> list[np.ndarray]:
    """Finite-difference gradients of loss(y, model(x)) for each of `variables` (default: the trainable
    ones), nudged in their own dtype; `indices[i]` limits the i-th variable's check (None: every entry).
    `evaluate` (from `loss_evaluator`, for the same model, loss and data) saves building it again when
    the gradients are taken at several h. The weights are left as they were."""
    variables = list(model.trainable_variables if variables is None else variables)
    indices = [None] * len(variables) if indices is None else list(indices)
    evaluate = loss_evaluator(model, loss, x, y) if evaluate is None else evaluate
    grads = []
    for variable, chosen in zip(variables, indices):
        original = np.array(keras.ops.convert_to_numpy(variable.value))

        def f(w: np.ndarray) -> float:
            variable.assign(w)
            return evaluate()

        try:
            grads.append(numerical_gradient(f, original.copy(), h, scheme, chosen))
        finally:
            variable.assign(original)
    return grads


def keras_gradients(model: keras.Model, loss: keras.losses.Loss, x, y, variables=None) -> list[np.ndarray]:
    """Keras' backprop gradient of loss(y, model(x)) (the batch mean, as Keras reduces it) for each of
    `variables` (default: the trainable ones), as float64, read off one eager SGD step at learning rate 1
    per variable with every other weight frozen; the weights are left as they were."""
    variables = list(model.trainable_variables if variables is None else variables)
    everything = list(model.trainable_variables)
    grads = []
    for variable in variables:
        before = np.array(keras.ops.convert_to_numpy(variable.value))
        frozen = [v for v in everything if v is not variable]
        for v in frozen:
            v.trainable = False
        try:
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss=loss, run_eagerly=True)
            model.train_on_batch(x, y)
            after = np.asarray(keras.ops.convert_to_numpy(variable.value))
            grads.append(before.astype("float64") - after.astype("float64"))
        finally:
            variable.assign(before)
            for v in frozen:
                v.trainable = True
    return grads
