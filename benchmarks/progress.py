"""Progress of `reprobench run`: claims × arms × seeds with counts, elapsed time and an ETA.

Every run gets one log line ("[3/40] relu-vs-saturating · tanh · repeat 1: 12.3s · 5/97 runs · 1m02s
elapsed · ETA 14m"). On a terminal a status line under the log is also redrawn every second, so a long
run shows it is alive; without a terminal (CI, a pipe, a file) there is no redrawing, only the lines.

The ETA counts the runs still to do, each at the mean time of that claim's runs finished so far in this
invocation, else of its runs in the store from earlier (same profile and backend), else of every run so
far; runs that finished before cost nothing.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


def clock(seconds: float | None) -> str:
    """12s, 3m05s, 1h02m; '?' when unknown."""
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """Counts and timing over a whole selection of claims; `line` prints a log line."""

    def __init__(self, planned: dict[str, int], prior_seconds: dict[str, float] | None = None,
                 stream: TextIO | None = None, live: bool | None = None, tick: float = 1.0, parallel: int = 1):
        self.planned = dict(planned)  # claim id -> runs planned (tuning and eval)
        self.prior = dict(prior_seconds or {})  # claim id -> mean seconds per run, from earlier executions
        self.parallel = max(1, parallel)  # runs at a time (an executor with room for several)
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty() if live is None else live
        self.started = time.monotonic()
        self.done: dict[str, int] = dict.fromkeys(planned, 0)
        self.kept: dict[str, int] = dict.fromkeys(planned, 0)
        self.spent: dict[str, list[float]] = {cid: [] for cid in planned}
        self.claim: str | None = None
        self.current: str | None = None  # the run in flight
        self.current_since = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._refresh, args=(tick,), daemon=True) if self.live else None

    # ------------------------------------------------------------------ events from the runner

    def start_claim(self, claim_id: str) -> None:
        self.claim = claim_id

    def run_started(self, label: str) -> None:
        with self._lock:
            self.current, self.current_since = label, time.monotonic()
        self._draw()

    def run_finished(self, seconds: float | None, claim: str | None = None) -> None:
        """A run of `claim` (by default the claim started last) finished here (`seconds`) or was kept from
        before (None)."""
        with self._lock:
            claim = claim or self.claim
            self.done[claim] = self.done.get(claim, 0) + 1
            if seconds is None:
                self.kept[claim] = self.kept.get(claim, 0) + 1
            else:
                self.spent.setdefault(claim, []).append(seconds)
            self.current = None

    def add_planned(self, n: int, claim: str | None = None) -> None:
        """The claim plans `n` more runs than it did at the start (a tuning grid extended past its edge)."""
        with self._lock:
            claim = claim or self.claim
            self.planned[claim] = self.planned.get(claim, 0) + n

    def skip_rest_of_claim(self, claim: str | None = None) -> None:
        """The claim stopped early (e.g. its data are missing): its remaining runs will not happen."""
        with self._lock:
            claim = claim or self.claim
            self.planned[claim] = self.done.get(claim, 0)

    # ------------------------------------------------------------------ figures

    def totals(self) -> tuple[int, int]:
        return sum(self.done.values()), sum(self.planned.values())

    def _mean(self, claim: str) -> float | None:
        if self.spent.get(claim):
            return sum(self.spent[claim]) / len(self.spent[claim])
        if claim in self.prior:
            return self.prior[claim]
        every = [s for spent in self.spent.values() for s in spent]
        return sum(every) / len(every) if every else None

    def eta(self) -> float | None:
        remaining = 0.0
        for claim, planned in self.planned.items():
            left = planned - self.done.get(claim, 0)
            if left <= 0:
                continue
            mean = self._mean(claim)
            if mean is None:
                return None
            remaining += left * mean
        if self.current is not None:  # the run in flight is part way through
            mean = self._mean(self.claim)
            if mean is not None:
                remaining -= min(time.monotonic() - self.current_since, mean * 0.95)
        return max(remaining, 0.0) / self.parallel

    def status(self) -> str:
        done, total = self.totals()
        claims_done = sum(1 for c, n in self.planned.items() if self.done.get(c, 0) >= n)
        kept = sum(self.kept.values())
        return (f"{done}/{total} runs" + (f" ({kept} kept)" if kept else "")
                + f" · claims {claims_done}/{len(self.planned)} · {clock(time.monotonic() - self.started)} elapsed"
                + f" · ETA {clock(self.eta())}")

    # ------------------------------------------------------------------ output

    def line(self, text: str) -> None:
        with self._lock:
            if self.live:
                self.stream.write("\r\033[K")
            self.stream.write(text + "\n")
            self.stream.flush()
        self._draw()

    def clear(self) -> None:
        """Wipe the status line (before something else writes to the terminal)."""
        if self.live:
            with self._lock:
                self.stream.write("\r\033[K")
                self.stream.flush()

    def _draw(self) -> None:
        if not self.live:
            return
        with self._lock:
            running = f" · now: {self.current} ({clock(time.monotonic() - self.current_since)})" if self.current else ""
            self.stream.write("\r\033[K" + (self.status() + running)[:200])
            self.stream.flush()

    def _refresh(self, tick: float) -> None:
        while not self._stop.wait(tick):
            self._draw()

    def __enter__(self) -> Progress:
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self.stream.write("\r\033[K")
            self.stream.flush()
