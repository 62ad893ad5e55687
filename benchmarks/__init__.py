"""The suite around the claims: seeds, runner, judge, report, CLI and the suite's own benchmarks."""
