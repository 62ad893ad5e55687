"""README's claims table is the registry's (`reprobench list --markdown`), and every claim says how quick checks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.cli import claims_table
from reproductions import index, registry

pytestmark = pytest.mark.unit
README = Path(__file__).resolve().parents[2] / "README.md"
START = "<!-- claims table: written by `reprobench list --markdown`"
END = "<!-- end of claims table -->"


def test_readmes_claims_table_is_the_registrys():
    text = README.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END)
    table = [line for line in text[start:end].splitlines()[1:] if line.strip()]
    assert table == claims_table(index.build()["claims"]), "renew it: reprobench list --markdown"


def test_every_claim_says_how_it_is_checked_in_one_line():
    assert not [cid for cid, claim in registry().items() if not claim.check.strip() or "\n" in claim.check]


@pytest.mark.parametrize("claim_id", list(registry()))
def test_a_module_header_that_repeats_its_claim_agrees_with_it(claim_id):
    """A claim module's header may name its claim id and title (keras-io style); where it does, they are the CLAIM's."""
    import importlib

    from reproductions import module_of

    doc = importlib.import_module(_module_name(module_of(claim_id))).__doc__ or ""
    fields = dict(line.split(":", 1) for line in doc.strip().splitlines()[:3] if ":" in line)
    if "Claim id" in fields:
        assert fields["Claim id"].strip() == claim_id
    if "Title" in fields:
        assert fields["Title"].strip() == registry()[claim_id].title


def _module_name(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    return ".".join(parts[parts.index("reproductions"):])
