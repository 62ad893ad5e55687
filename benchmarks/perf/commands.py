"""Benchmark: how long the commands a user types answer, each in a fresh process, as a user runs them.

    python -m benchmarks.perf.commands --store sqlite:///PATH/mlflow.db [--repeat 3]

Times `reprobench list`, a mistyped claim id (`reprobench run no-such-claim`), and `reprobench report` on the given
store (into temporary directories, so nothing of yours is written over), each `--repeat` times in a new Python
process, and prints each one's times with the median. The report is timed twice over: into a new folder each time
(every plot drawn, or copied where the store holds the same picture: executions recorded since plots carry their
fingerprints), and again into a folder it has written before (every plot kept). Issue 33's targets: `list` under
2 s, `report` under 10 s for 41 claims on a 2-core machine; the CPU is printed first (its AVX-512 flags, or none).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _cpu() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown CPU"
    model = re.search(r"model name\s*:\s*(.+)", text)
    flags = sorted(set(re.findall(r"\bavx512[a-z_0-9]*", text)))
    return f"{model.group(1).strip() if model else 'unknown CPU'}; " + (
        f"AVX-512 ({', '.join(flags[:4])}, …)" if flags else "no AVX-512 (AVX2 or less)")


def _timed(argv: list[str], expect: int) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmarks.cli", *argv], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != expect:
        raise SystemExit(f"`reprobench {' '.join(argv)}` exited {done.returncode}, expected {expect}: "
                         f"{(done.stderr.strip().splitlines() or [''])[-1]}")
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True, help="a store holding the claims' executions (sqlite:///…)")
    parser.add_argument("--repeat", type=int, default=3, help="times each command is run (default 3)")
    args = parser.parse_args(argv)
    print(f"CPU: {_cpu()}; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as scratch:
        again = Path(scratch) / "again"
        fresh = iter(Path(scratch) / f"new-{n}" for n in range(1000))
        report = ["--store", args.store, "report", "--force", "--out"]
        commands = [("list", lambda: ["list"], 0, 2.0),
                    ("a mistyped claim id", lambda: ["run", "no-such-claim"], 2, 2.0),
                    ("report, a new folder", lambda: [*report, str(next(fresh))], 0, 10.0),
                    ("report, written before", lambda: [*report, str(again)], 0, 10.0)]
        _timed([*report, str(again)], 0)  # the folder the last line writes again
        for name, command, expect, target in commands:
            times = [_timed(command(), expect) for _ in range(args.repeat)]
            median = statistics.median(times)
            print(f"{name:<24} median {median:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)}; target "
                  f"< {target:g} s: {'met' if median < target else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
