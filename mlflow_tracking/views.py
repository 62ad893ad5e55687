"""The MLflow UI's views of a claim's runs, stored with the claim.

MLflow's own shared-view mechanism (the UI's "Share" button): an experiment tag `mlflow.sharedViewState.<key>` holds
a view (its run filter, grouping, charts), opened by the URL parameter `viewStateShareKey=<key>`. The recorder stores
one per judged execution and stage (its judged runs, its tuning runs, its placebo runs); `reprobench ui` prints their
URLs. Imports nothing heavier than json and zlib: the `ui` command reads these names without loading the engine.
"""

from __future__ import annotations

import base64
import json
import zlib

VIEW_TAG = "mlflow.sharedViewState."
VIEW_STAGES = {"eval": "judged", "tuning": "tuning", "placebo": "placebo"}


def view_key(verdict_key: str, stage: str) -> str:
    """'verdict.quick' and 'eval' -> 'quick-judged'; 'verdict.quick.confirmation' and 'tuning' ->
    'quick-confirmation-tuning'."""
    return verdict_key.removeprefix("verdict.").replace(".", "-") + "-" + VIEW_STAGES[stage]


def view_filter(parent_run_id: str, stage: str) -> str:
    """The runs of one stage ('eval', 'tuning', 'placebo') of one execution, in MLflow's search syntax."""
    return f"tags.stage = '{stage}' AND tags.`mlflow.parentRunId` = '{parent_run_id}'"


CHART_SECTION = "reprobench-judged-metrics"


def charts(judged_metrics: list[str], other_metrics: list[str]) -> dict:
    """The charts of a view: a bar chart per judged metric (its mean per arm group), in one section; every other
    metric the view's runs carry gets a card marked deleted, which keeps the UI from drawing it (it draws a chart
    for each metric that has no card), so a claim shows its few judged metrics, not dozens of one-bar charts. The
    user can add any of them back ("Add chart")."""
    def card(metric, deleted):
        return {"uuid": f"reprobench-{metric}", "type": "BAR", "runsCountToCompare": 100,
                "metricSectionId": CHART_SECTION, "deleted": deleted, "isGenerated": False,
                "displayName": metric, "metricKey": metric}
    cards = [card(m, False) for m in judged_metrics] + [card(m, True) for m in other_metrics if m not in judged_metrics]
    return {"compareRunCharts": cards,
            "compareRunSections": [{"uuid": CHART_SECTION, "name": "The claim's judged metrics, mean per arm",
                                    "display": True, "isReordered": True, "deleted": False, "isGenerated": False}],
            "isAccordionReordered": True}


def views(parent_run_id: str, judged_metrics: list[str] = (), shown_metrics: list[str] = ()) -> dict[str, dict]:
    """The MLflow UI views of one execution: its judged runs grouped by arm (the runs the verdict was judged from,
    nothing else), its tuning runs grouped by arm and grid value, its placebo runs; each charts the claim's judged
    metrics (`judged_metrics`) by group and hides the other metrics its runs carry (`shown_metrics`)."""
    def by(*keys):
        return {"aggregateFunction": "average", "groupByKeys": [{"mode": "tag", "groupByData": k} for k in keys]}
    judged = [m for m in judged_metrics if m in shown_metrics]
    return {stage: {"searchFilter": view_filter(parent_run_id, stage), "orderByKey": "attributes.start_time",
                    "orderByAsc": True, "groupBy": by(*(("arm", "grid_value") if stage == "tuning" else ("arm",))),
                    "hideEmptyCharts": True, "useGroupedValuesInCharts": True,
                    **charts(judged, list(shown_metrics))}
            for stage in VIEW_STAGES}


MAX_TAG = 20_000  # MLflow's limit on an experiment tag's value


def encoded(state: dict) -> str:
    """A view as the tag's value, in the UI's own compressed form ('deflate;' and base64 of zlib data, what its
    "Share" button writes), so that a claim with many metrics fits MLflow's 20,000-character limit; past it, the
    hiding cards go (the UI then draws every metric, as without a view)."""
    text = "deflate;" + base64.b64encode(zlib.compress(json.dumps(state, sort_keys=True).encode(), 9)).decode()
    if len(text) <= MAX_TAG or "compareRunCharts" not in state:
        return text
    kept = [card for card in state["compareRunCharts"] if not card["deleted"]]
    return encoded({**state, "compareRunCharts": kept} if len(kept) < len(state["compareRunCharts"]) else
                   {k: v for k, v in state.items() if k not in ("compareRunCharts", "compareRunSections")})


def decoded(value: str) -> dict:
    """A view tag's value back as the view (for tests and tools)."""
    if value.startswith("deflate;"):
        return json.loads(zlib.decompress(base64.b64decode(value[len("deflate;"):])))
    return json.loads(value)
