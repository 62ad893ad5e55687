#!/usr/bin/env bash
# Install, then run the tests: unit, smoke, reliability and claims tiers (GPU tests skip without a GPU).
# Extra arguments go to pytest (e.g. -m smoke, -m "claims and init_scale_collapse"). The claims tier runs two runs at
# a time on a local Ray (one thread each: 1.4x the throughput of one two-threaded run on 2 cores); its pins hold
# either way (docs/verdicts-cpu.md). A later --reprobench-jobs N overrides the 2.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/setup.sh" --test
cd "$here/.."
# PostgreSQL and Chromium were installed above: their tests must run here, not skip
export REPROBENCH_REQUIRE_POSTGRES=1 REPROBENCH_REQUIRE_BROWSER=1
exec python3 -m pytest --reprobench-jobs 2 "$@"
