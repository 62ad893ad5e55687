#!/usr/bin/env bash
# Installs what reprobench needs on a fresh Debian machine: the Fashion-MNIST files (Debian's
# dataset-fashion-mnist package) and the Python packages of pyproject.toml (TensorFlow backend, tests).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq dataset-fashion-mnist
fi
python3 -m pip install -q --disable-pip-version-check -e ".[tensorflow,test]"
