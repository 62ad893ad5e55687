"""The suite's own benchmarks run and print their figures (what the figures are is measured, never
asserted: speed targets are read off the printed tables, not timed in tests)."""

import re

import pytest

from benchmarks.perf import throughput as bench_throughput
from benchmarks.plan import planned_runs
from reproductions import registry

pytestmark = pytest.mark.smoke


def test_throughput_benchmark_prints_a_row_per_claim_and_the_suite(capsys):
    bench_throughput.main(["--profile", "smoke", "--claims", "initial-loss", "dropout-overfitting",
                           "--step-cap", "10", "--seeds", "2", "--no-loop"])
    out = capsys.readouterr().out
    runs = {cid: planned_runs(registry()[cid], "smoke", 2) for cid in ("initial-loss", "dropout-overfitting")}
    assert re.search(rf"^initial-loss\s+{runs['initial-loss']}\s+–\s+–\s+[\d.]+\s+\d+$", out, re.M), out
    row = re.search(r"^dropout-overfitting\s+(\d+)\s+(\d+)\s+(-?\d+)%\s+([\d.]+)\s+(\d+)$", out, re.M)
    assert row and float(row.group(2)) > 0 and 0 <= int(row.group(3)) <= 100, out
    # the planned runs, and at most one more per tuned arm and tuning seed for each extension of its grid
    dropout = registry()["dropout-overfitting"]
    extra = sum(a.tuned for a in dropout.arms) * dropout.budgets["smoke"].tuning_seeds * dropout.tuning.extend_edges
    assert runs["dropout-overfitting"] <= int(row.group(1)) <= runs["dropout-overfitting"] + extra, out
    assert re.search(r"^suite\s+[\d.]+\s+\d+\s+\(≈ [\d.]+ h uncapped", out, re.M), out


def test_training_loop_comparison_prints_both_rates_and_the_overhead(capsys):
    bench_throughput.main(["--profile", "smoke", "--no-suite", "--loop-claim", "batchnorm-speedup",
                           "--loop-steps", "50", "--loop-repeats", "1"])
    out = capsys.readouterr().out
    suite = re.search(r"suite \(fit.*?:\s+(\d+) images/s", out)
    hand = re.search(r"hand-written jitted loop \(reads each window\):\s+(\d+) images/s", out)
    unread = re.search(r"the same, reading only at the end:\s+(\d+) images/s", out)
    assert suite and hand and unread, out
    assert min(float(m.group(1)) for m in (suite, hand, unread)) > 0, out
    assert re.search(r"suite overhead: [+-][\d.]+% \(bar: under 10%\) -> (PASS|FAIL); against the loop that "
                     r"reads only at the end \(it could not stop at a target\): [+-][\d.]+%", out), out


def test_loop_comparison_needs_a_claim_that_trains_to_a_target():
    with pytest.raises(SystemExit, match="must be a claim that trains to a target"):
        bench_throughput.main(["--profile", "smoke", "--no-suite", "--loop-claim", "initial-loss"])


def test_planned_images_counts_every_step_or_epoch_of_a_budget():
    assert bench_throughput.planned_images({"max_steps": 100, "batch_size": 50}, 60000) == 5000
    assert bench_throughput.planned_images({"max_steps": 100, "batch_size": 50, "init_scales": (0.3, 3.0)},
                                           60000) == 10000
    assert bench_throughput.planned_images({"epochs": 2, "train_size": None}, 60000) == 120000
    assert bench_throughput.planned_images({"epochs": 2, "train_size": 100, "set": "small",
                                            "small_train_size": 10}, 60000) == 20
    assert bench_throughput.planned_images({"mode": "structure", "epochs": 4}, 60000) == 0
