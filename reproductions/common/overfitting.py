"""The shared overfitting setup of batch B (regularization and generalization): one net, one small training set.

Several claims ask what a regularizer does to a net that overfits: weight decay, early stopping, capacity
with and without L2, dropout's extras, random labels, ensembles, adversarial examples. They all start from
the same place, so their numbers are comparable across claims:

- a ReLU MLP 784-256-256-10 (He init; `width` and `depth` are config keys), logits in float32;
- a small class-balanced Fashion-MNIST training set (1000 images), standardized with its own pixel mean and
  std, validated on 1000 held-out test images (tuning runs validate on training images instead: see
  `RunContext.validation_pool`);
- Adam 1e-3, batch 100, 40 passes: the net memorises the set (training accuracy 1) while validation
  accuracy levels off near 80 %, the gap a regularizer can close.

`OVERFIT` is the config a claim starts its `base_config` from (it adds its own keys), `OVERFIT_FULL` the
`full` profile's overrides (the papers' setting: Srivastava's 3×1024 ReLU net on the whole training set and
the whole test set, 40 epochs, on CIFAR-10 where its archive is present). `overfit_split` gives a run its data, `overfit_mlp` the net (with optional L1,
L2, dropout or batch norm), `train_overfit` trains it and measures what these claims compare:

- `train_accuracy` and `train_loss` of the finished net on its training set, in inference mode (dropout off,
  batch norm's moving averages), the data loss alone;
- `val_accuracy` and `val_loss` after the last epoch, `best_val_loss` and `best_val_accuracy` over epochs,
  `best_epoch` (the epoch of the lowest validation loss), `gap` = train − validation accuracy;
- per-epoch curves of the validation loss and accuracy and the (running) training loss.

Losses are the softmax cross-entropy alone, so an L2-regularized net compares with an unregularized one
(common.evaluation). A run logs `passes_per_epoch` passes of the set as one Keras epoch (Keras' per-epoch
overhead dwarfs ten steps): curves are per logged epoch.
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from reproductions.common.data import image_split
from reproductions.common.evaluation import fit_validated, logits_of, softmax_metrics
from reproductions.common.models import initializer
from reproductions.common.training import per_epoch

OVERFIT = {"dataset": "fashion-mnist", "train_size": 1000, "validation_size": 1000, "depth": 2, "width": 256,
           "learning_rate": 1e-3, "batch_size": 100, "epochs": 20, "passes_per_epoch": 2}
OVERFIT_SMOKE = {"train_size": 200, "validation_size": 200, "epochs": 2, "passes_per_epoch": 1}
OVERFIT_FULL = {"dataset": "auto", "train_size": None, "validation_size": None, "width": 1024, "depth": 3,
                "epochs": 40, "passes_per_epoch": 1}
OVERFIT_SETUP = ("the shared overfitting setup (reproductions/common/overfitting.py): Fashion-MNIST, 1000 "
                 "class-balanced training images (standardized), ReLU MLP 784-256-256-10 (He init), Adam 1e-3, batch "
                 "100, 40 passes logged two at a time, validated on 1000 held-out test images; training accuracy "
                 "measured after training in inference mode; losses are the softmax cross-entropy alone")


def overfit_split(config, seed: int, context, flat: bool = True):
    """((x, y), (x_val, y_val)): the run's seeded training subset and its validation set (test images, or
    training images for a tuning run), standardized with the training subset's statistics."""
    return image_split(config["dataset"], config["train_size"], config["validation_size"], seed, context.data_dir,
                       flat=flat, validation_pool=context.validation_pool)


def overfit_mlp(config, input_dim: int, *, width: int | None = None, l1: float = 0.0, l2: float = 0.0,
                dropout: float = 0.0, input_dropout: float = 0.0, batchnorm: bool = False, seed: int | None = None,
                classes: int = 10) -> keras.Model:
    """`depth` × [Dense(width) → (BatchNorm) → ReLU → (Dropout)] → Dense logits, with Keras' L1/L2 on every kernel.

    The layers are named dense_0 … dense_{depth-1} and logits, so a claim can reach a layer by name."""
    width = int(width or config["width"])
    regularizer = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None
    layers = [keras.Input((input_dim,))]
    if input_dropout:
        layers.append(keras.layers.Dropout(input_dropout, seed=seed, name="input_dropout"))
    for i in range(int(config["depth"])):
        layers.append(keras.layers.Dense(width, use_bias=not batchnorm, kernel_initializer=initializer("relu"),
                                         kernel_regularizer=regularizer, name=f"dense_{i}"))
        if batchnorm:
            layers.append(keras.layers.BatchNormalization(name=f"batchnorm_{i}"))
        layers.append(keras.layers.Activation("relu", name=f"relu_{i}"))
        if dropout:
            layers.append(keras.layers.Dropout(dropout, seed=None if seed is None else seed + i + 1,
                                               name=f"dropout_{i}"))
    layers.append(keras.layers.Dense(classes, kernel_initializer=initializer("linear"), kernel_regularizer=regularizer,
                                     dtype="float32", name="logits"))
    return keras.Sequential(layers)


@dataclasses.dataclass(frozen=True)
class OverfitOutcome:
    model: keras.Model
    history: dict  # 'loss' (running, with any penalty), 'val_loss' and 'val_accuracy' (data loss) per logged epoch
    train_loss: float
    train_accuracy: float
    throughput: dict[str, float]

    @property
    def val_loss(self) -> float:
        return float(self.history["val_loss"][-1])

    @property
    def val_accuracy(self) -> float:
        return float(self.history["val_accuracy"][-1])

    def scalars(self) -> dict[str, float]:
        val_loss = np.asarray(self.history["val_loss"], dtype="float64")
        finite = np.where(np.isfinite(val_loss), val_loss, np.inf)
        return {"train_accuracy": self.train_accuracy, "train_loss": self.train_loss,
                "val_accuracy": self.val_accuracy, "val_loss": self.val_loss,
                "gap": self.train_accuracy - self.val_accuracy,
                "best_val_loss": float(finite.min()), "best_epoch": float(int(finite.argmin()) + 1),
                "best_val_accuracy": float(np.nanmax(self.history["val_accuracy"])),
                "epochs_logged": float(len(val_loss)), **self.throughput}

    def series(self) -> dict[str, dict[int, float]]:
        return {"val_loss_curve": per_epoch(self.history["val_loss"]),
                "val_accuracy_curve": per_epoch(self.history["val_accuracy"]),
                "train_loss_curve": per_epoch(self.history["loss"])}


def train_overfit(model: keras.Model, train, validation, config, context, *, optimizer=None,
                  epochs: int | None = None) -> OverfitOutcome:
    """Train on `train` = (x, y) for `epochs` logged epochs of `passes_per_epoch` passes each (Adam at the config's
    rate unless an optimizer is given), validating after each; then measure the finished net on its training set."""
    x, y = train
    passes = int(config["passes_per_epoch"])
    tiled_x = np.tile(x, (passes,) + (1,) * (x.ndim - 1)) if passes > 1 else x
    tiled_y = np.tile(y, passes) if passes > 1 else y
    fit = fit_validated(model, tiled_x, tiled_y, validation,
                        optimizer=optimizer or keras.optimizers.Adam(config["learning_rate"]),
                        batch_size=config["batch_size"], epochs=int(epochs or config["epochs"]),
                        step_cap=context.step_cap)
    seen = x if context.step_cap is None else x[: context.step_cap * config["batch_size"]]
    train_loss, train_accuracy = softmax_metrics(logits_of(model, seen), y[: len(seen)])
    return OverfitOutcome(model, fit.history, train_loss, train_accuracy, fit.throughput)


def weights_of(model: keras.Model) -> np.ndarray:
    """Every kernel of the model's Dense layers, flattened into one float64 vector (biases and batch-norm
    parameters left out: weight decay acts on kernels)."""
    kernels = [np.asarray(keras.ops.convert_to_numpy(layer.kernel), dtype="float64").ravel()
               for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    return np.concatenate(kernels)
