"""Benchmark: where the `quick` profile's time goes, per claim and in all, and how long the report takes.

    python -m benchmarks.perf.quick [--seeds 5] [--claims ID ...] [--keep DIR]

Runs into a fresh temporary store (nothing of yours is touched; with --keep DIR, into DIR/mlflow.db,
kept for `reprobench --store sqlite:///DIR/mlflow.db report|confirm|ui`) with --force semantics, in the
project's numeric environment (benchmarks.numerics, printed first), and prints per claim:

- runs: arm × seed runs, tuning included;
- seconds: its wall time, all runs, judging and plot artifacts included;
- s/run: seconds per run on average;
- training: the share of that wall time spent in training steps (the runs' `train_seconds`: every
  epoch's training, validation excluded; – for claims that train nothing);
- CPU: the process's CPU time over wall time and usable cores (100 % = every core busy throughout);

then the imports, the report regenerated from the store, and the total.
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


def _percent(part: float | None, whole: float) -> str:
    return "–" if part is None or whole <= 0 else f"{100 * part / whole:.0f}%"


def main(argv=None) -> int:
    from benchmarks import numerics

    numerics.configure()  # before the backend is imported: the settings the claims run under
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--claims", nargs="*", help="claim ids (default: every registered claim)")
    parser.add_argument("--keep", metavar="DIR", help="run into DIR/mlflow.db and keep it (default: a temporary store)")
    args = parser.parse_args(argv)

    started, cpu_started = time.monotonic(), time.process_time()
    import keras

    from benchmarks.report import write_report
    from benchmarks.runner import run_claim
    from mlflow_tracking import Store, runs
    from reproductions import registry

    import_seconds = time.monotonic() - started
    backend = keras.backend.backend()
    cores = numerics.usable_cores()
    unknown = sorted(set(args.claims or ()) - set(registry()))
    if unknown:
        parser.error(f"unknown claim ids {unknown}; `reprobench list` shows them")
    claims = [registry()[c] for c in args.claims] if args.claims else list(registry().values())
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        kept = Path(args.keep).resolve() if args.keep else None
        if kept:
            kept.mkdir(parents=True, exist_ok=True)
        store = Store(f"sqlite:///{(kept or Path(scratch)) / 'mlflow.db'}")
        for claim in claims:
            t0, cpu0 = time.monotonic(), time.process_time()
            summary = run_claim(claim, "quick", args.seeds, store, force=True, progress=lambda _: None)
            seconds, cpu = time.monotonic() - t0, time.process_time() - cpu0
            experiment = store.experiment_id(claim.id, create=False)
            trained = [c.metrics["train_seconds"] for c in runs.children(store, experiment, summary.parent_run_id)
                       if "train_seconds" in c.metrics]
            rows.append((claim.id, summary.ran, seconds, sum(trained) if trained else None, cpu,
                         summary.verdict.verdict))
        t0 = time.monotonic()
        write_report(store, (kept or Path(scratch)) / "report")
        report_seconds = time.monotonic() - t0
    total, total_cpu = time.monotonic() - started, time.process_time() - cpu_started

    print(f"quick profile, {args.seeds} seeds, backend {backend} ({numerics.label(numerics.describe(backend))}), "
          f"{cores} usable cores")
    print(f"{'claim':<24} {'runs':>5} {'seconds':>8} {'s/run':>6} {'training':>8} {'CPU':>5}  verdict")
    for claim_id, ran, seconds, trained, cpu, verdict in rows:
        print(f"{claim_id:<24} {ran:>5} {seconds:>8.1f} {seconds / max(ran, 1):>6.2f} {_percent(trained, seconds):>8} "
              f"{_percent(cpu / cores, seconds):>5}  {verdict}")
    print(f"{'imports (keras, mlflow)':<24} {'':>5} {import_seconds:>8.1f}")
    print(f"{'report from the store':<24} {'':>5} {report_seconds:>8.1f}")
    trained_all = sum(r[3] for r in rows if r[3] is not None)
    print(f"{'total':<24} {sum(r[1] for r in rows):>5} {total:>8.1f} {'':>6} {_percent(trained_all, total):>8} "
          f"{_percent(total_cpu / cores, total):>5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
