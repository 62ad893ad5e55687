"""Hyperparameter search, cheaply: sampling in log space, grids, and one compiled model that runs many trials.

A search claim runs a whole search (tens of trainings) inside one arm × seed run, so a trial must cost
little more than its training steps. Building and compiling a Keras model per trial costs ~0.3-0.5 s of
tracing on TensorFlow before the first step; `CheapTrial` builds and compiles ONE model per run and, for
each trial, restores its initial weights, zeroes the optimizer's state, sets the learning rate and the L2
strength, and trains with `train_on_batch`, which reuses the traced training step.

Both tuned values live in variables the compiled step reads at run time, never in Python constants baked
into the trace: the learning rate is the optimizer's own variable, and the L2 penalty is Keras' own
`keras.regularizers.L2`, whose strength is a non-trainable weight of the layer it regularizes (so it is
part of the model's state on every backend, JAX's stateless step included). A trial is exactly what a fresh
model of the same initial weights would do: `test_search.py` checks it against a rebuilt model.

- `log_uniform` / `random_points`: 10**U(log10 low, log10 high) per hyperparameter (001: "it's best to
  optimize in log space"; `reg = 10**uniform(-5, 5)`);
- `log_grid` / `grid_points`: evenly spaced in log space, endpoints included (np.logspace), and their
  Cartesian product;
- `range_position`: where a value lies in a range, in log space (0 = low end, 1 = high end);
- `CheapTrial(...)(learning_rate, l2)`: one trial's validation accuracy after each (chosen) epoch.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import keras
import numpy as np

from reproductions.common.evaluation import logits_of, softmax_metrics
from reproductions.common.models import initializer
from reproductions.common.sgd_runs import reset_optimizer


def log_uniform(rng: np.random.Generator, low: float, high: float, size: int) -> np.ndarray:
    """`size` values 10**U(log10 low, log10 high): uniform in log space (low < high, both > 0)."""
    if not 0 < low < high:
        raise ValueError(f"a log-uniform range needs 0 < low < high, got ({low}, {high})")
    return 10.0 ** rng.uniform(math.log10(low), math.log10(high), size)


def log_grid(low: float, high: float, n: int) -> np.ndarray:
    """`n` values evenly spaced in log space from `low` to `high`, both included."""
    if not 0 < low < high or n < 2:
        raise ValueError(f"a log grid needs 0 < low < high and n >= 2, got ({low}, {high}, {n})")
    return np.logspace(math.log10(low), math.log10(high), n)


def grid_points(axes: Mapping[str, Sequence[float]]) -> list[dict[str, float]]:
    """Every combination of the axes' values (the first axis varies slowest)."""
    names = list(axes)
    return [dict(zip(names, map(float, values))) for values in itertools.product(*(axes[n] for n in names))]


def random_points(rng: np.random.Generator, ranges: Mapping[str, tuple[float, float]], n: int) -> list[dict[str, float]]:
    """`n` points, each hyperparameter drawn log-uniformly from its own range, independently."""
    columns = {name: log_uniform(rng, low, high, n) for name, (low, high) in ranges.items()}
    return [{name: float(columns[name][i]) for name in ranges} for i in range(n)]


def range_position(value: float, low: float, high: float) -> float:
    """Where `value` lies in [low, high] in log space: 0 at `low`, 1 at `high`."""
    return (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low))


class CheapTrial:
    """One compiled model that trains many trials: `trial(learning_rate, l2)` -> {epoch: validation accuracy}.

    The model is softmax regression (`hidden=0`) or a one-hidden-layer ReLU MLP (He init), with Keras' L2
    on every kernel; the optimizer is SGD with `momentum` (001's 'update=momentum'). Every trial starts from
    the same initial weights (drawn once, when the trial runner is made, from Keras' seeded RNG) with a
    zeroed optimizer state, and sees the same batches in the same order (one seeded shuffle per epoch, drawn
    once and reused): within a run, a trial's scores depend on its hyperparameters alone. It trains `epochs`
    passes over (x, y) in full batches of `batch_size` with `train_on_batch` (one traced step, reused: a
    `fit` call rebuilds its input pipeline, ~0.1 s a trial on TensorFlow), and validates on `validation`
    after each epoch in `validate_at` (default: every epoch). A trial whose logits turn non-finite (a
    diverged rate) scores 0 (below any trained net) and is counted in `diverged`. Under a `step_cap` (a
    shape check, no measurement) an epoch is at most `step_cap` batches and validation reads at most
    `step_cap` batches.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, validation, *, hidden: int, batch_size: int, epochs: int,
                 momentum: float = 0.9, classes: int = 10, seed: int = 0, step_cap: int | None = None,
                 validate_at: Sequence[int] | None = None):
        self.x, self.y = x, y
        self.x_val, self.y_val = validation
        self.batch_size, self.epochs = int(batch_size), int(epochs)
        if len(x) < self.batch_size:
            raise ValueError(f"{len(x)} training examples hold no full batch of {self.batch_size}")
        self.validate_at = set(range(1, self.epochs + 1) if validate_at is None else validate_at)
        rng = np.random.default_rng(seed)
        full = len(x) // self.batch_size * self.batch_size
        batches = full // self.batch_size if step_cap is None else min(full // self.batch_size, int(step_cap))
        if step_cap is not None:
            self.x_val, self.y_val = self.x_val[: int(step_cap) * self.batch_size], self.y_val[: int(step_cap) * self.batch_size]
        self.batches = [rng.permutation(len(x))[:full].reshape(-1, self.batch_size)[:batches]
                        for _ in range(self.epochs)]
        self.penalties: list[keras.regularizers.L2] = []
        self.model = keras.Sequential([keras.Input((x.shape[1],))] + self._layers(int(hidden), classes))
        self.optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=momentum)
        self.model.compile(optimizer=self.optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        self.optimizer.build(self.model.trainable_variables)
        self.initial_weights = [np.array(w) for w in self.model.get_weights()]
        self.diverged = 0
        self.trials = 0

    def _layers(self, hidden: int, classes: int) -> list[keras.layers.Layer]:
        layers = []
        if hidden:
            layers.append(self._penalized(keras.layers.Dense(hidden, activation="relu",
                                                             kernel_initializer=initializer("relu"))))
        layers.append(self._penalized(keras.layers.Dense(classes, kernel_initializer=initializer("linear"),
                                                         dtype="float32")))
        return layers

    def _penalized(self, layer: keras.layers.Dense) -> keras.layers.Dense:
        """Keras' L2 on the layer's kernel, its strength a non-trainable weight of the layer (set per trial)."""
        strength = layer.add_weight(shape=(), initializer="zeros", trainable=False, name="l2_strength")
        penalty = keras.regularizers.L2(1.0)
        penalty.l2 = strength  # L2 computes self.l2 * sum(W²): the strength is read when the step runs
        layer.kernel_regularizer = penalty
        self.penalties.append(penalty)
        return layer

    def set_hyperparameters(self, learning_rate: float, l2: float) -> None:
        """Restore the initial weights and a zeroed optimizer, then set the trial's rate and L2 strength."""
        self.model.set_weights(self.initial_weights)
        reset_optimizer(self.optimizer, float(learning_rate))
        for penalty in self.penalties:
            penalty.l2.assign(float(l2))

    def validate(self) -> float:
        """Validation accuracy of the current weights; 0 when the logits are not finite."""
        accuracy = softmax_metrics(logits_of(self.model, self.x_val), self.y_val)[1]
        return accuracy if math.isfinite(accuracy) else 0.0

    def __call__(self, learning_rate: float, l2: float) -> dict[int, float]:
        self.set_hyperparameters(learning_rate, l2)
        self.trials += 1
        scores: dict[int, float] = {}
        for epoch, batches in enumerate(self.batches, start=1):
            for index in batches:
                self.model.train_on_batch(self.x[index], self.y[index])
            if epoch in self.validate_at:
                scores[epoch] = self.validate()
        self.diverged += int(bool(scores) and min(scores.values()) == 0.0)
        return scores
