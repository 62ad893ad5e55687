#!/usr/bin/env bash
# Install, then run the tests tier by tier, each in its own process, fastest first; the first tier that fails stops
# the rest. Every test has a time limit (pytest-timeout), so nothing hangs.
#
#   ./scripts/test.sh                CI's guarantee, the tests marked `ci`: every unit test; every arm of every claim
#                                    runs; the pipeline (store, judge, report) and the claims tier on a sample of claims
#                                    that reaches every kind of test and plot; one test per reliability and Ray guarantee
#   ./scripts/test.sh --all-claims   the claims tier on all 41 claims (two runs at a time): every pinned verdict
#   ./scripts/test.sh --all          every test: the above, the smoke tier on all 41 claims, the full-profile shapes,
#                                    a fresh install, every reliability and Ray test, the claims tier on all 41 claims
#   ./scripts/test.sh -- ARGS        install, then one pytest run with ARGS (e.g. ./scripts/test.sh -- -m smoke)
#
# The claims tier runs two runs at a time on a local Ray (one thread each), the setting its pins were decided in
# (tests/pins/quick.json); a later --reprobench-jobs N among ARGS overrides it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode=ci
case "${1:-}" in
  --all) mode=all; shift ;;
  --all-claims) mode=claims; shift ;;
  --) mode=args; shift ;;
  -*|"") ;;
  *) echo "test.sh: unknown argument ${1} (see the header of scripts/test.sh)" >&2; exit 2 ;;
esac
bash "$here/setup.sh" --test
cd "$here/.."
# PostgreSQL and Chromium were installed above: their tests must run here, not skip
export REPROBENCH_REQUIRE_POSTGRES=1 REPROBENCH_REQUIRE_BROWSER=1

tier() {  # tier NAME MARKERS [pytest options...]
  local name="$1" markers="$2"
  shift 2
  echo "== ${name}: pytest -m \"${markers}\" $*"
  local started=$SECONDS
  python3 -m pytest -m "${markers}" "$@"
  echo "== ${name}: passed in $((SECONDS - started)) s"
}

started=$SECONDS
case "$mode" in
  ci)
    tier unit "unit" -n 2 --dist worksteal --timeout 300 "$@"
    tier smoke "smoke and ci" -n 2 --dist worksteal --timeout 600 "$@"
    tier claims "claims and ci" --reprobench-jobs 2 --timeout 1800 "$@"
    tier reliability "(reliability or ray) and ci and not unit" --timeout 600 "$@"
    ;;
  claims)
    tier claims "claims" --reprobench-jobs 2 --timeout 14400 "$@"
    ;;
  all)
    tier unit "unit" -n 2 --dist worksteal --timeout 300 "$@"
    tier smoke "smoke" -n 2 --dist worksteal --timeout 600 "$@"
    tier fullshape "fullshape" --timeout 1200 "$@"
    tier install "install" --timeout 1800 "$@"
    tier reliability "(reliability or ray) and not unit" --timeout 900 "$@"
    tier claims "claims" --reprobench-jobs 2 --timeout 14400 "$@"
    ;;
  args)
    python3 -m pytest --reprobench-jobs 2 --timeout 14400 "$@"
    ;;
esac
echo "== all tiers passed in $((SECONDS - started)) s"
