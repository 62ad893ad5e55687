"""Training to a target: steps-to-target on a running window, censoring, divergence, curves.

Training runs in "mini-epochs" of `window` steps (`steps_per_epoch=window`, which must divide the
steps of one pass over the data). Keras averages a mini-epoch's training accuracy and loss over its
batches, so the logged accuracy is a running window of `window` batches: one lucky batch does not
count. The measurement uses only those logs, never weights read inside an epoch, so it is right on
every backend (under JAX, callbacks see stale weights within an epoch). With
`steps_per_execution=window` a whole mini-epoch runs as one compiled call (TensorFlow and JAX; the
PyTorch backend allows only 1, which changes speed, not results).

Throughput: a `TrainTimer` times each epoch's training (up to its validation, if any) and reports
`train_images_per_second` over the epochs after the first (the first one compiles), which the
suite's throughput benchmark reads back from the runs. `step_cap` caps a run's training steps (a
check of the `full` shapes on a small machine: the numbers are then no verdict).

A run that never reaches the target within `max_steps` is censored: its steps-to-target is recorded
as `max_steps` with `censored = 1`, so a ratio involving it is a bound, never a dropped run. A loss
that turns NaN/inf marks the run diverged (also censored) and stops it.
"""

from __future__ import annotations

import dataclasses
import math
import time

import keras

from reproductions.claim import PlotSpec


# wall-clock measures among a run's metrics: they differ run to run (everything else is bit-reproducible)
TIMING_METRICS = frozenset({"run_seconds", "train_seconds", "first_epoch_seconds", "train_images_per_second"})


class TrainTimer(keras.callbacks.Callback):
    """Wall time of each epoch's training steps (validation excluded) and the images they saw."""

    def __init__(self, images_per_epoch: int):
        super().__init__()
        self.images_per_epoch = images_per_epoch
        self.epoch_seconds: list[float] = []
        self._start = self._stop = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start, self._stop = time.perf_counter(), None

    def on_test_begin(self, logs=None):  # fit's validation begins: this epoch's training is done
        if self._start is not None and self._stop is None:
            self._stop = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if self._start is not None:
            self.epoch_seconds.append((self._stop or time.perf_counter()) - self._start)
            self._start = None

    def scalars(self) -> dict[str, float]:
        """train_seconds (all epochs), first_epoch_seconds (with compilation) and the steady rate."""
        if not self.epoch_seconds:
            return {}
        steady = self.epoch_seconds[1:] or self.epoch_seconds  # one epoch only: compilation included
        return {"train_seconds": float(sum(self.epoch_seconds)), "first_epoch_seconds": self.epoch_seconds[0],
                "train_images_per_second": self.images_per_epoch * len(steady) / max(sum(steady), 1e-9),
                "images_trained": float(self.images_per_epoch * len(self.epoch_seconds))}


@dataclasses.dataclass(frozen=True)
class TrainingOutcome:
    steps_to_target: float  # max_steps when censored
    reached: bool
    diverged: bool
    steps_run: int
    final_accuracy: float  # running-window training accuracy at the last mini-epoch
    accuracy_curve: dict[int, float]  # step -> window accuracy
    loss_curve: dict[int, float]  # step -> window loss (non-finite values kept)
    throughput: dict[str, float] = dataclasses.field(default_factory=dict)  # TrainTimer.scalars()

    def scalars(self) -> dict[str, float]:
        return {
            "steps_to_target": float(self.steps_to_target),
            "reached": float(self.reached),
            "censored": float(not self.reached),
            "diverged": float(self.diverged),
            "steps_run": float(self.steps_run),
            "final_accuracy": self.final_accuracy,
            **self.throughput,
        }

    def series(self) -> dict[str, dict[int, float]]:
        return {"train_accuracy": self.accuracy_curve, "train_loss": self.loss_curve}

    def summary(self) -> str:
        """One line for the progress display, e.g. 'reached at 225 steps' or 'censored at 2000 steps, diverged'."""
        return f"{'reached' if self.reached else 'censored'} at {self.steps_to_target:.0f} steps" + (
            ", diverged" if self.diverged else "")


class TargetWatch(keras.callbacks.Callback):
    """Records each mini-epoch's window accuracy and loss; stops at the target or on divergence. The target is a
    window accuracy to reach (`metric="accuracy"`, at or above it) or a window loss (`metric="loss"`, at or below)."""

    def __init__(self, window: int, target: float, metric: str = "accuracy"):
        super().__init__()
        if metric not in ("accuracy", "loss"):
            raise ValueError(f"a training target is on 'accuracy' or 'loss', not {metric!r}")
        self.window, self.target, self.metric = window, target, metric
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
        elif self.steps_to_target is None and (accuracy >= self.target if self.metric == "accuracy"
                                               else loss <= self.target):
            self.steps_to_target = step
            self.model.stop_training = True


def train_to_target(model: keras.Model, x, y, *, optimizer, batch_size: int, window: int, max_steps: int,
                    target: float, step_cap: int | None = None, target_metric: str = "accuracy") -> TrainingOutcome:
    """Train with softmax cross-entropy until the window accuracy reaches `target` (or `max_steps`); with
    `target_metric="loss"`, until the window's training loss falls to `target`.

    Under a `step_cap` smaller than `max_steps` the budget becomes the cap and the window the largest
    divisor it shares with the cap and one pass (a shape check, not a measurement)."""
    steps_per_pass = len(x) // batch_size
    if step_cap is not None and step_cap < max_steps:
        max_steps = step_cap
        window = math.gcd(window, step_cap, steps_per_pass)
    if steps_per_pass % window or max_steps % window:
        raise ValueError(f"the window ({window} steps) must divide one pass ({steps_per_pass} steps) and the "
                         f"step budget ({max_steps})")
    steps_per_execution = 1 if keras.backend.backend() == "torch" else window
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=steps_per_execution)
    watch, timer = TargetWatch(window, target, target_metric), TrainTimer(window * batch_size)
    model.fit(x, y, batch_size=batch_size, epochs=max_steps // window, steps_per_epoch=window, shuffle=True,
              verbose=0, callbacks=[watch, timer])
    steps_run = max(watch.accuracy) if watch.accuracy else 0
    reached = watch.steps_to_target is not None
    final = watch.accuracy[steps_run] if steps_run else math.nan
    return TrainingOutcome(
        steps_to_target=float(watch.steps_to_target if reached else max_steps),
        reached=reached, diverged=watch.diverged, steps_run=steps_run,
        final_accuracy=final if math.isfinite(final) else 0.0,
        accuracy_curve=watch.accuracy, loss_curve=watch.loss, throughput=timer.scalars())


def target_curve_plot(*, title: str, name: str = "training-accuracy", metric: str = "train_accuracy") -> PlotSpec:
    """The plot of train_to_target's curves: the running-window training accuracy per arm over training steps, the
    config's target drawn as a line (a run stops when it gets there)."""
    return PlotSpec(name=name, kind="series", metric=metric, title=title, xlabel="training step",
                    ylabel="running training accuracy", line_param="target")


def steps_to_target_plot(*, title: str) -> PlotSpec:
    """The plot of train_to_target's steps to the target per arm, on a log scale (a censored run counts as its
    step budget)."""
    return PlotSpec(name="steps-to-target", kind="bar", metric="steps_to_target", log_y=True, title=title,
                    ylabel="steps")


@dataclasses.dataclass(frozen=True)
class FitOutcome:
    history: dict  # Keras' history: metric -> list per epoch
    throughput: dict[str, float]  # TrainTimer.scalars()


def capped_schedule(n: int, batch_size: int, epochs: int, step_cap: int | None) -> tuple[int, int, int | None]:
    """(steps per compiled call, epochs, steps_per_epoch for fit) for `epochs` passes over `n` examples; under a
    `step_cap` an epoch is at most `step_cap` steps and there are only as many as the cap allows (at least one)."""
    steps = max(1, n // batch_size)
    if step_cap is None or step_cap >= steps * epochs:
        return steps, epochs, None
    steps_per_epoch = min(steps, step_cap)
    return steps_per_epoch, max(1, step_cap // steps_per_epoch), steps_per_epoch


def compile_softmax(model: keras.Model, optimizer, steps: int) -> None:
    """Softmax cross-entropy on logits with accuracy; `steps` steps per compiled call (1 on PyTorch)."""
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=1 if keras.backend.backend() == "torch" else steps)


class BestEpoch(keras.callbacks.Callback):
    """Keeps the weights of the epoch with the lowest validation loss (the checkpoint one would keep), to
    be put back with `restore()` after training: a net read at its best validation epoch."""

    def __init__(self, monitor: str = "val_loss"):
        super().__init__()
        self.monitor, self.best, self.epoch, self.weights = monitor, math.inf, None, None

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is not None and value < self.best:
            self.best, self.epoch, self.weights = float(value), epoch + 1, self.model.get_weights()

    def restore(self) -> None:
        if self.weights is not None:
            self.model.set_weights(self.weights)


def fit_epochs(model: keras.Model, x, y, validation, *, optimizer, batch_size: int, epochs: int,
               step_cap: int | None = None, callbacks: list | None = None) -> FitOutcome:
    """Train with softmax cross-entropy for `epochs` full passes, validating after each.

    One epoch runs as one compiled call where the backend allows it (not on PyTorch). Under a
    `step_cap` an epoch is at most `step_cap` steps, there are only as many as the cap allows (at
    least one), and validation reads at most `step_cap` batches: a shape check, not a measurement.
    """
    steps, epochs, steps_per_epoch = capped_schedule(len(x), batch_size, epochs, step_cap)
    validation_steps = None if steps_per_epoch is None else max(1, min(step_cap, len(validation[0]) // batch_size))
    compile_softmax(model, optimizer, steps)
    timer = TrainTimer(len(x) if steps_per_epoch is None else steps_per_epoch * batch_size)
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, steps_per_epoch=steps_per_epoch,
                        validation_data=validation, validation_steps=validation_steps, shuffle=True, verbose=0,
                        callbacks=[timer, *(callbacks or [])]).history
    return FitOutcome(history, timer.scalars())


def per_epoch(values) -> dict[int, float]:
    """A Keras history list as a series keyed by epoch (1, 2, …)."""
    return {epoch: float(value) for epoch, value in enumerate(values, start=1)}
