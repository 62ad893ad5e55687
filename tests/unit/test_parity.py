"""The report's backend-parity table on constructed verdicts: agreement counts and the list of the
sub-claims whose verdicts differ between backends or precisions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from benchmarks import report
from benchmarks.evidence import VARIANT_TAGS
from benchmarks.judge import DIRECTION_ONLY, INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, ClaimVerdict, SubVerdict
from reproductions import registry

pytestmark = pytest.mark.unit


def _evidence(claim, verdict, subverdicts):
    subs = tuple(SubVerdict(expectation, v, n=5, mean=0.1, ci_low=0.0, ci_high=0.2)
                 for expectation, v in zip(claim.expectations, subverdicts))
    return SimpleNamespace(claim=claim, verdict=ClaimVerdict(claim.id, verdict, subs, (), 5, "quick"),
                           execution=SimpleNamespace(tags={}), profile="quick")


def _column(backend="tensorflow", precision="float32", onednn="on", threads="2", device="cpu:X", isa="avx512",
            isa_source="the CPU's flags"):
    """A parity column: the values of evidence.VARIANT_TAGS."""
    values = {"backend": backend, "precision": precision, "numerics.onednn": onednn, "numerics.cpu_isa": isa,
              "numerics.cpu_isa_source": isa_source, "numerics.threads": threads, "device": device}
    return tuple(values[name] for name in VARIANT_TAGS)


def _parity(monkeypatch, claim, variants):
    monkeypatch.setattr(report, "collect_variants", lambda store, c, profile, known=None: variants)
    first = next(iter(variants.values()))
    return "\n".join(report.parity_lines(store=None, gathered=[(claim, first)]))


def test_differing_sub_claims_are_named_with_each_columns_verdict(monkeypatch):
    claim = registry()["adam-vs-sgd-momentum"]
    ids = [e.id for e in claim.expectations]
    variants = {
        _column(): _evidence(claim, NOT_REPRODUCED, [NOT_REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, NOT_REPRODUCED]),
        _column("torch"): _evidence(claim, DIRECTION_ONLY, [REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, INCONCLUSIVE]),
    }
    text = _parity(monkeypatch, claim, variants)
    assert "| **no**; sub-claims 2/4 agree |" in text
    assert f"- adam-vs-sgd-momentum · {ids[0]}: tensorflow NOT REPRODUCED, torch REPRODUCED" in text
    assert f"- adam-vs-sgd-momentum · {ids[3]}: tensorflow NOT REPRODUCED, torch INCONCLUSIVE" in text
    assert f"· {ids[1]}:" not in text and f"· {ids[2]}:" not in text  # these agree


def test_no_list_when_every_sub_claim_agrees(monkeypatch):
    claim = registry()["initial-loss"]
    same = [REPRODUCED] * len(claim.expectations)
    variants = {_column(): _evidence(claim, REPRODUCED, same),
                _column(precision="bfloat16"): _evidence(claim, REPRODUCED, same)}
    text = _parity(monkeypatch, claim, variants)
    assert f"| yes; sub-claims {len(same)}/{len(same)} agree |" in text
    assert "tensorflow · bfloat16" in text and "differ between columns" not in text


def test_columns_are_named_by_what_sets_them_apart(monkeypatch):
    """oneDNN on against off is a column like any backend; threads and device are named only where they differ."""
    claim = registry()["initial-loss"]
    same = [REPRODUCED] * len(claim.expectations)
    other = [NOT_REPRODUCED] + same[1:]
    variants = {_column(onednn="off"): _evidence(claim, NOT_REPRODUCED, other),
                _column(): _evidence(claim, REPRODUCED, same)}
    text = _parity(monkeypatch, claim, variants)
    assert "| Claim | Profile | tensorflow · oneDNN on | tensorflow · oneDNN off | Agree |" in text  # on first
    assert f"- initial-loss · {claim.expectations[0].id}: tensorflow · oneDNN on REPRODUCED, " \
           "tensorflow · oneDNN off NOT REPRODUCED" in text
    variants = {_column(threads="1"): _evidence(claim, REPRODUCED, same), _column(): _evidence(claim, REPRODUCED, same),
                _column("jax", onednn="?"): _evidence(claim, REPRODUCED, same)}
    text = _parity(monkeypatch, claim, variants)
    assert "| tensorflow · oneDNN on · 1 thread | tensorflow · oneDNN on · 2 threads | jax · 2 threads |" in text
    # an AVX-512 CPU capped at AVX2 (--cpu-isa avx2) is a column of its own, after the CPU's own width
    variants = {_column(isa="avx2", isa_source="--cpu-isa (the CPU has avx512)"): _evidence(claim, REPRODUCED, same),
                _column(): _evidence(claim, REPRODUCED, same)}
    text = _parity(monkeypatch, claim, variants)
    assert "| tensorflow · AVX-512 | tensorflow · AVX2 \\(capped\\) |" in text  # (markdown-escaped)
