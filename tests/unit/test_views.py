"""The MLflow UI views the recorder stores with a claim (mlflow_tracking.views): what each shows, and that its tag
always fits MLflow's limit (the browser test, tests/test_ui.py, looks at them in Chromium)."""

import pytest

from mlflow_tracking.views import MAX_TAG, decoded, encoded, view_filter, view_key, views

pytestmark = pytest.mark.unit


def test_a_view_shows_one_stage_of_one_execution_grouped_and_charts_only_the_judged_metrics():
    found = views("abc", judged_metrics=["steps", "absent"], shown_metrics=["steps", "loss", "p_value"])
    assert set(found) == {"eval", "tuning", "placebo"}
    judged = found["eval"]
    assert judged["searchFilter"] == "tags.stage = 'eval' AND tags.`mlflow.parentRunId` = 'abc'" == view_filter("abc", "eval")
    assert [k["groupByData"] for k in judged["groupBy"]["groupByKeys"]] == ["arm"]
    assert [k["groupByData"] for k in found["tuning"]["groupBy"]["groupByKeys"]] == ["arm", "grid_value"]
    cards = {c["metricKey"]: c["deleted"] for c in judged["compareRunCharts"]}
    assert cards == {"steps": False, "loss": True, "p_value": True}  # a metric no run carries gets no chart
    assert view_key("verdict.quick", "eval") == "quick-judged"
    assert view_key("verdict.quick.confirmation", "placebo") == "quick-confirmation-placebo"


def test_a_views_tag_round_trips_and_always_fits_mlflows_limit():
    state = views("abc", ["steps"], ["steps", "loss"])["eval"]
    assert decoded(encoded(state)) == state and encoded(state).startswith("deflate;")
    many = [f"metric_{i}_{'x' * (i % 50)}" for i in range(20_000)]
    crowded = views("abc", ["steps"], ["steps"] + many)["eval"]
    text = encoded(crowded)
    assert len(text) <= MAX_TAG
    kept = decoded(text)
    assert [c["metricKey"] for c in kept["compareRunCharts"]] == ["steps"]  # the hiding cards went, not the chart
    assert kept["searchFilter"] == crowded["searchFilter"]
