"""Write constraints.txt: the exact versions this environment resolved for reprobench and every package it needs,
with the extras CI installs (tensorflow, test), so that two installs resolve the same packages (the pins of the
claims tier hold for the versions they were decided under; numerics.key() records keras, the backend, numpy and
scipy with every run).

    python3 scripts/lock.py        # after `pip install -e ".[tensorflow,test]"` in a clean environment
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("tensorflow", "test", "ray")


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def closure() -> dict[str, str]:
    """Every installed distribution reprobench[EXTRAS] needs, directly or not: name -> version."""
    found: dict[str, str] = {}
    pending = [("reprobench", set(EXTRAS))]
    while pending:
        name, extras = pending.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = _name(dist.metadata["Name"])
        if key != "reprobench":
            found[key] = dist.version
        for text in dist.requires or []:
            requirement = Requirement(text)
            environment = [{"extra": extra} for extra in (extras or {""})]
            if requirement.marker is not None and not any(requirement.marker.evaluate(e) for e in environment):
                continue
            child = _name(requirement.name)
            if child not in found:
                pending.append((child, set(requirement.extras)))
    return found


if __name__ == "__main__":
    pins = closure()
    lines = ["# The versions the claims tier's pins were decided under (scripts/lock.py writes this file).",
             "# scripts/setup.sh installs with it: pip install -c constraints.txt -e \".[tensorflow,test]\""]
    lines += [f"{name}=={version}" for name, version in sorted(pins.items())]
    (ROOT / "constraints.txt").write_text("\n".join(lines) + "\n")
    print(f"wrote constraints.txt: {len(pins)} packages")
