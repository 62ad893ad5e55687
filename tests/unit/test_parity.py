"""The report's backend-parity table on constructed verdicts: agreement counts and the list of the
sub-claims whose verdicts differ between backends or precisions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from benchmarks import report
from benchmarks.judge import INCONCLUSIVE, NOT_REPRODUCED, PARTIAL, REPRODUCED, ClaimVerdict, SubVerdict
from reproductions import registry

pytestmark = pytest.mark.unit


def _evidence(claim, verdict, subverdicts):
    subs = tuple(SubVerdict(expectation, v, n=5, mean=0.1, ci_low=0.0, ci_high=0.2)
                 for expectation, v in zip(claim.expectations, subverdicts))
    return SimpleNamespace(verdict=ClaimVerdict(claim.id, verdict, subs, (), 5, "quick"),
                           execution=SimpleNamespace(tags={}), profile="quick")


def _parity(monkeypatch, claim, variants):
    monkeypatch.setattr(report, "collect_variants", lambda store, c, profile: variants)
    first = next(iter(variants.values()))
    return "\n".join(report.parity_lines(store=None, gathered=[(claim, first)]))


def test_differing_sub_claims_are_named_with_each_columns_verdict(monkeypatch):
    claim = registry()["adam-vs-sgd-momentum"]
    ids = [e.id for e in claim.expectations]
    variants = {
        ("tensorflow", "float32"): _evidence(claim, NOT_REPRODUCED, [NOT_REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, NOT_REPRODUCED]),
        ("torch", "float32"): _evidence(claim, PARTIAL, [REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, INCONCLUSIVE]),
    }
    text = _parity(monkeypatch, claim, variants)
    assert "| **no**; sub-claims 2/4 agree |" in text
    assert f"- adam-vs-sgd-momentum · {ids[0]}: tensorflow NOT REPRODUCED, torch REPRODUCED" in text
    assert f"- adam-vs-sgd-momentum · {ids[3]}: tensorflow NOT REPRODUCED, torch INCONCLUSIVE" in text
    assert f"· {ids[1]}:" not in text and f"· {ids[2]}:" not in text  # these agree


def test_no_list_when_every_sub_claim_agrees(monkeypatch):
    claim = registry()["initial-loss"]
    same = [REPRODUCED] * len(claim.expectations)
    variants = {("tensorflow", "float32"): _evidence(claim, REPRODUCED, same),
                ("tensorflow", "bfloat16"): _evidence(claim, REPRODUCED, same)}
    text = _parity(monkeypatch, claim, variants)
    assert f"| yes; sub-claims {len(same)}/{len(same)} agree |" in text
    assert "tensorflow · bfloat16" in text and "differ between columns" not in text
