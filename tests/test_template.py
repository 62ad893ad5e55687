"""A newcomer adds a claim from one file: reproductions/_template.py, copied to a new module under a new id, registers
and goes through the smoke pipeline (README, "Adding a claim"); the template itself is not registered."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import reproductions
from benchmarks.plan import planned_runs
from benchmarks.runner import run_claim
from reproductions import registry, reload_registry

TEMPLATE = Path(reproductions.__file__).parent / "_template.py"


@pytest.mark.unit
def test_the_template_is_not_a_registered_claim():
    assert "template-wider-fits-better" not in registry()
    assert not any(name.endswith("_template") for name in reproductions.CLAIM_MODULES)


@pytest.mark.smoke
@pytest.mark.ci
def test_a_copy_of_the_template_registers_and_passes_smoke(tmp_path, monkeypatch, store):
    topic = tmp_path / "my_topic"
    topic.mkdir()
    (topic / "__init__.py").write_text('TITLE = "My topic"\n')
    source = TEMPLATE.read_text().replace("template-wider-fits-better", "my-new-claim")
    (topic / "my_new_claim.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reproductions, "CLAIM_MODULES", (*reproductions.CLAIM_MODULES, "my_topic.my_new_claim"))
    reload_registry()
    try:
        assert not reproductions.broken_modules()
        claim = registry()["my-new-claim"]
        assert reproductions.module_of(claim.id) == str(topic / "my_new_claim.py")
        summary = run_claim(claim, "smoke", claim.budgets["smoke"].seeds, store, progress=lambda _: None)
        assert summary.failed == 0 and summary.ran == planned_runs(claim, "smoke", claim.budgets["smoke"].seeds) > 0
        assert summary.verdict.verdict == "INCONCLUSIVE"  # smoke never decides
        assert {s.expectation.id for s in summary.verdict.subverdicts} == {"wide-fits-better", "wide-validates-better"}
    finally:
        sys.modules.pop("my_topic.my_new_claim", None)
        sys.modules.pop("my_topic", None)
        monkeypatch.undo()
        reload_registry()
