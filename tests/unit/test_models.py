"""The shared model builders: each activation's layer and init (Leaky ReLU is the lecture's max(0.01x, x))."""

import keras
import numpy as np
import pytest

from reproductions.common.models import activation_layer, initializer, mlp

pytestmark = pytest.mark.unit


def test_leaky_relu_is_the_lectures_max_of_0_01x_and_x():
    x = np.array([[-2.0, -0.5, 0.0, 1.0]], dtype="float32")
    out = keras.ops.convert_to_numpy(activation_layer("leaky_relu")(x))
    np.testing.assert_allclose(out, [[-0.02, -0.005, 0.0, 1.0]], rtol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(activation_layer("elu")(x)),
                               [[np.expm1(-2.0), np.expm1(-0.5), 0.0, 1.0]], rtol=1e-6)


@pytest.mark.parametrize("activation, scale, mode", [("relu", 2.0, "fan_in"), ("leaky_relu", 2.0, "fan_in"),
                                                     ("elu", 2.0, "fan_in"), ("tanh", 1.0, "fan_avg"),
                                                     ("sigmoid", 1.0, "fan_avg")])
def test_he_init_for_relu_and_its_relatives_glorot_for_saturating_units(activation, scale, mode):
    init = initializer(activation)
    assert (init.scale, init.mode, init.distribution) == (scale, mode, "truncated_normal")


def test_an_mlp_uses_the_named_activation_layer():
    model = mlp(4, 2, 3, "leaky_relu")
    leaky = [layer for layer in model.layers if isinstance(layer, keras.layers.LeakyReLU)]
    assert len(leaky) == 2 and all(layer.negative_slope == pytest.approx(0.01) for layer in leaky)
