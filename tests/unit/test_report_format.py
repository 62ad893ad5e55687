"""The report's numbers: an estimate and its interval at the precision the interval supports; images from series."""

import math

import numpy as np
import pytest

from benchmarks.plots import best_index, draw_images, draw_scatter, images_of, trial_points
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


def test_a_searchs_trials_are_paired_by_step_and_its_best_is_marked(tmp_path):
    x = {0: 1e-4, 1: 1e-3, 2: 1e-2, 3: 1e-1}
    score = {1: 0.7, 2: 0.9, 3: float("nan"), 0: 0.5}
    xs, ys, scores = trial_points(x, score)
    assert xs.tolist() == [1e-4, 1e-3, 1e-2, 1e-1] and ys[:3].tolist() == [0.5, 0.7, 0.9]
    assert best_index(scores, "greater") == 2 and best_index(scores, "less") == 0  # NaN never wins
    assert best_index(scores, None) is None
    xs, ys, scores = trial_points(x, score, y={0: 1.0, 2: 3.0})  # only the steps every series holds
    assert xs.tolist() == [1e-4, 1e-2] and ys.tolist() == [1.0, 3.0] and scores.tolist() == [0.5, 0.9]
    one_d = PlotSpec(name="s", kind="scatter", metric="score", x_metric="lr", log_x=True, best="greater",
                     reference={"range edge": 1e-3}, title="t")
    two_d = PlotSpec(name="s2", kind="scatter", metric="score", x_metric="lr", y_metric="l2", log_x=True, best="greater",
                     title="t")
    points = {"grid": {0: trial_points(x, score, {s: 0.1 * (s + 1) for s in x})},
              "random": {0: trial_points({0: 0.0, 1: 2e-3}, {0: 0.4, 1: 0.8}, {0: 0.2, 1: 0.3})}}  # x = 0 off a log axis
    assert draw_scatter(one_d, points, tmp_path / "a.png").stat().st_size > 1000
    assert draw_scatter(two_d, points, tmp_path / "b.png").stat().st_size > 1000


def test_a_p_value_is_never_printed_as_zero():
    from benchmarks.report import fmt_p

    assert fmt_p(0.0) == "p<1e-300"  # scipy's 0.0: below a double's range, not zero
    assert fmt_p(0.0031) == "p=0.0031" and fmt_p(1e-12) == "p=1e-12" and fmt_p(float("nan")) == "p=–"


def test_bar_intervals_are_honest_on_log_axes_and_for_shares():
    from benchmarks.plots import mean_interval

    mean, low, high = mean_interval(np.array([100.0, 1000.0, 10000.0]), 0.05, log=True)
    assert mean == pytest.approx(1000.0) and 0 < low < mean < high  # the geometric mean; never below 0 on a log axis
    mean, low, high = mean_interval(np.array([0.0, 0.02, 0.0, 0.01, 0.0]), 0.05, log=False)
    assert low == 0.0 and 0 < mean < high <= 1  # a share's interval stays within [0, 1]
    mean, low, high = mean_interval(np.array([-3.0, -1.0, 2.0]), 0.05, log=False)
    assert low < -3.0 < 2.0 < high  # not a share: the t interval as it is


def test_a_censored_arm_is_drawn_as_a_bound_and_says_so(tmp_path, monkeypatch):
    from benchmarks import plots

    labels = {}
    original = plots._save

    def keep(figure, path, bottom=0.13, stamp=None):
        labels["x"] = [tick.get_text() for tick in figure.axes[0].get_xticklabels()]
        labels["legend"] = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
        return original(figure, path, bottom, stamp)

    monkeypatch.setattr(plots, "_save", keep)
    spec = PlotSpec(name="s", kind="bar", metric="steps_to_target", title="t", log_y=True)
    steps = {"relu": {0: 300.0, 1: 350.0}, "sigmoid": {0: 1500.0, 1: 1500.0}}
    censored = {"relu": {0: 0.0, 1: 0.0}, "sigmoid": {0: 1.0, 1: 1.0}}
    plots.draw_bar(spec, steps, tmp_path / "p.png", censored_by_arm=censored)
    assert labels["x"] == ["relu", "sigmoid\n(≥: 2 of 2 censored)"]
    assert labels["legend"] == ["geometric mean over seeds; error bars: its 95 % interval"]
    assert (tmp_path / "p.png").stat().st_size > 0


def test_a_claims_censoring_flag_reaches_its_steps_chart(tmp_path):
    """plot_jobs reads the flag from the claim's own sub-claims (Expectation.censored_by), not from a name."""
    import dataclasses

    from benchmarks import plots
    from reproductions import registry
    from reproductions.common.training import steps_to_target_plot

    claim = registry()["relu-vs-saturating"]
    claim = dataclasses.replace(claim, plots=(steps_to_target_plot(title="t"),))
    results = {"relu": {0: {"steps_to_target": 300.0, "censored": 0.0}},
               "sigmoid": {0: {"steps_to_target": 1500.0, "censored": 1.0}}}
    (job,) = plots.plot_jobs(None, claim, {}, results, tmp_path)
    seen = job.data["censored_by_arm"]
    assert seen["sigmoid"] == {0: 1.0} and seen["relu"] == {0: 0.0}


def test_a_sourced_size_is_drawn_over_its_arm_and_an_untold_arm_left_out(tmp_path, monkeypatch):
    """relu-vs-saturating's lecture 6× is drawn over tanh and sigmoid at 6× ReLU's geometric mean; batchnorm-speedup's
    paper 2.3× over the plain net; sizes of our own are not drawn; batchnorm's fixed-budget arms (never judged on
    steps, every run at its budget) are left off its steps chart and named under it."""
    from matplotlib.pyplot import close

    from benchmarks import plots
    from reproductions import registry

    relu = registry()["relu-vs-saturating"]
    levels = {(arm, baseline): (kind, amount) for arm, baseline, kind, amount, _ in plots.sized_levels(relu, "steps_to_target")}
    assert levels == {("tanh", "relu"): ("ratio", pytest.approx(6.0)), ("sigmoid", "relu"): ("ratio", pytest.approx(6.0))}
    drawn = {}

    def keep(figure, path, bottom=0.13, stamp=None):
        axes = figure.axes[0]
        drawn["segments"] = [(tuple(segment[:, 1]), tuple(segment[:, 0])) for collection in axes.collections
                             if collection.get_label().startswith("the source's size")
                             for segment in collection.get_segments()]
        drawn["text"] = [text.get_text() for text in figure.texts]
        close(figure)
        return path

    monkeypatch.setattr(plots, "_save", keep)
    steps = {"relu": {0: 100.0, 1: 400.0}, "tanh": {0: 300.0, 1: 300.0}, "sigmoid": {0: 900.0, 1: 900.0}}
    plots.draw_bar(relu.plots[0], steps, tmp_path / "p.png", sized=tuple(plots.sized_levels(relu, "steps_to_target")))
    assert sorted(drawn["segments"]) == [((pytest.approx(1200.0),) * 2, (pytest.approx(0.58), pytest.approx(1.42))),
                                         ((pytest.approx(1200.0),) * 2, (pytest.approx(1.58), pytest.approx(2.42)))]
    batchnorm = registry()["batchnorm-speedup"]
    results = {arm.name: {0: {"steps_to_target": 1000.0 if "fixed" in arm.name else 400.0,
                              "censored": 1.0 if "fixed" in arm.name else 0.0}} for arm in batchnorm.arms}
    spec = next(p for p in batchnorm.plots if p.metric == "steps_to_target")
    (job,) = [j for j in plots.plot_jobs(None, batchnorm, {}, results, tmp_path) if j.spec == spec]
    assert job.data["omitted"] == ("plain-fixed-budget", "bn-fixed-budget")
    assert "plain-fixed-budget" not in job.data["scalars_by_arm"] and "plain" in job.data["scalars_by_arm"]
    assert [kind for _, _, kind, _, _ in job.data["sized"]] == ["ratio"]
    plots.draw(job)
    assert drawn["text"] == ["Not drawn (judged on other measures; every run stopped at its budget): "
                             "plain-fixed-budget, bn-fixed-budget"]
