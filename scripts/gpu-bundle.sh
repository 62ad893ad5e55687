#!/usr/bin/env bash
# Builds .gpu/, what a GPU machine without TensorFlow and without internet needs to run reprobench on JAX:
#   .gpu/site.tar.xz       keras, mlflow and the packages of theirs that such a machine lacks, installed for its
#                          Python (3.12 by default), MLflow's web UI left out (no server runs there)
#   .gpu/fashion-mnist/    the four Fashion-MNIST IDX files, xz-compressed (26 MB, against 31 MB as .gz)
# scripts/gpu-run.sh unpacks both there and runs reprobench. The machine is assumed to have numpy, scipy, pandas,
# matplotlib, pyarrow, JAX and the usual small packages (click, pyyaml, requests, rich, ...), as the lent H200's
# image does (/work/.library/device/KINDS.md); SITE_PACKAGES below is what it lacks, found by importing the
# suite's code with everything else absent. Usage: scripts/gpu-bundle.sh [--python-version 3.12]
set -euo pipefail
cd "$(dirname "$0")/.."
python_version=3.12
if [ "${1:-}" = "--python-version" ]; then python_version="${2:?--python-version needs a value, e.g. 3.12}"; fi
case "$python_version" in 3.1[0-9]) ;; *) echo "gpu-bundle.sh: --python-version must be like 3.12, not '$python_version'" >&2; exit 2;; esac

# keras and mlflow (pyproject's ranges) and, of their needs, what the device's image lacks. Left out on purpose:
# MLflow's server and UI (flask, gunicorn, graphene, uvicorn, docker, huey), Databricks (databricks-sdk,
# google-auth: a namespace stub stands in, see gpu-run.sh), git (gitpython: the runs record the commit
# themselves) and skops.
SITE_PACKAGES=(
  "keras>=3.12,<4" namex optree
  "mlflow>=3.17,<4" mlflow-skinny mlflow-tracing
  sqlalchemy alembic mako sqlparse cryptography cffi
  opentelemetry-api opentelemetry-sdk opentelemetry-proto opentelemetry-semantic-conventions importlib-metadata
  cachetools pydantic pydantic-core annotated-types typing-inspection python-dotenv fastapi starlette
)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# the versions pip resolves for keras and mlflow together, then each of ours at exactly that version
# wheels for the device's Python and processor, not this machine's
for_device=(--only-binary=:all: --python-version "$python_version" --implementation cp --platform manylinux_2_28_x86_64
            --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform any)
python3 -m pip download -q --disable-pip-version-check "${for_device[@]}" -d "$work/closure" \
  "keras>=3.12,<4" "mlflow>=3.17,<4" 2> >(grep -v '^WARNING: Location' >&2)
wheels=()
for spec in "${SITE_PACKAGES[@]}"; do
  name="$(echo "${spec%%[<>=]*}" | tr - _)"
  wheel="$(find "$work/closure" -maxdepth 1 -iname "${name}-[0-9]*.whl" | head -1)"
  if [ -z "$wheel" ]; then echo "gpu-bundle.sh: $spec is no longer among keras' and mlflow's needs" >&2; exit 1; fi
  wheels+=("$wheel")
done
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --no-compile \
  "${for_device[@]}" --target "$work/site" "${wheels[@]}"
rm -rf "$work/site/mlflow/server/js" "$work/site/bin"
rm -rf .gpu && mkdir -p .gpu/fashion-mnist
tar -C "$work/site" -cf - . | xz -6 -T0 > .gpu/site.tar.xz
source_dir="${REPROBENCH_DATA_DIR:-/usr/share/datasets/fashion-mnist}"
for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ ! -f "$source_dir/$name.gz" ]; then
    echo "gpu-bundle.sh: $source_dir/$name.gz is missing; apt-get install dataset-fashion-mnist" >&2; exit 1
  fi
  gzip -dc "$source_dir/$name.gz" | xz -9 -T0 > ".gpu/fashion-mnist/$name.xz"
done
python3 - <<'PY'
import os, pathlib, subprocess
mb = lambda n: f"{n / 1e6:.1f} MB"
size = lambda p: sum(f.stat().st_size for f in pathlib.Path(p).rglob("*") if f.is_file())
tracked = subprocess.run(["git", "ls-files", "-z"], capture_output=True, check=True).stdout.split(b"\0")
tree = sum(os.path.getsize(f) for f in tracked if f and os.path.isfile(f))
site, data = os.path.getsize(".gpu/site.tar.xz"), size(".gpu/fashion-mnist")
total, limit = site + data + tree, 64 * 2**20
print(f"gpu-bundle.sh: .gpu/ {mb(site + data)} (site {mb(site)}, Fashion-MNIST {mb(data)}) + tracked files "
      f"{mb(tree)} = {mb(total)} of the {mb(limit)} (64 MiB) that travel")
if total > limit:
    raise SystemExit("gpu-bundle.sh: too large to travel to the device machine")
PY
