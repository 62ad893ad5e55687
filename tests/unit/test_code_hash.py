"""A claim's code hash covers the claim modules it imports: editing a lecture net defined in a sibling claim
reruns the claims built on it."""

from pathlib import Path

import pytest

import reproductions
from benchmarks import runner
from reproductions import module_of

pytestmark = pytest.mark.unit


def test_the_claim_modules_a_module_imports_are_found_through_one_another(tmp_path):
    package = tmp_path / "reproductions"
    (package / "topic").mkdir(parents=True)
    (package / "other").mkdir()
    (package / "topic" / "a.py").write_text("from reproductions.topic.b import net\nimport numpy\n"
                                            "from reproductions.common.data import x\nfrom reproductions.claim import Arm\n")
    (package / "topic" / "b.py").write_text("import reproductions.other.c\n")
    (package / "other" / "c.py").write_text("from reproductions.topic import a\n")  # a cycle back to a
    found = runner._imported_claim_modules(package / "topic" / "a.py", package)
    assert found == [package / "other" / "c.py", package / "topic" / "b.py"]


def test_editing_an_imported_sibling_changes_the_hash(tmp_path, monkeypatch):
    claim = reproductions.registry()["learning-rate-regimes"]
    package = Path(reproductions.__file__).parent
    assert package / "babysitting" / "initial_loss.py" in runner._imported_claim_modules(Path(module_of(claim.id)), package)
    before = runner.claim_code_hash(claim)
    edited = tmp_path / "initial_loss.py"
    edited.write_bytes((package / "babysitting" / "initial_loss.py").read_bytes() + b"\n# edited\n")
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: real(edited) if self.name == "initial_loss.py" else real(self))
    assert runner.claim_code_hash(claim) != before
