#!/usr/bin/env bash
# Runs reprobench on a GPU machine with JAX but no TensorFlow and no internet, from what scripts/gpu-bundle.sh
# put in .gpu/ (carried there beside the working tree). Unpacks the packages into /tmp/site and Fashion-MNIST
# into /tmp/fashion-mnist, samples nvidia-smi every second while reprobench runs, and leaves in $OUT (or
# ./gpu-out when OUT is unset): the store (mlflow.db), FINDINGS.md, the plots and artifacts as one tar, the
# GPU samples, and the log. Stops reprobench with SIGINT at --budget seconds (default 480), so the store stays
# consistent and a later run resumes it.
#   scripts/gpu-run.sh [--budget S] [--store-in DB] -- REPROBENCH-ARGS...
#   e.g. scripts/gpu-run.sh --budget 480 -- suite initial-loss relu-vs-saturating --profile full
# --store-in DB starts from an earlier store (a copy of a mlflow.db brought back), so runs already in it are kept.
set -uo pipefail
cd "$(dirname "$0")/.."
budget=480 store_in=""
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget="${2:?--budget needs seconds}"; shift 2;;
    --store-in) store_in="${2:?--store-in needs a mlflow.db}"; shift 2;;
    --) shift; break;;
    *) echo "gpu-run.sh: unknown option '$1' (usage: gpu-run.sh [--budget S] [--store-in DB] -- REPROBENCH-ARGS...)" >&2
       exit 2;;
  esac
done
if [ $# -eq 0 ]; then echo "gpu-run.sh: no reprobench arguments after --" >&2; exit 2; fi
case "$budget" in ''|*[!0-9]*) echo "gpu-run.sh: --budget must be whole seconds, not '$budget'" >&2; exit 2;; esac
if [ -n "$store_in" ] && [ ! -f "$store_in" ]; then echo "gpu-run.sh: --store-in $store_in is not a file" >&2; exit 2; fi
if [ ! -f .gpu/site.tar.xz ]; then echo "gpu-run.sh: .gpu/site.tar.xz is missing: run scripts/gpu-bundle.sh and carry .gpu" >&2; exit 2; fi
out="${OUT:-$PWD/gpu-out}"
mkdir -p "$out" /tmp/site /tmp/fashion-mnist
started=$(date +%s)

tar -C /tmp/site -xJf .gpu/site.tar.xz
mkdir -p /tmp/site/databricks  # mlflow asks whether databricks.agents exists; an empty namespace answers "no"
for f in .gpu/fashion-mnist/*.xz; do  # the loader reads .gz and checks the decompressed bytes' SHA-256
  xz -dc "$f" | gzip -1 > "/tmp/fashion-mnist/$(basename "$f" .xz).gz"
done
work=/tmp/reprobench-gpu
mkdir -p "$work"
if [ -n "$store_in" ]; then cp "$store_in" "$work/mlflow.db"; fi
export PYTHONPATH="/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}" KERAS_BACKEND=jax REPROBENCH_DATA_DIR=/tmp/fashion-mnist
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
echo "gpu-run.sh: unpacked in $(( $(date +%s) - started )) s; $(python3 --version); budget ${budget} s" | tee "$out/log.txt"

sampler=""
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,name,utilization.gpu,memory.used,memory.total,power.draw \
    --format=csv -l 1 > "$out/nvidia-smi.csv" 2>&1 &
  sampler=$!
fi
(cd "$work" && timeout --signal=INT --kill-after=30 "$budget" \
  python3 -m benchmarks.cli --store "sqlite:///$work/mlflow.db" "$@") 2>&1 | tee -a "$out/log.txt"
rc=${PIPESTATUS[0]}
if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null; fi
[ "$rc" -eq 124 ] && echo "gpu-run.sh: stopped at the budget (${budget} s); the store holds every run that finished" | tee -a "$out/log.txt"

cp "$work/mlflow.db" "$out/" 2>/dev/null
# the report, its plots and the run artifacts in one file ($OUT brings back at most 8 files)
(cd "$work" && tar -cJf "$out/report.tar.xz" --ignore-failed-read FINDINGS.md findings-plots mlartifacts 2>/dev/null)
echo "gpu-run.sh: reprobench exited $rc after $(( $(date +%s) - started )) s in all" | tee -a "$out/log.txt"
exit "$rc"
