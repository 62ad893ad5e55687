#!/usr/bin/env bash
# Install, then run the tests: unit, smoke and claims tiers (GPU tests skip without a GPU).
# Extra arguments go to pytest (e.g. -m smoke, -m "claims and init_scale_collapse").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/setup.sh"
cd "$here/.."
exec python3 -m pytest "$@"
