"""The shared overfitting block of batch B: the net it builds, the training it runs and what it measures."""

import math

import keras
import numpy as np
import pytest

from reproductions.claim import RunContext
from reproductions.common.overfitting import (OVERFIT, OVERFIT_SMOKE, OverfitOutcome, overfit_mlp, train_overfit,
                                               weights_of)

pytestmark = pytest.mark.unit

CONFIG = {**OVERFIT, **OVERFIT_SMOKE, "width": 16, "depth": 2, "batch_size": 10}


def test_the_net_has_the_shape_and_the_parts_asked_for():
    plain = overfit_mlp(CONFIG, 12)
    assert [layer.name for layer in plain.layers] == ["dense_0", "relu_0", "dense_1", "relu_1", "logits"]
    assert plain.output_shape == (None, 10) and plain.get_layer("dense_1").units == 16
    assert not plain.losses  # no regularizer: no penalty
    full = overfit_mlp(CONFIG, 12, width=8, l1=1e-3, l2=1e-2, dropout=0.5, input_dropout=0.2, batchnorm=True, seed=3)
    kinds = [type(layer).__name__ for layer in full.layers]
    assert kinds == ["Dropout", "Dense", "BatchNormalization", "Activation", "Dropout",
                     "Dense", "BatchNormalization", "Activation", "Dropout", "Dense"]
    assert full.get_layer("dense_0").units == 8 and not full.get_layer("dense_0").use_bias  # BN's beta is the bias
    # Keras' L1L2 on every kernel (three of them): the penalty is l1·Σ|W| + l2·ΣW² summed over the kernels
    kernels = [np.asarray(keras.ops.convert_to_numpy(layer.kernel), dtype="float64")
               for layer in full.layers if isinstance(layer, keras.layers.Dense)]
    expected = sum(1e-3 * np.abs(k).sum() + 1e-2 * (k ** 2).sum() for k in kernels)
    penalty = sum(float(keras.ops.convert_to_numpy(loss)) for loss in full.losses)
    assert len(full.losses) == 3 and penalty == pytest.approx(expected, rel=1e-4)


def test_weights_of_is_every_kernel_and_nothing_else():
    model = overfit_mlp(CONFIG, 12, batchnorm=True)
    vector = weights_of(model)
    assert vector.shape == (12 * 16 + 16 * 16 + 16 * 10,) and vector.dtype == np.float64
    first = np.asarray(keras.ops.convert_to_numpy(model.get_layer("dense_0").kernel), dtype="float64").ravel()
    np.testing.assert_array_equal(vector[: first.size], first)


def test_scalars_read_the_curves_right():
    history = {"loss": [2.0, 1.0, 0.5, 0.2], "val_loss": [1.5, 0.9, 1.1, 1.4], "val_accuracy": [0.5, 0.7, 0.72, 0.71]}
    outcome = OverfitOutcome(model=None, history=history, train_loss=0.1, train_accuracy=0.98, throughput={})
    scalars = outcome.scalars()
    assert scalars["best_epoch"] == 2 and scalars["best_val_loss"] == 0.9 and scalars["val_loss"] == 1.4
    assert scalars["best_val_accuracy"] == 0.72 and scalars["val_accuracy"] == 0.71
    assert scalars["gap"] == pytest.approx(0.98 - 0.71) and scalars["epochs_logged"] == 4
    assert outcome.series()["val_loss_curve"] == {1: 1.5, 2: 0.9, 3: 1.1, 4: 1.4}
    # a diverged epoch (inf or NaN loss) is never the best one
    history["val_loss"] = [math.nan, 0.9, math.inf, 0.8]
    assert OverfitOutcome(None, history, 0.1, 0.9, {}).scalars()["best_epoch"] == 4


def test_training_memorises_a_small_set_and_measures_it_in_inference_mode():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 12)).astype("float32")
    y = rng.integers(0, 10, size=40).astype("int32")
    config = {**CONFIG, "width": 64, "epochs": 15, "passes_per_epoch": 4, "learning_rate": 1e-2}
    model = overfit_mlp(config, 12, dropout=0.2, seed=0)
    outcome = train_overfit(model, (x, y), (x[:20], y[:20]), config, RunContext())
    # one logged epoch per `passes_per_epoch` passes: 15 logged epochs, each of 4 × 4 steps of 10
    assert len(outcome.history["val_loss"]) == 15 and len(outcome.history["loss"]) == 15
    assert outcome.train_accuracy == 1.0  # random labels on 40 points: memorised
    # measured with dropout off, as a forward pass in inference mode
    logits = np.asarray(keras.ops.convert_to_numpy(model(x, training=False)))
    assert outcome.train_accuracy == float((logits.argmax(1) == y).mean())
