"""Validation without Keras' evaluate: a forward pass, then the softmax loss and accuracy in float64.

Keras' `val_loss` adds the model's regularization losses (an L2 penalty, λ·ΣW²) to the data loss, so it
cannot compare an L2-regularized net with an unregularized one; and `evaluate` builds (traces) a test
function per model, which in a short run costs as much as the training. Here the validation loss is the
softmax cross-entropy alone, computed from the logits of a plain forward pass (`model(x, training=False)`,
in chunks), the same on every backend.

`fit_validated` trains like `common.training.fit_epochs` (softmax cross-entropy, one compiled call per
epoch where the backend allows it, a `step_cap` for shape checks, the `TrainTimer` throughput) and
validates at the end of every epoch (`every_epoch=True`, for curves) or once, after the last one. Keras
syncs the weights before `on_epoch_end` on every backend (JAX included), so the callback sees the epoch's
final weights. Validation does not touch the training: the weights come out the same either way.
"""

from __future__ import annotations

import dataclasses
import math

import keras
import numpy as np

from reproductions.common.training import TrainTimer, capped_schedule, compile_softmax

CHUNK = 5000  # images per forward pass


def logits_of(model: keras.Model, x: np.ndarray, batch_size: int = CHUNK) -> np.ndarray:
    """The model's outputs for `x` (inference mode), in chunks, as float64."""
    parts = [np.asarray(keras.ops.convert_to_numpy(model(x[i:i + batch_size], training=False)), dtype="float64")
             for i in range(0, len(x), batch_size)]
    return np.concatenate(parts) if parts else np.zeros((0, 0))


def softmax_metrics(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(mean softmax cross-entropy, accuracy) of integer `labels` under `logits`; (inf, nan) when a logit is
    not finite (a diverged net)."""
    logits = np.asarray(logits, dtype="float64")
    labels = np.asarray(labels).astype(int)
    if logits.ndim != 2 or len(logits) != len(labels) or len(labels) == 0:
        raise ValueError(f"logits of shape {logits.shape} for {len(labels)} labels")
    if not np.all(np.isfinite(logits)):
        return math.inf, math.nan
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    return float(-log_probs[rows, labels].mean()), float((logits.argmax(axis=1) == labels).mean())


class EpochValidation(keras.callbacks.Callback):
    """At each epoch's end: the data loss and accuracy on (x, y), appended to `loss` and `accuracy`."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        super().__init__()
        self.x, self.y = x, y
        self.loss: list[float] = []
        self.accuracy: list[float] = []

    def measure(self) -> None:
        loss, accuracy = softmax_metrics(logits_of(self.model, self.x), self.y)
        self.loss.append(loss)
        self.accuracy.append(accuracy)

    def on_epoch_end(self, epoch, logs=None):
        self.measure()


@dataclasses.dataclass(frozen=True)
class ValidatedFit:
    history: dict  # Keras' 'loss' and 'accuracy' per epoch (running, with any L2 term), and our 'val_loss' and
    # 'val_accuracy' (data loss only), per epoch or just the last
    throughput: dict[str, float]  # TrainTimer.scalars()


def fit_validated(model: keras.Model, x, y, validation, *, optimizer, batch_size: int, epochs: int,
                  step_cap: int | None = None, every_epoch: bool = True) -> ValidatedFit:
    """Train with softmax cross-entropy for `epochs` passes over (x, y), validating on `validation` = (x, y)
    after every epoch or only after the last. Under a `step_cap` an epoch is at most `step_cap` steps, there
    are only as many as the cap allows (at least one), and validation reads at most `step_cap` batches: a
    shape check, not a measurement."""
    steps, epochs, steps_per_epoch = capped_schedule(len(x), batch_size, epochs, step_cap)
    x_val, y_val = validation
    if steps_per_epoch is not None:
        x_val, y_val = x_val[: step_cap * batch_size], y_val[: step_cap * batch_size]
    compile_softmax(model, optimizer, steps)
    timer = TrainTimer(len(x) if steps_per_epoch is None else steps_per_epoch * batch_size)
    check = EpochValidation(x_val, y_val)
    callbacks = [timer, check] if every_epoch else [timer]
    history = dict(model.fit(x, y, batch_size=batch_size, epochs=epochs, steps_per_epoch=steps_per_epoch,
                             shuffle=True, verbose=0, callbacks=callbacks).history)
    if not every_epoch:
        check.set_model(model)
        check.measure()
    history["val_loss"], history["val_accuracy"] = check.loss, check.accuracy
    return ValidatedFit(history, timer.scalars())
