"""The claims' index: what `reprobench list` shows and which claim ids exist, read without importing a claim.

Every claim module imports Keras, and Keras its backend: 10-25 s before `list` could print a line or a mistyped
claim id could be refused. The index (reproductions/index.json, in the repository) holds each claim's id, title,
source, topic, arms and seeds per profile, with a fingerprint of every source file under reproductions/. It is used
only while the fingerprint matches the files (`fresh()`): after any change to a claim, the index is stale and the
callers import the claims as before, so it can make a command slower, never wrong. A unit test keeps the committed
index fresh; renew it with `python -m reproductions.index`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDEX_PATH = HERE / "index.json"


def fingerprint(root: Path = HERE) -> str:
    """sha256 over every .py file under reproductions/ (its path and bytes), in path order."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build() -> dict:
    """The index of the claims as they load now (this imports every claim module)."""
    from reproductions import broken_modules, registry, topic_of
    from reproductions.claim import PROFILES

    claims = []
    for claim in registry().values():
        topic = topic_of(claim.id)
        claims.append({"id": claim.id, "title": claim.title, "source": claim.source, "check": claim.check,
                       "topic": {"name": topic.name, "title": topic.title},
                       "arms": [arm.name for arm in claim.arms],
                       "seeds": {profile: claim.budgets[profile].seeds for profile in PROFILES}})
    return {"fingerprint": fingerprint(), "claims": claims, "broken": broken_modules()}


def fresh(path: Path = INDEX_PATH) -> dict | None:
    """The index at `path` when it describes the files as they are now, else None (missing, unreadable or stale)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("fingerprint") == fingerprint() else None


def write(path: Path = INDEX_PATH) -> dict:
    data = build()
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return data


if __name__ == "__main__":
    written = write()
    print(f"wrote {INDEX_PATH}: {len(written['claims'])} claims, fingerprint {written['fingerprint'][:12]}")
