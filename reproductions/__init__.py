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
def _load():
    claims, modules, broken = {}, {}, {}
    for module_name in CLAIM_MODULES:
        try:
            module = importlib.import_module(module_name)
            claim = module.CLAIM
        except Exception as error:  # one broken claim module must not take the others down
            first_line = (str(error).strip().splitlines() or [""])[0]
            broken[module_name] = f"{type(error).__name__}: {first_line}"
            continue
        if claim.id in claims:
            raise ValueError(f"claim id {claim.id!r} registered twice")
        claims[claim.id] = claim
        modules[claim.id] = module.__file__
    return claims, modules, broken


def registry():
    """{claim id: Claim} for every claim module that loads."""
    return _load()[0]


def broken_modules() -> dict[str, str]:
    """{module name: one-line error} for claim modules that raised when imported."""
    return dict(_load()[2])


def module_of(claim_id: str) -> str:
    """The file that defines a claim (its source is part of the claim's cache key)."""
    return _load()[1][claim_id]


def reload_registry() -> None:
    """Forget what was loaded (for tests that change CLAIM_MODULES)."""
    _load.cache_clear()
