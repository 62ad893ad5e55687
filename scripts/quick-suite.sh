#!/usr/bin/env bash
# The main job: install, run every claim at the `quick` profile into ./mlflow.db, write ./FINDINGS.md.
# Extra arguments go to `reprobench suite` (e.g. --seeds 10, --out DIR, --force).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/setup.sh"
exec reprobench suite --profile quick "$@"
