"""Benchmark: the quick suite one run at a time, N at a time on this machine, and on a simulated Ray cluster.

    python -m benchmarks.perf.parallel [--claims ID ...] [--seeds N] [--jobs 2] [--nodes 2] [--keep DIR]

Each way runs `reprobench run` as a user would (a subprocess, its own fresh store), and is timed from start to
exit:

- `--jobs 1`: the local executor, one run at a time, every core's threads in each run (today's default);
- `--jobs N`: a local Ray, N runs at a time, each with cores/N threads;
- `--address` of a `ray.cluster_utils.Cluster` of `--nodes` simulated nodes (one CPU each, on this machine):
  the multi-node path, with the same thread count per run as `--jobs N` when N = nodes.

It prints each way's wall time, runs and throughput, then every claim's verdict each way and whether they agree.
Thread counts change the numbers (they are part of every run key), so `--jobs 1` (all cores per run) and
`--jobs N` (fewer) are different executions of the same claims: the verdicts are compared, not the numbers;
`--jobs N` and the N-node cluster run with the same threads and must agree run for run.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(store_dir: Path, label: str, args: list[str], env: dict) -> dict:
    store_dir.mkdir(parents=True, exist_ok=True)
    uri = f"sqlite:///{store_dir / 'mlflow.db'}"
    command = [sys.executable, "-m", "benchmarks.cli", "--store", uri, "run", *args]
    print(f"[{label}] {' '.join(command[2:])}", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.monotonic() - started
    (store_dir / "run.log").write_text(done.stdout + "\n--- stderr\n" + done.stderr)
    verdicts = dict(re.findall(r"^\s+(\S+) -> (.+?) \(\d+ seeds", done.stdout, flags=re.M))
    runs = re.search(r"^done: (\d+) runs", done.stdout, flags=re.M)
    print(f"[{label}] exit {done.returncode} in {seconds:.0f}s", flush=True)
    return {"label": label, "seconds": seconds, "exit": done.returncode, "verdicts": verdicts,
            "runs": int(runs.group(1)) if runs else 0, "log": store_dir / "run.log"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", nargs="*", help="claim ids (default: --all)")
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per arm (default: the profile's)")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time on this machine (default 2)")
    parser.add_argument("--nodes", type=int, default=2, help="simulated Ray nodes, one CPU each (0: skip)")
    parser.add_argument("--keep", metavar="DIR", help="keep the stores and logs in DIR (default: a temporary one)")
    args = parser.parse_args(argv)

    selection = [*(args.claims or ["--all"]), "--profile", args.profile,
                 *(["--seeds", str(args.seeds)] if args.seeds else [])]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1",
           # Ray's token authentication, its token in the environment only (no file written)
           "RAY_AUTH_MODE": os.environ.get("RAY_AUTH_MODE", "token"),
           "RAY_AUTH_TOKEN": os.environ.get("RAY_AUTH_TOKEN") or secrets.token_hex(16)}
    os.environ.update({k: env[k] for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN")})
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(args.keep).resolve() if args.keep else Path(scratch)
        ways = [_run(root / "jobs-1", "--jobs 1", [*selection, "--jobs", "1"], env),
                _run(root / f"jobs-{args.jobs}", f"--jobs {args.jobs}", [*selection, "--jobs", str(args.jobs)], env)]
        if args.nodes:
            from ray.cluster_utils import Cluster

            ray_dir = tempfile.mkdtemp(prefix="rb-ray-")  # short: Ray's sockets live under it
            cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "temp_dir": ray_dir})
            for _ in range(args.nodes):
                cluster.add_node(num_cpus=1)
            cluster.wait_for_nodes()
            try:
                ways.append(_run(root / f"nodes-{args.nodes}", f"{args.nodes} simulated nodes",
                                 [*selection, "--address", cluster.address], env))
            finally:
                cluster.shutdown()

        print()
        base = ways[0]["seconds"]
        print(f"{'way':<22} {'exit':>4} {'runs':>5} {'wall':>8} {'runs/min':>8} {'speed-up':>8}")
        for way in ways:
            print(f"{way['label']:<22} {way['exit']:>4} {way['runs']:>5} {way['seconds']:>7.0f}s "
                  f"{60 * way['runs'] / max(way['seconds'], 1e-9):>8.1f} {base / way['seconds']:>7.2f}x")
        claims = sorted(set().union(*(way["verdicts"] for way in ways)))
        print()
        print(f"{'claim':<24} " + " ".join(f"{way['label']:<18}" for way in ways) + " same")
        differ = 0
        for claim in claims:
            found = [way["verdicts"].get(claim, "-") for way in ways]
            same = len(set(found)) == 1
            differ += not same
            print(f"{claim:<24} " + " ".join(f"{v:<18}" for v in found) + (" yes" if same else " NO"))
        print(f"\n{len(claims) - differ} of {len(claims)} claims get the same verdict every way"
              + (f"; logs in {root}" if args.keep else ""))
        return 0 if all(way["exit"] in (0, 1) for way in ways) else 1


if __name__ == "__main__":
    raise SystemExit(main())
