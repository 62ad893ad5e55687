"""Validation from a plain forward pass: the data loss (no L2 term), the accuracy, and a fit that validates."""

import math

import keras
import numpy as np
import pytest

from reproductions.common.evaluation import fit_validated, logits_of, softmax_metrics

pytestmark = pytest.mark.unit


def test_softmax_metrics_known_values():
    # equal logits: every class has probability 1/C, the loss is ln C; argmax ties go to class 0
    loss, accuracy = softmax_metrics(np.zeros((4, 10)), np.array([0, 0, 3, 9]))
    assert loss == pytest.approx(math.log(10)) and accuracy == 0.5
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 1.5, 0.0]])
    labels = np.array([0, 2])
    expected = -np.mean([np.log(np.exp(2.0) / np.exp([2.0, 0.0, -1.0]).sum()),
                         np.log(np.exp(0.0) / np.exp([0.5, 1.5, 0.0]).sum())])
    loss, accuracy = softmax_metrics(logits, labels)
    assert loss == pytest.approx(expected, rel=1e-12) and accuracy == 0.5


def test_softmax_metrics_is_stable_and_flags_divergence():
    loss, accuracy = softmax_metrics(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert loss == pytest.approx(500.0) and accuracy == 0.5  # no overflow: log-sum-exp shifted by the max
    loss, accuracy = softmax_metrics(np.array([[np.nan, 0.0]]), np.array([1]))
    assert loss == math.inf and math.isnan(accuracy)
    with pytest.raises(ValueError):
        softmax_metrics(np.zeros((3, 2)), np.array([0, 1]))


def _linear(weights):
    dense = keras.layers.Dense(weights.shape[1], kernel_initializer=keras.initializers.Constant(weights),
                               kernel_regularizer=keras.regularizers.L2(10.0))
    return keras.Sequential([keras.Input((weights.shape[0],)), dense])


def test_logits_of_is_the_forward_pass_in_chunks():
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((6, 3)).astype("float32")
    x = rng.standard_normal((23, 6)).astype("float32")
    np.testing.assert_allclose(logits_of(_linear(weights), x, batch_size=5), x.astype("float64") @ weights, rtol=1e-5,
                               atol=1e-5)


def test_fit_validated_reports_the_data_loss_without_the_l2_term_and_measures_after_training():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((60, 6)).astype("float32")
    y = rng.integers(0, 3, 60).astype("int32")
    keras.utils.set_random_seed(0)
    model = _linear(rng.standard_normal((6, 3)).astype("float32"))  # L2 10·ΣW²: a big penalty in Keras' loss
    fit = fit_validated(model, x, y, (x, y), optimizer=keras.optimizers.SGD(0.001), batch_size=20, epochs=3)
    assert len(fit.history["val_loss"]) == len(fit.history["val_accuracy"]) == len(fit.history["loss"]) == 3
    loss, accuracy = softmax_metrics(logits_of(model, x), y)  # the final weights
    assert fit.history["val_loss"][-1] == pytest.approx(loss) and fit.history["val_accuracy"][-1] == accuracy
    keras_loss = model.evaluate(x, y, batch_size=60, verbose=0, return_dict=True)["loss"]
    assert keras_loss > loss + 1.0  # Keras adds the penalty; the validation here does not
    assert fit.throughput["images_trained"] == 3 * 60


def test_validating_once_gives_the_same_training_and_the_last_value():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((40, 5)).astype("float32")
    y = rng.integers(0, 2, 40).astype("int32")
    weights = rng.standard_normal((5, 2)).astype("float32")
    outcomes = []
    for every_epoch in (True, False):
        keras.utils.set_random_seed(3)
        model = _linear(weights)
        fit = fit_validated(model, x, y, (x[:10], y[:10]), optimizer=keras.optimizers.SGD(0.01), batch_size=10,
                            epochs=2, every_epoch=every_epoch)
        outcomes.append((fit, keras.ops.convert_to_numpy(model.layers[0].kernel)))
    (each, kernel_each), (once, kernel_once) = outcomes
    np.testing.assert_array_equal(kernel_each, kernel_once)
    assert len(each.history["val_loss"]) == 2 and len(once.history["val_loss"]) == 1
    assert once.history["val_loss"][-1] == pytest.approx(each.history["val_loss"][-1])


def test_a_step_cap_limits_training_and_validation():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((100, 4)).astype("float32")
    y = rng.integers(0, 2, 100).astype("int32")
    model = _linear(rng.standard_normal((4, 2)).astype("float32"))
    fit = fit_validated(model, x, y, (x, y), optimizer=keras.optimizers.SGD(0.01), batch_size=10, epochs=5,
                        step_cap=3)
    assert fit.throughput["images_trained"] == 30 and len(fit.history["loss"]) == 1
    # validation read the first 3 batches only (30 images), not all 100
    first, everything = softmax_metrics(logits_of(model, x[:30]), y[:30]), softmax_metrics(logits_of(model, x), y)
    assert first != everything
    assert fit.history["val_loss"][-1] == pytest.approx(first[0]) and fit.history["val_accuracy"][-1] == first[1]
