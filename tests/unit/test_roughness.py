"""The roughness of an image (weight-visualization's measure of noisy against clean filters)."""

import numpy as np
import pytest

from reproductions.common.roughness import filters_as_images, roughness

pytestmark = pytest.mark.unit


def _smooth(height=28, width=28):
    rows, cols = np.mgrid[0:height, 0:width] / 27.0
    return np.exp(-((rows - 0.5) ** 2 + (cols - 0.4) ** 2) / 0.08) + 0.5 * np.sin(3 * cols)


def test_white_noise_scores_one_and_a_smooth_image_near_zero():
    noise = np.random.default_rng(0).standard_normal((200, 28, 28))
    values = roughness(noise)
    assert values.shape == (200,)
    assert abs(values.mean() - 1.0) < 0.01 and values.std() < 0.05
    assert roughness(_smooth()) < 0.05


def test_known_values_a_checkerboard_a_ramp_and_a_constant():
    checker = np.indices((28, 28)).sum(axis=0) % 2 * 2.0 - 1.0  # neighbours anti-correlated: the maximum, 2
    assert roughness(checker) == pytest.approx(2.0)
    stripes = np.tile(np.arange(28) % 2, (28, 1)).astype(float)  # steps of 1 across, none down; variance 1/4
    assert roughness(stripes) == pytest.approx(1.0 / (4 * 0.25))
    ramp = np.tile(np.arange(4.0), (4, 1))  # steps of 1 across, none down; variance 1.25
    assert roughness(ramp) == pytest.approx(1.0 / (4 * 1.25))
    assert roughness(np.full((5, 5), 3.0)) == 0.0  # no shape at all: smooth


def test_scale_and_shift_do_not_change_it_but_noise_does():
    image = _smooth()
    base = roughness(image)
    for a, b in ((1e-3, 0.0), (250.0, -7.0), (-2.0, 1.0)):
        assert roughness(a * image + b) == pytest.approx(base, rel=1e-9)
    noisy = image + 0.3 * np.random.default_rng(1).standard_normal(image.shape)
    assert roughness(noisy) > 10 * base
    # more noise on the same picture: rougher
    rougher = image + 1.0 * np.random.default_rng(1).standard_normal(image.shape)
    assert roughness(rougher) > roughness(noisy)


def test_a_stack_is_scored_image_by_image():
    stack = np.stack([_smooth(), np.random.default_rng(2).standard_normal((28, 28))])
    np.testing.assert_allclose(roughness(stack), [roughness(stack[0]), roughness(stack[1])])
    with pytest.raises(ValueError):
        roughness(np.ones(7))


def test_a_dense_kernel_unflattens_into_one_image_per_unit():
    images = np.random.default_rng(3).standard_normal((5, 28, 28))
    kernel = images.reshape(5, 784).T  # a Dense kernel: inputs × units, inputs row-major pixels
    np.testing.assert_array_equal(filters_as_images(kernel, (28, 28)), images)
    with pytest.raises(ValueError):
        filters_as_images(kernel, (27, 28))
