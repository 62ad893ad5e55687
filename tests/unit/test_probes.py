"""The gradient probe and the receptive field it measures (small-kernel-stacks), on constructed nets."""

import keras
import numpy as np
import pytest

from reproductions.architecture import small_kernel_stacks
from reproductions.common.probes import GradientProbe, read_gradients

pytestmark = pytest.mark.unit


def test_the_probe_reads_the_exact_input_gradient_of_a_linear_map_and_moves_no_weight():
    # 10 fresh nets: with the weights trainable in the probe's step, TensorFlow computed the gradient
    # with the updated kernel in about 1 call of 3
    w = np.arange(12, dtype="float32").reshape(4, 3) / 10
    upstream = np.random.default_rng(0).standard_normal((5, 3)).astype("float32")
    for _ in range(10):
        inputs = keras.Input((4,))
        probe = GradientProbe(5)
        dense = keras.layers.Dense(3, use_bias=False, kernel_initializer=keras.initializers.Constant(w))
        (gradient,) = read_gradients(keras.Model(inputs, dense(probe(inputs))), [probe], np.ones((5, 4), "float32"),
                                     upstream)
        np.testing.assert_allclose(gradient, upstream @ w.T, rtol=1e-5)  # d<u, xW>/dx = u W^T
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(dense.kernel), w)
        assert dense.kernel.trainable  # frozen for the probe's step only


def _channel0_dead(shape, dtype=None):
    kernel = np.ones(shape, dtype="float32")
    kernel[..., 0] = -1.0  # fed the first ReLU's non-negative outputs, channel 0 never fires
    return keras.ops.convert_to_tensor(kernel, dtype=dtype)


def test_a_dead_channel_does_not_hide_the_field(monkeypatch):
    def layers(name, channels, activation):
        return [keras.layers.Conv2D(channels, 3, padding="same", activation=activation,
                                    kernel_initializer=init) for init in ("ones", _channel0_dead)]

    monkeypatch.setattr(small_kernel_stacks, "block_layers", layers)
    rows, cols, centre = small_kernel_stacks.receptive_field("3x3x2", 4, "relu", seed=0)
    assert (rows, cols) == (5, 5) and 0 < centre < 1  # channel 0 alone would have shown no field at all
