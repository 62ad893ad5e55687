"""The adversarial block: input gradients read off a probe step, FGSM, random sign noise, flipped fractions."""

import keras
import numpy as np
import pytest

from reproductions.common.adversarial import (InputGradients, fgsm, flipped_fraction, pixel_range, sign_noise,
                                              softmax_rows)

pytestmark = pytest.mark.unit


def _linear(w, b):
    inputs = keras.Input((w.shape[0],))
    dense = keras.layers.Dense(w.shape[1], kernel_initializer=keras.initializers.Constant(w),
                               bias_initializer=keras.initializers.Constant(b))
    return keras.Model(inputs, dense(inputs)), dense


def _closed_form(x, y, w, b):
    # J = CE(softmax(xW + b), y): dJ/dx = (softmax(xW + b) − onehot(y)) W^T
    p = softmax_rows(x.astype("float64") @ w + b)
    p[np.arange(len(y)), y] -= 1.0
    return p @ w.T.astype("float64")


def test_the_input_gradient_of_a_linear_softmax_model_is_the_closed_form_and_follows_the_weights():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 4)).astype("float32")
    b = rng.standard_normal(4).astype("float32")
    x = rng.standard_normal((7, 6)).astype("float32")
    y = rng.integers(0, 4, 7)
    model, dense = _linear(w, b)
    reader = InputGradients(model, chunk=3)  # 7 rows: three chunks, the last one padded
    np.testing.assert_allclose(reader(x, y), _closed_form(x, y, w, b), rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(dense.kernel), w)  # the model is untouched
    assert dense.kernel.trainable
    # the model trains on; the same reader reads the gradient at the new weights
    w2 = -2.0 * w
    dense.kernel.assign(w2)
    np.testing.assert_allclose(reader(x, y), _closed_form(x, y, w2, b), rtol=1e-4, atol=1e-6)


def test_fgsm_steps_along_the_sign_and_stays_in_the_pixel_range():
    x = np.array([[0.0, 0.5, 1.0, 0.2]], dtype="float32")
    g = np.array([[1.0, -3.0, 2.0, 0.0]])
    np.testing.assert_allclose(fgsm(x, g, 0.1), [[0.1, 0.4, 1.1, 0.2]], rtol=1e-6)
    np.testing.assert_allclose(fgsm(x, g, 0.1, clip=(0.0, 1.0)), [[0.1, 0.4, 1.0, 0.2]], rtol=1e-6)
    assert fgsm(x, g, 0.1).dtype == np.float32
    noisy = sign_noise(np.full((50, 40), 0.5, dtype="float32"), 0.1, np.random.default_rng(1))
    np.testing.assert_allclose(np.abs(noisy - 0.5), 0.1, rtol=1e-5)  # every entry moved by exactly ε
    assert 0.4 < np.mean(noisy > 0.5) < 0.6  # random signs


def test_fgsm_raises_the_loss_of_a_linear_model_more_than_random_noise():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((20, 3)).astype("float32")
    b = np.zeros(3, dtype="float32")
    x = rng.standard_normal((30, 20)).astype("float32")
    y = rng.integers(0, 3, 30)
    model, _ = _linear(w, b)
    g = InputGradients(model, chunk=30)(x, y)

    def loss(inputs):
        p = softmax_rows(inputs.astype("float64") @ w)
        return -np.log(p[np.arange(len(y)), y])

    assert np.all(loss(fgsm(x, g, 0.01)) > loss(x))  # ε small: the first-order increase ε‖g‖₁ wins per example
    assert loss(fgsm(x, g, 0.01)).mean() > loss(sign_noise(x, 0.01, rng)).mean()


def test_pixel_range_and_flipped_fraction():
    pixels = np.array([0.0, 0.25, 1.0, 0.5], dtype="float32")
    standardized = (pixels - pixels.mean()) / pixels.std()
    black, white = pixel_range(standardized)
    assert black == pytest.approx(-pixels.mean() / pixels.std()) and white - black == pytest.approx(1 / pixels.std())
    # of the three correct examples (0, 1, 3), one (1) changed its prediction
    assert flipped_fraction([0, 1, 2, 3], [0, 2, 2, 3], [0, 1, 1, 3]) == pytest.approx(1 / 3)


def test_a_net_with_dropout_is_refused():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dropout(0.5), keras.layers.Dense(3)])
    with pytest.raises(ValueError):
        InputGradients(model)
