"""The claims' index (reproductions/index.json): fresh in the repository, refused when stale, and enough for `list`
and for refusing a wrong claim id without importing a claim, Keras or MLflow."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reproductions import index

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_index_is_the_claims_as_they_load():
    assert index.fresh() is not None, "the index is stale: renew it with `python -m reproductions.index`"
    assert index.fresh() == json.loads(json.dumps(index.build())), "renew it: python -m reproductions.index"


def test_a_stale_or_broken_index_is_not_used(tmp_path):
    data = json.loads(index.INDEX_PATH.read_text(encoding="utf-8"))
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({**data, "fingerprint": "0" * 64}))
    assert index.fresh(stale) is None  # a claim file changed since it was written
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert index.fresh(broken) is None and index.fresh(tmp_path / "missing.json") is None
    (tmp_path / "claim.py").write_text("X = 1\n")
    before = index.fingerprint(tmp_path)
    (tmp_path / "claim.py").write_text("X = 2\n")
    assert index.fingerprint(tmp_path) != before  # any byte of any file under reproductions/ changes it


def _cli(*argv: str) -> subprocess.CompletedProcess:
    """`reprobench ARGV` in a fresh interpreter, then whether Keras, TensorFlow or MLflow were imported."""
    code = ("import sys\nfrom benchmarks.cli import main\ncode = main(sys.argv[1:])\n"
            "print('IMPORTED', sorted(m for m in ('keras', 'tensorflow', 'mlflow') if m in sys.modules))\n"
            "sys.exit(code)")
    return subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_list_and_a_wrong_claim_id_import_no_backend_and_no_mlflow():
    listed = _cli("list")
    assert listed.returncode == 0, listed.stderr
    assert "IMPORTED []" in listed.stdout
    data = index.fresh()
    assert all(claim["id"] in listed.stdout for claim in data["claims"])
    for argv in (("run", "relu-vs-saturatin"), ("confirm", "--all", "initial-loss"), ("run",),
                 ("suite", "no-such-claim")):
        refused = _cli(*argv)
        assert refused.returncode == 2 and "IMPORTED []" in refused.stdout, (argv, refused.stdout, refused.stderr)
        assert len(refused.stderr.strip().splitlines()) == 1 and "reprobench: error: " in refused.stderr
    assert "did you mean 'relu-vs-saturating'?" in _cli("run", "relu-vs-saturatin").stderr
