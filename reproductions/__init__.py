"""The lectures' claims, one module each, grouped in one package per lecture topic.

    reproductions/<topic>/__init__.py   TITLE (the lecture's section) and POSITION (its place in the report)
    reproductions/<topic>/<claim>.py    one claim: a module-level CLAIM (and optionally POSITION in its topic)

`registry()` maps claim id -> Claim. The claims are found by walking the topic packages, so there is no
hand-kept list to drift: a new module in a topic folder is a new claim. Ids are the claims' own (`Claim.id`),
not their paths, so moving a module between topics keeps its stored runs.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil

NOT_TOPICS = ("common",)  # packages under reproductions/ that hold shared code, not claims


@dataclasses.dataclass(frozen=True)
class Topic:
    name: str  # the package name, e.g. "babysitting"
    title: str  # the lecture's section, e.g. "Babysitting the learning process"
    position: int


def _topic_packages() -> list[Topic]:
    topics = []
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg or info.name in NOT_TOPICS:
            continue
        package = importlib.import_module(f"{__name__}.{info.name}")
        topics.append(Topic(info.name, getattr(package, "TITLE", info.name), int(getattr(package, "POSITION", 1000))))
    return sorted(topics, key=lambda t: (t.position, t.name))


def discover_modules() -> tuple[str, ...]:
    """Every claim module's dotted name, topic by topic (a module's place within its topic is its POSITION,
    read after import; here they are in name order)."""
    names = []
    for topic in _topic_packages():
        package = importlib.import_module(f"{__name__}.{topic.name}")
        names += [f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
                  if not info.ispkg and not info.name.startswith("_")]
    return tuple(names)


CLAIM_MODULES = discover_modules()


@functools.lru_cache(maxsize=1)
def _load():
    claims, modules, topics, broken = {}, {}, {}, {}
    by_name = {t.name: t for t in _topic_packages()}
    found = []
    for order, module_name in enumerate(CLAIM_MODULES):
        try:
            module = importlib.import_module(module_name)
            claim = module.CLAIM
        except Exception as error:  # one broken claim module must not take the others down
            first_line = (str(error).strip().splitlines() or [""])[0]
            broken[module_name] = f"{type(error).__name__}: {first_line}"
            continue
        parts = module_name.split(".")
        topic = by_name.get(parts[1]) if len(parts) == 3 and parts[0] == __name__ else None
        topic = topic or Topic("other", "Other claims", 10_000)
        found.append(((topic.position, topic.name, int(getattr(module, "POSITION", 1000)), order), claim, module,
                      topic))
    for _, claim, module, topic in sorted(found, key=lambda item: item[0]):
        if claim.id in claims:
            raise ValueError(f"claim id {claim.id!r} registered twice")
        claims[claim.id] = claim
        modules[claim.id] = module.__file__
        topics[claim.id] = topic
    return claims, modules, topics, broken


def registry():
    """{claim id: Claim} for every claim module that loads, topic by topic in the report's order."""
    return _load()[0]


def broken_modules() -> dict[str, str]:
    """{module name: one-line error} for claim modules that raised when imported."""
    return dict(_load()[3])


def module_of(claim_id: str) -> str:
    """The file that defines a claim (its source is part of the claim's cache key)."""
    return _load()[1][claim_id]


def topic_of(claim_id: str) -> Topic:
    """The lecture topic a claim belongs to (its package)."""
    return _load()[2][claim_id]


def reload_registry() -> None:
    """Forget what was loaded (for tests that change CLAIM_MODULES)."""
    _load.cache_clear()
