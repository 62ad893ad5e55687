"""Seed derivation: one root seed per (claim, repeat), shared by every arm of that repeat.

Sharing makes comparisons paired: on repeat r every arm sees the same data subset and the same
input draws, so the difference between arms is the arm's doing. The seed depends on nothing but the
claim id and the repeat index, so adding seeds later keeps the earlier ones.
"""

import hashlib


STREAMS = ("discovery", "confirmation")


def derive_seed(claim_id: str, repeat: int, stage: str = "eval", stream: str = "discovery") -> int:
    """A stable 31-bit seed for repeat `repeat` of claim `claim_id`.

    Tuning runs (stage 'tuning') and placebo runs (stage 'placebo') draw their own seeds, so the seeds a
    verdict is judged on never took part in choosing the hyperparameters, and a placebo's replicate is
    independent of the run it is compared with. The confirmation stream (`reprobench confirm`) draws
    every stage afresh: seeds no decision has seen.
    """
    if repeat < 0:
        raise ValueError("repeat must be >= 0")
    if stream not in STREAMS:
        raise ValueError(f"unknown seed stream {stream!r}; choose one of {STREAMS}")
    if stream == "confirmation":
        name = f"reprobench:{claim_id}:confirmation:{stage}:{repeat}"
    else:
        name = f"reprobench:{claim_id}:{repeat}" if stage == "eval" else f"reprobench:{claim_id}:{stage}:{repeat}"
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF
