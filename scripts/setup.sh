#!/usr/bin/env bash
# Installs what reprobench needs on a fresh Debian machine: the Fashion-MNIST files (Debian's
# dataset-fashion-mnist package) and the Python packages of pyproject.toml (TensorFlow backend, tests).
# With --test, also what the tests drive: PostgreSQL (Debian's postgresql), for the suite against a
# PostgreSQL-backed MLflow server, and headless Chromium (chromium, chromium-driver), for the MLflow UI.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=()
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  packages+=(dataset-fashion-mnist)
fi
extras=",ray"  # the main job runs two runs at a time on a local Ray
if [ "${1:-}" = "--test" ]; then
  extras=",test"
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then packages+=(postgresql); fi
  if [ ! -x /usr/bin/chromium ]; then packages+=(chromium); fi
  if [ ! -x /usr/bin/chromedriver ]; then packages+=(chromium-driver); fi
fi
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}"
fi
# the versions the claims tier's pins were decided under (constraints.txt, written by scripts/lock.py)
python3 -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[tensorflow${extras}]"
