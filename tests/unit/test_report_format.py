"""The report's numbers: an estimate and its interval at the precision the interval supports; images from series."""

import math

import numpy as np
import pytest

from benchmarks.plots import draw_images, images_of
from benchmarks.report import fmt_interval
from reproductions.claim import PlotSpec

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("values, prefix, text", [
    ((2.9807e-07, 2.9486e-07, 3.0129e-07), "", "2.981e-07 [2.949e-07, 3.013e-07]"),  # half-width 3.2e-9: 2 digits
    ((0.89583, 0.64197, 1.2501), "×", "×0.90 [×0.64, ×1.25]"),
    ((0.653, 0.567, math.inf), "", "0.65 [0.57, ∞]"),  # one-sided: the finite side sets the precision
    ((2.30258517, 2.30258497, 2.30258537), "", "2.30258517 [2.30258497, 2.30258537]"),
    ((-0.0478, -0.159, 0.0633), "", "-0.05 [-0.16, 0.06]"),  # half-width 0.11: two digits (11 < 35)
    ((0.0478, 0.0, 0.0956), "", "0.05 [0.00, 0.10]"),  # half-width 0.048: one digit (48 ≥ 35)
    ((1234.5, 1000.0, 1500.0), "", "1230 [1000, 1500]"),
    ((12345678.0, 1e7, 2e7), "", "1.2e+07 [1.0e+07, 2.0e+07]"),
    ((0.0, 0.0, 0.0), "", "0 [0, 0]"),  # no width: as fmt
])
def test_an_estimate_keeps_the_digits_its_interval_supports(values, prefix, text):
    assert fmt_interval(*values, prefix=prefix) == text


def test_images_come_back_from_a_series_in_order_and_are_drawn(tmp_path):
    filters = np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 4)
    points = {i: v for i, v in enumerate(filters.ravel())}
    assert np.array_equal(images_of(points, (3, 4)), filters)
    with pytest.raises(ValueError, match="whole"):
        images_of({i: 0.0 for i in range(1, 13)}, (3, 4))  # not from step 0
    with pytest.raises(ValueError, match="whole"):
        images_of({i: 0.0 for i in range(10)}, (3, 4))  # not whole images
    spec = PlotSpec(name="filters", kind="images", metric="filters", title="t", image_shape=(3, 4))
    path = draw_images(spec, {"a": filters, "b": filters[:1]}, tmp_path / "f.png")
    assert path.stat().st_size > 1000
