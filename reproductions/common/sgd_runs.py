"""SGD runs on one compiled MLP, reused across runs: learning-rate schedules per epoch and any batch size.

Claims about the learning rate's schedule or the batch size train the same small net many times (arms ×
seeds, a tuning grid, sweeps inside one run). Building and compiling a Keras model costs ~0.3-0.5 s of
tracing on TensorFlow before the first step, more than a small run's training. So `train_sgd` keeps ONE
compiled model per shape (input size, depth, width, momentum, batch size, steps per compiled call, backend,
dtype policy) in this process and, for each run:

- draws the run's initial weights from its seed (a fresh `common.models.mlp`, He init) and loads them;
- zeroes the optimizer's state (its step count and momentum buffers), so no run inherits another's velocity;
- re-seeds, so the batch order is the seed's whatever ran before in the process;
- sets the learning rate at the start of every epoch from a Keras schedule with Keras' own
  `keras.callbacks.LearningRateScheduler`: the rate is the optimizer's variable, read by the compiled step
  when it runs, never a constant baked into the trace, so one trace serves every rate and every schedule.

A run is therefore exactly what a freshly built and compiled model would do (tests/unit/test_sgd_runs.py checks
it). Schedules are `keras.optimizers.schedules` objects whose step unit is the EPOCH (`decay_steps=1` means one
epoch), evaluated at the 0-based epoch index (`schedule_of`): the lecture's "learning_rate *= 0.97 every epoch"
is `ExponentialDecay(eta0, decay_steps=1, decay_rate=0.97, staircase=True)`.

After every epoch the finished weights are measured on the whole training set and on the validation set, in
inference mode, with the softmax cross-entropy alone (`common.evaluation`): the training loss of the net, not
Keras' running mean over the epoch's batches (which mixes weights from the whole epoch). A run whose logits
turn non-finite is marked diverged and stopped (it stays so). `TrainTimer` times each epoch's training steps
(the measurements excluded).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable

import keras
import numpy as np

from reproductions.common.data import image_split
from reproductions.common.evaluation import logits_of, softmax_metrics
from reproductions.common.models import mlp
from reproductions.common.seeding import seed_everything
from reproductions.common.training import TrainTimer, capped_schedule

SCHEDULES = ("constant", "step", "exponential", "inverse-time")


def average_pool(images: np.ndarray, pool: int) -> np.ndarray:
    """NHWC images averaged over non-overlapping `pool` × `pool` blocks (height and width divisible by `pool`),
    flattened to rows: 28×28 Fashion-MNIST with pool 2 gives 196 features."""
    n, height, width, channels = images.shape
    if height % pool or width % pool:
        raise ValueError(f"a {height}×{width} image does not split into {pool}×{pool} blocks")
    blocks = images.reshape(n, height // pool, pool, width // pool, pool, channels).mean(axis=(2, 4))
    return blocks.reshape(n, -1).astype("float32")


def pooled_split(config, seed: int, context):
    """`common.data.image_split` of config's dataset, train_size and validation_size (standardized by the
    training subset, validated where `context.validation_pool` says), each image average-pooled by
    config['pool'] and flattened: ((x, y), (x_val, y_val))."""
    (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                         context.data_dir, flat=False, validation_pool=context.validation_pool)
    pool = int(config["pool"])
    return (average_pool(x, pool), y), (average_pool(x_val, pool), y_val)


# Runs kept in this process, so that an arm that reads other arms' runs of the same seed (a sweep) does not
# train them again: a run is a pure function of its config, seed and context, so a fresh computation gives the
# same numbers (on the Ray executor each worker simply computes what it has not kept).
_KEPT: dict[str, object] = {}
KEEP = 256


def run_key(config, seed: int, context) -> str:
    """What a run's outcome depends on: its whole config, its seed, where it validates, its step cap and data
    directory, the backend and the dtype policy."""
    return json.dumps({"config": dict(config), "seed": int(seed), "pool": context.validation_pool,
                       "cap": context.step_cap, "data_dir": str(context.data_dir), "backend": keras.backend.backend(),
                       "policy": keras.config.dtype_policy().name}, sort_keys=True, default=str)


def remembered(config, seed: int, context, compute: Callable):
    """`compute(config, seed, context)`, computed once per process for the same run_key (the oldest dropped
    beyond KEEP)."""
    key = run_key(config, seed, context)
    if key not in _KEPT:
        if len(_KEPT) >= KEEP:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[key] = compute(config, seed, context)
    return _KEPT[key]


def schedule_of(kind: str, eta0: float, epochs: int, *, step_factor: float = 0.1,
                step_at: tuple[float, ...] = (0.5, 0.75), exponential_rate: float = 0.97,
                inverse_time_rate: float = 1.0):
    """A Keras schedule in units of epochs (a float for 'constant'):

    - 'step': PiecewiseConstantDecay, × `step_factor` from each fraction `step_at` of the epochs on (the 0-based
      epoch floor(f · epochs), at least 1): η0, η0/10, η0/100 by default, the drops after 50 % and 75 % of them;
    - 'exponential': ExponentialDecay, η0 · rate^epoch (staircase: × rate once per epoch);
    - 'inverse-time': InverseTimeDecay, η0 / (1 + rate · epoch): with rate 1, η0/t for the t-th epoch."""
    if kind == "constant":
        return float(eta0)
    if kind == "step":
        starts = sorted({max(1, int(math.floor(f * epochs))) for f in step_at})  # 0-based epochs of each drop
        values = [float(eta0) * step_factor ** i for i in range(len(starts) + 1)]
        # PiecewiseConstantDecay gives values[i] while step <= boundaries[i]: a drop at epoch s needs boundary s - 1
        return keras.optimizers.schedules.PiecewiseConstantDecay([s - 1 for s in starts], values)
    if kind == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(float(eta0), decay_steps=1, decay_rate=exponential_rate,
                                                           staircase=True)
    if kind == "inverse-time":
        return keras.optimizers.schedules.InverseTimeDecay(float(eta0), decay_steps=1, decay_rate=inverse_time_rate)
    raise ValueError(f"unknown schedule {kind!r}; choose one of {SCHEDULES}")


def rate_at(schedule, epoch: int) -> float:
    """The schedule's rate for the 0-based `epoch` (a float schedule is constant)."""
    if isinstance(schedule, (int, float)):
        return float(schedule)
    return float(keras.ops.convert_to_numpy(schedule(epoch)))


# One compiled model per shape, reused across runs in this process (see the module's docstring).
_TRAINERS: dict[tuple, keras.Model] = {}


def compiled_mlp(input_dim: int, *, depth: int, width: int, momentum: float, steps_per_execution: int,
                 classes: int = 10) -> keras.Model:
    """The process's compiled MLP of this shape: SGD(momentum), softmax cross-entropy on logits."""
    key = (input_dim, depth, width, float(momentum), steps_per_execution, classes, keras.backend.backend(),
           keras.config.dtype_policy().name)
    if key not in _TRAINERS:
        model = mlp(input_dim, depth, width, "relu", classes=classes)
        optimizer = keras.optimizers.SGD(learning_rate=0.0, momentum=float(momentum))
        model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      steps_per_execution=steps_per_execution)
        optimizer.build(model.trainable_variables)
        _TRAINERS[key] = model
    return _TRAINERS[key]


def reset_optimizer(optimizer: keras.optimizers.Optimizer, learning_rate: float | None = None) -> None:
    """A used optimizer as new, keeping its compiled step: every variable zeroed (the step count, the moments or
    momentum buffers, the rate), then the rate set to `learning_rate` when one is given (train_sgd sets it again
    per epoch instead)."""
    for variable in optimizer.variables:
        variable.assign(np.zeros(variable.shape, dtype=keras.backend.standardize_dtype(variable.dtype)))
    if learning_rate is not None:
        optimizer.learning_rate.assign(learning_rate)


@dataclasses.dataclass(frozen=True)
class SGDRun:
    """Per epoch (index 0 = after the first epoch): the rate used, the finished net's training and validation
    softmax loss and accuracy; whether it diverged; the training steps' timing (TrainTimer.scalars())."""

    rates: list[float]
    train_loss: list[float]
    train_accuracy: list[float]
    val_loss: list[float]
    val_accuracy: list[float]
    diverged: bool
    steps_per_epoch: int
    throughput: dict[str, float]

    @property
    def final_train_loss(self) -> float:
        return self.train_loss[-1] if self.train_loss else math.nan

    @property
    def final_val_accuracy(self) -> float:
        return self.val_accuracy[-1] if self.val_accuracy else math.nan


class _Measure(keras.callbacks.Callback):
    """After every epoch: the finished weights on the training and validation sets; stops a diverged run."""

    def __init__(self, train, validation, every_epoch: bool = True):
        super().__init__()
        self.train, self.validation, self.every_epoch = train, validation, every_epoch
        self.rates: list[float] = []
        self.values: dict[str, list[float]] = {k: [] for k in ("train_loss", "train_accuracy", "val_loss",
                                                               "val_accuracy")}
        self.diverged = False

    def on_epoch_begin(self, epoch, logs=None):  # after LearningRateScheduler has set it
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))

    def on_epoch_end(self, epoch, logs=None):
        if self.every_epoch or epoch + 1 == self.params["epochs"]:
            self.measure()

    def measure(self) -> None:
        for prefix, (x, y) in (("train", self.train), ("val", self.validation)):
            loss, accuracy = softmax_metrics(logits_of(self.model, x), y)
            self.values[f"{prefix}_loss"].append(loss)
            self.values[f"{prefix}_accuracy"].append(accuracy)
        if not math.isfinite(self.values["train_loss"][-1]):
            self.diverged = True
            self.model.stop_training = True


def train_sgd(x: np.ndarray, y: np.ndarray, validation, *, seed: int, schedule, epochs: int, batch_size: int,
              depth: int = 1, width: int = 100, momentum: float = 0.9, step_cap: int | None = None,
              every_epoch: bool = True) -> SGDRun:
    """Train a fresh ReLU MLP (the seed's He init) with SGD(momentum) for `epochs` passes over (x, y) in batches
    of `batch_size` (one compiled call per epoch where the backend allows it), the rate of epoch e (0-based)
    being `rate_at(schedule, e)`; measure after every epoch (`every_epoch`) or only after the last one. Under a `step_cap` an epoch is at most `step_cap`
    steps and there are only as many as the cap allows (a shape check, not a measurement)."""
    steps, epochs, steps_per_epoch = capped_schedule(len(x), batch_size, epochs, step_cap)
    seed_everything(seed)
    initial = mlp(x.shape[1], depth, width, "relu").get_weights()
    model = compiled_mlp(x.shape[1], depth=depth, width=width, momentum=momentum,
                         steps_per_execution=1 if keras.backend.backend() == "torch" else steps)
    model.set_weights(initial)
    reset_optimizer(model.optimizer)
    seed_everything(seed)  # the batch order
    x_val, y_val = validation
    measure = _Measure((x, y), (x_val, y_val), every_epoch)
    timer = TrainTimer(steps * batch_size)
    scheduler = keras.callbacks.LearningRateScheduler(lambda epoch, _rate: rate_at(schedule, epoch))
    model.fit(x, y, batch_size=batch_size, epochs=epochs, steps_per_epoch=steps_per_epoch, shuffle=True, verbose=0,
              callbacks=[scheduler, timer, measure])  # the timer stops before the measurement
    return SGDRun(rates=measure.rates, diverged=measure.diverged, steps_per_epoch=steps,
                  throughput=timer.scalars(), **measure.values)
