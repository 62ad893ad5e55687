"""A Keras model's training loss as a function of one flat float64 vector of its weights, with its
gradient, the same on the TensorFlow, JAX and PyTorch backends: what scipy.optimize needs (L-BFGS).

Keras 3 has no backend-neutral `grad()`. Here the gradient is read by a `GradientReader`, a Keras
optimizer whose update step copies each weight's gradient into a slot of its own and leaves the weight
where it is: one compiled `train_on_batch` (Keras' own forward and backward pass, its loss reduction)
then gives the loss at the weights and the gradient there, exactly as Keras computed it (no subtraction
w - (w - g) and its rounding, no update that a backend could reorder before a read the backward pass
still needs: see common/probes.py). The same gradients drive any Keras optimizer through
`optimizer.apply(grads, variables)`, so full-batch gradient descent or Adam and scipy's L-BFGS see the
identical objective and are counted alike: one evaluation = one loss and one gradient.

Whatever noise the model's training mode holds (dropout, a random minibatch passed as `x, y`) is in the
objective: `train_on_batch` runs the model with training=True. `clean_loss` evaluates with training=False.
"""

from __future__ import annotations

import keras
import numpy as np


class GradientReader(keras.optimizers.Optimizer):
    """An optimizer that does not move: its update step stores each variable's gradient in a slot."""

    def __init__(self, **kwargs):
        super().__init__(learning_rate=1.0, name=kwargs.pop("name", "gradient_reader"), **kwargs)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._gradients = [self.add_variable_from_reference(v, "gradient") for v in variables]

    def update_step(self, gradient, variable, learning_rate):
        slot = self._gradients[self._get_variable_index(variable)]
        self.assign(slot, keras.ops.cast(gradient, slot.dtype))

    def gradients(self) -> list[np.ndarray]:
        """The gradients of the last step, one array per variable in the order they were built with."""
        return [np.asarray(keras.ops.convert_to_numpy(g.value)) for g in self._gradients]


class FlatObjective:
    """loss(θ) and ∇loss(θ) of `model` on (x, y) with its weights θ as one float64 vector.

    `value_and_grad(θ)` (scipy's `jac=True` form) assigns θ to the model's trainable weights, runs one
    `train_on_batch` with a `GradientReader` and returns (loss, gradient) as (float, float64 vector);
    `evaluations` counts the calls. `sample(rng)` may replace the data of each evaluation (a fresh random
    minibatch: a noise source); by default every evaluation sees all of (x, y).
    """

    def __init__(self, model: keras.Model, loss, x, y, sample=None):
        self.model, self.x, self.y = model, np.asarray(x), np.asarray(y)
        self.variables = list(model.trainable_variables)
        self.shapes = [tuple(v.shape) for v in self.variables]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.reader = GradientReader()
        model.compile(optimizer=self.reader, loss=loss)
        self.sample = sample
        self.evaluations = 0
        self.history: list[float] = []  # the loss at each evaluation, in order

    @property
    def size(self) -> int:
        return sum(self.sizes)

    def get(self) -> np.ndarray:
        """The model's current trainable weights as one float64 vector."""
        return np.concatenate([np.asarray(keras.ops.convert_to_numpy(v.value), dtype="float64").ravel()
                               for v in self.variables])

    def set(self, theta: np.ndarray) -> None:
        """Assign the float64 vector θ to the model's trainable weights (in their own dtype)."""
        theta = np.asarray(theta)
        if theta.shape != (self.size,):
            raise ValueError(f"θ has shape {theta.shape}, the model has {self.size} trainable weights")
        start = 0
        for variable, shape, size in zip(self.variables, self.shapes, self.sizes):
            variable.assign(theta[start:start + size].reshape(shape).astype(variable.dtype))
            start += size

    def flat(self, arrays) -> np.ndarray:
        return np.concatenate([np.asarray(a, dtype="float64").ravel() for a in arrays])

    def loss_and_gradients(self) -> tuple[float, list[np.ndarray]]:
        """One evaluation at the model's current weights: the loss and one gradient array per variable."""
        x, y = (self.x, self.y) if self.sample is None else self.sample()
        loss = float(np.asarray(self.model.train_on_batch(x, y)))
        self.evaluations += 1
        self.history.append(loss)
        return loss, self.reader.gradients()

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """scipy.optimize.minimize(..., jac=True)'s objective: (loss, gradient) at θ, as float and float64."""
        self.set(theta)
        loss, grads = self.loss_and_gradients()
        return loss, self.flat(grads)

    def clean_loss(self, x=None, y=None) -> float:
        """The loss on all of (x, y) (default: the objective's data) in inference mode (no dropout), not counted."""
        x = self.x if x is None else x
        y = self.y if y is None else y
        return float(np.asarray(self.model.test_on_batch(x, y)))
