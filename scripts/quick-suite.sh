#!/usr/bin/env bash
# The main job: install, run every claim at the `quick` profile into ./mlflow.db, write ./FINDINGS.md.
# Extra arguments go to `reprobench suite` (e.g. --seeds 10, --out DIR, --force). With two or more usable cores it
# runs two runs at a time (`--jobs 2`, a local Ray, one thread a run: about 1.4x the throughput of one run on both
# cores); --jobs N, --executor or --address among the arguments choose otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/setup.sh"
parallel=()
case " $* " in
  *" --jobs"*|*" --executor"*|*" --address"*) ;;
  *) if [ "$(nproc)" -ge 2 ]; then parallel=(--jobs 2); fi ;;
esac
exec reprobench suite --profile quick "${parallel[@]}" "$@"
