"""Benchmark: how long the `quick` profile takes, per claim and in all, and how long the report takes.

    python -m benchmarks.bench_quick [--seeds 5] [--claims ID ...]

Runs into a fresh temporary store (nothing of yours is touched) with --force semantics, and prints
a table of wall-clock seconds: per claim (all arms × seeds, judging and plot artifacts included),
per arm × seed run on average, and the report regenerated from the store. The bar for the
walking-skeleton claims (init-scale-collapse and initial-loss, 5 seeds each) is 2 minutes in all on
a 2-core CPU.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
logging.getLogger("tensorflow").setLevel(logging.ERROR)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--claims", nargs="*", help="claim ids (default: every registered claim)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    import keras

    from benchmarks.report import write_report
    from benchmarks.runner import run_claim
    from mlflow_tracking import Store
    from reproductions import registry

    import_seconds = time.monotonic() - started
    claims = [registry()[c] for c in args.claims] if args.claims else list(registry().values())
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(f"sqlite:///{Path(scratch) / 'mlflow.db'}")
        for claim in claims:
            t0 = time.monotonic()
            summary = run_claim(claim, "quick", args.seeds, store, force=True, progress=lambda _: None)
            seconds = time.monotonic() - t0
            rows.append((claim.id, summary.ran, seconds, seconds / max(summary.ran, 1), summary.verdict.verdict))
        t0 = time.monotonic()
        write_report(store, Path(scratch) / "report")
        report_seconds = time.monotonic() - t0
    total = time.monotonic() - started

    print(f"quick profile, {args.seeds} seeds, backend {keras.backend.backend()}, {os.cpu_count()} CPUs")
    print(f"{'claim':<24} {'runs':>5} {'seconds':>8} {'s/run':>6}  verdict")
    for claim_id, ran, seconds, per_run, verdict in rows:
        print(f"{claim_id:<24} {ran:>5} {seconds:>8.1f} {per_run:>6.2f}  {verdict}")
    print(f"{'imports (keras, mlflow)':<24} {'':>5} {import_seconds:>8.1f}")
    print(f"{'report from the store':<24} {'':>5} {report_seconds:>8.1f}")
    print(f"{'total':<24} {sum(r[1] for r in rows):>5} {total:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
