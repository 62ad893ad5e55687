"""The suite's own performance benchmarks, apart from the engine: they print figures, and nothing imports them.

    python3 -m benchmarks.perf.quick        seconds per claim at quick (5 seeds), imports, report
    python3 -m benchmarks.perf.throughput   per claim at full: images/s, time outside training steps, the suite's time
    python3 -m benchmarks.perf.parallel     the quick suite with --jobs 1, --jobs 2 and on 2 simulated Ray nodes
"""
