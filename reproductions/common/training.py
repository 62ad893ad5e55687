"""Training to a target: steps-to-target on a running window, censoring, divergence, curves.

Training runs in "mini-epochs" of `window` steps (`steps_per_epoch=window`, which must divide the
steps of one pass over the data). Keras averages a mini-epoch's training accuracy and loss over its
batches, so the logged accuracy is a running window of `window` batches: one lucky batch does not
count. The measurement uses only those logs, never weights read inside an epoch, so it is right on
every backend (under JAX, callbacks see stale weights within an epoch). With
`steps_per_execution=window` a whole mini-epoch runs as one compiled call (TensorFlow and JAX; the
PyTorch backend allows only 1, which changes speed, not results).

A run that never reaches the target within `max_steps` is censored: its steps-to-target is recorded
as `max_steps` with `censored = 1`, so a ratio involving it is a bound, never a dropped run. A loss
that turns NaN/inf marks the run diverged (also censored) and stops it.
"""

from __future__ import annotations

import dataclasses
import math

import keras


@dataclasses.dataclass(frozen=True)
class TrainingOutcome:
    steps_to_target: float  # max_steps when censored
    reached: bool
    diverged: bool
    steps_run: int
    final_accuracy: float  # running-window training accuracy at the last mini-epoch
    accuracy_curve: dict[int, float]  # step -> window accuracy
    loss_curve: dict[int, float]  # step -> window loss (non-finite values kept)

    def scalars(self) -> dict[str, float]:
        return {
            "steps_to_target": float(self.steps_to_target),
            "reached": float(self.reached),
            "censored": float(not self.reached),
            "diverged": float(self.diverged),
            "steps_run": float(self.steps_run),
            "final_accuracy": self.final_accuracy,
        }

    def series(self) -> dict[str, dict[int, float]]:
        return {"train_accuracy": self.accuracy_curve, "train_loss": self.loss_curve}

    def summary(self) -> str:
        """One line for the progress display, e.g. 'reached at 225 steps' or 'censored at 2000 steps, diverged'."""
        return f"{'reached' if self.reached else 'censored'} at {self.steps_to_target:.0f} steps" + (
            ", diverged" if self.diverged else "")


class TargetWatch(keras.callbacks.Callback):
    """Records each mini-epoch's window accuracy and loss; stops at the target or on divergence."""

    def __init__(self, window: int, target: float):
        super().__init__()
        self.window, self.target = window, target
        self.steps_to_target = None
        self.diverged = False
        self.accuracy: dict[int, float] = {}
        self.loss: dict[int, float] = {}

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        step = (epoch + 1) * self.window
        loss, accuracy = float(logs.get("loss", math.nan)), float(logs.get("accuracy", math.nan))
        self.accuracy[step], self.loss[step] = accuracy, loss
        if not math.isfinite(loss):
            self.diverged = True
            self.model.stop_training = True
        elif accuracy >= self.target and self.steps_to_target is None:
            self.steps_to_target = step
            self.model.stop_training = True


def train_to_target(model: keras.Model, x, y, *, optimizer, batch_size: int, window: int, max_steps: int,
                    target: float) -> TrainingOutcome:
    """Train with softmax cross-entropy until the window accuracy reaches `target` (or `max_steps`)."""
    steps_per_pass = len(x) // batch_size
    if steps_per_pass % window or max_steps % window:
        raise ValueError(f"the window ({window} steps) must divide one pass ({steps_per_pass} steps) and the "
                         f"step budget ({max_steps})")
    steps_per_execution = 1 if keras.backend.backend() == "torch" else window
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=steps_per_execution)
    watch = TargetWatch(window, target)
    model.fit(x, y, batch_size=batch_size, epochs=max_steps // window, steps_per_epoch=window, shuffle=True,
              verbose=0, callbacks=[watch])
    steps_run = max(watch.accuracy) if watch.accuracy else 0
    reached = watch.steps_to_target is not None
    final = watch.accuracy[steps_run] if steps_run else math.nan
    return TrainingOutcome(
        steps_to_target=float(watch.steps_to_target if reached else max_steps),
        reached=reached, diverged=watch.diverged, steps_run=steps_run,
        final_accuracy=final if math.isfinite(final) else 0.0,
        accuracy_curve=watch.accuracy, loss_curve=watch.loss)


def fit_epochs(model: keras.Model, x, y, validation, *, optimizer, batch_size: int, epochs: int) -> dict:
    """Train with softmax cross-entropy for `epochs` full passes, validating after each; Keras' history.

    One epoch runs as one compiled call where the backend allows it (not on PyTorch).
    """
    steps = max(1, len(x) // batch_size)
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=1 if keras.backend.backend() == "torch" else steps)
    return model.fit(x, y, batch_size=batch_size, epochs=epochs, validation_data=validation, shuffle=True,
                     verbose=0).history


def per_epoch(values) -> dict[int, float]:
    """A Keras history list as a series keyed by epoch (1, 2, …)."""
    return {epoch: float(value) for epoch, value in enumerate(values, start=1)}
