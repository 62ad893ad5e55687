"""`reprobench ui` serves the suite's store: experiment per claim, execution with its verdict, child runs, metrics."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.plan import planned_runs
from benchmarks.runner import run_claim
from mlflow_tracking import runs
from reproductions import registry
from tests.servers import Lines, free_port, wait_http

pytestmark = [pytest.mark.smoke]


def _api(base, path, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(f"{base}/api/2.0/mlflow/{path}", data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.mark.initial_loss
def test_ui_shows_the_runs(store, tmp_path):
    claim = registry()["initial-loss"]
    summary = run_claim(claim, "smoke", 2, store, progress=lambda _: None)
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "benchmarks.cli", "--store", store.uri, "ui", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/health", 90, server)
        experiment = _api(base, "experiments/get-by-name?experiment_name=initial-loss")["experiment"]
        found = _api(base, "runs/search", {"experiment_ids": [experiment["experiment_id"]], "max_results": 100})
        by_kind = {}
        for run in found["runs"]:
            tags = {t["key"]: t["value"] for t in run["data"].get("tags", [])}
            by_kind.setdefault(tags.get("kind"), []).append((run, tags))
        (parent, parent_tags), = by_kind["execution"]
        assert parent["info"]["run_id"] == summary.parent_run_id
        assert parent_tags["verdict"] == summary.verdict.verdict
        children = by_kind["arm-run"]
        assert len(children) == planned_runs(claim, "smoke", 2)  # every arm × seed, and the placebo replicate
        assert all(tags["mlflow.parentRunId"] == summary.parent_run_id for _, tags in children)
        child_id = children[0][0]["info"]["run_id"]
        history = _api(base, f"metrics/get-history?run_id={child_id}&metric_key=initial_loss")["metrics"]
        assert history and 2.0 < history[0]["value"] < 3.5
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:  # the web app itself is served
            assert response.status == 200 and b"<html" in response.read().lower()
    finally:  # the server and any workers it started
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --------------------------------------------------------------------------- in a real browser

BROWSER_ENV = "REPROBENCH_REQUIRE_BROWSER"  # set by scripts/test.sh: a missing browser fails, not skips
ARTIFACTS = Path(os.environ.get("REPROBENCH_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))


def _browser():
    """Headless Debian Chromium driven by selenium, or the reason there is none."""
    missing = [path for path in ("/usr/bin/chromium", "/usr/bin/chromedriver") if not os.path.exists(path)]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if missing:
        return None, "no browser to drive: missing " + ", ".join(missing) + " (apt-get install chromium chromium-driver)"
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1600,1800"):
        options.add_argument(flag)  # the background-networking flags: this machine has no internet
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options), None


def _wait_for_text(driver, needles, seconds=60):
    from selenium.webdriver.common.by import By

    deadline, body = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        body = driver.find_element(By.TAG_NAME, "body").text
        if all(needle in body for needle in needles):
            return body
        time.sleep(0.5)
    raise AssertionError(f"never shown: {[n for n in needles if n not in body]}\n{body[:2000]}")


@pytest.mark.dropout_overfitting
@pytest.mark.ci
def test_ui_in_a_real_browser(store):
    """`reprobench ui` on a store with a smoke run, looked at in headless Chromium through the URLs it prints: every
    claim with its verdict tag in the machine-learning view; the judged runs alone, grouped by arm, with a chart per
    judged metric; the placebo runs apart; the runs nested under their execution, the verdict tag and description,
    and a per-epoch metric chart. Screenshots in test-artifacts/."""
    driver, why = _browser()
    if driver is None:
        if os.environ.get(BROWSER_ENV):
            pytest.fail(f"{BROWSER_ENV} is set but {why}")
        pytest.skip(why)
    claim = registry()["dropout-overfitting"]
    summary = run_claim(claim, "smoke", 1, store, progress=lambda _: None)
    experiment = store.experiment_id(claim.id, create=False)
    children = {c.name: c for c in runs.children(store, experiment, summary.parent_run_id)}
    server = subprocess.Popen([sys.executable, "-m", "benchmarks.cli", "--store", store.uri, "ui"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        lines = Lines(server.stdout)  # never a bare readline: a server that prints nothing fails the test in 60 s
        first = lines.next(60)  # "MLflow UI for <store> at http://127.0.0.1:<free port>/ (Ctrl-C stops it)"
        base = re.search(r"at (http://127\.0\.0\.1:\d+/)", first).group(1)
        every = lines.next(60)
        assert every.strip() == f"every claim, with its verdicts: {base}#/experiments?workflowType=machine_learning"
        claim_line, apart_line = lines.next(60), lines.next(60)
        runs_page = f"{base}#/experiments/{experiment}/runs"
        assert claim_line.strip() == (f"{claim.id} · smoke · {summary.verdict.verdict}: {runs_page}?viewStateShareKey="
                                      "smoke-judged&compareRunsMode=CHART&workflowType=machine_learning")
        tuning_url, placebo_url = (f"{runs_page}?viewStateShareKey=smoke-{stage}&workflowType=machine_learning"
                                   for stage in ("tuning", "placebo"))
        assert apart_line.strip() == f"tuning runs {tuning_url} · placebo runs {placebo_url}"
        wait_http(base + "health", 90, server)
        from selenium.webdriver.common.by import By

        driver.get(every.split(": ", 1)[1].strip())  # every claim with its verdict, in the machine-learning view
        _wait_for_text(driver, ["Experiments", claim.id, "verdict.smoke", summary.verdict.verdict, "Model training"])
        driver.save_screenshot(str(ARTIFACTS / "ui-experiments.png"))

        driver.get(claim_line.split(": ", 1)[1].strip())  # the judged runs only, grouped by arm, charted by arm
        body = _wait_for_text(driver, ["You're viewing a shared view", "Group by: arm", "Group: none", "Group: dropout-0.5",
                                       "The claim's judged metrics, mean per arm", "best_val_loss"])
        assert "· placebo ·" not in body and "· tuning " not in body  # apart: their own views
        assert "centre_mass" not in body and "images_trained" not in body  # not a chart per metric
        driver.save_screenshot(str(ARTIFACTS / "ui-judged-runs.png"))

        driver.get(tuning_url)  # the tuning runs, apart, grouped by arm and grid value
        body = _wait_for_text(driver, ["You're viewing a shared view", "Group: arm: none, grid_value: ", " · tuning "])
        assert "none · repeat 0" not in body and "· placebo ·" not in body
        driver.save_screenshot(str(ARTIFACTS / "ui-tuning-runs.png"))

        driver.get(placebo_url)  # the placebo runs, apart
        body = _wait_for_text(driver, ["You're viewing a shared view", " · placebo · repeat 0"])
        assert "none · repeat 0" not in body and "dropout-0.5 · repeat 0" not in body and " · tuning " not in body
        driver.save_screenshot(str(ARTIFACTS / "ui-placebo-runs.png"))

        driver.get("about:blank")  # a fresh page: a hash change alone keeps the shared view's state
        driver.get(f"{base}#/experiments/{experiment}/runs?workflowType=machine_learning")  # every run, by execution
        _wait_for_text(driver, [claim.id, claim.title[:40], f"{claim.id} · smoke · ", "matching runs"])

        expand = driver.find_elements(By.CSS_SELECTOR, "button[data-component-id*='runnamecellrenderer']")
        assert expand, "the execution run has no nested runs to expand"
        expand[0].click()  # the arm × seed runs, nested under their execution
        _wait_for_text(driver, ["none · repeat 0", "dropout-0.5 · repeat 0", "inverted-check · repeat 0"])
        driver.save_screenshot(str(ARTIFACTS / "ui-experiment.png"))

        driver.get(f"{base}#/experiments/{experiment}/runs/{summary.parent_run_id}")  # the execution run
        body = _wait_for_text(driver, ["verdict", summary.verdict.verdict, "Child runs", "none · repeat 0",
                                       f"Verdict: {summary.verdict.verdict}"])
        assert "dropout-lowers-best-val-loss.n" in body and "n_seeds" in body  # the summary metrics
        driver.save_screenshot(str(ARTIFACTS / "ui-execution.png"))

        child = children["none · repeat 0"]
        driver.get(f"{base}#/experiments/{experiment}/runs/{child.run_id}/model-metrics")
        _wait_for_text(driver, ["images_trained"])  # the chart view is up (charts further down render on scroll)
        search = driver.find_elements(By.CSS_SELECTOR, "input[placeholder*='earch']")
        assert search, "no search box for the metric charts"
        search[0].send_keys("train_loss_curve")  # the per-epoch curve, whatever charts come before it
        _wait_for_text(driver, ["train_loss_curve"])

        deadline = time.monotonic() + 30
        while not driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot"), "no metric chart drawn"
        driver.save_screenshot(str(ARTIFACTS / "ui-metric-charts.png"))
        assert (ARTIFACTS / "ui-metric-charts.png").stat().st_size > 10_000
    finally:
        driver.quit()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
