"""The lectures' claims, one module each; `registry()` maps claim id -> Claim."""

from __future__ import annotations

import functools
import importlib

# One module per claim, in the order the report lists them.
CLAIM_MODULES = (
    "reproductions.init_scale_collapse",
    "reproductions.initial_loss",
    "reproductions.relu_vs_saturating",
    "reproductions.batchnorm_speedup",
    "reproductions.dropout_overfitting",
    "reproductions.adam_vs_sgd_momentum",
    "reproductions.small_kernel_stacks",
)


@functools.lru_cache(maxsize=1)
def registry():
    """{claim id: Claim} for every registered claim module."""
    claims = {}
    for module_name in CLAIM_MODULES:
        claim = importlib.import_module(module_name).CLAIM
        if claim.id in claims:
            raise ValueError(f"claim id {claim.id!r} registered twice")
        claims[claim.id] = claim
    return claims


def module_of(claim_id: str) -> str:
    """The module that defines a claim (its source is part of the claim's cache key)."""
    for module_name in CLAIM_MODULES:
        module = importlib.import_module(module_name)
        if module.CLAIM.id == claim_id:
            return module.__file__
    raise KeyError(claim_id)
