"""The progress display: counts, elapsed time and ETA; a redrawn status line only on a terminal."""

import io

import pytest

from benchmarks.progress import Progress, clock

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("seconds, text", [(None, "?"), (0, "0s"), (59.4, "59s"), (61, "1m01s"), (3725, "1h02m")])
def test_clock(seconds, text):
    assert clock(seconds) == text


def test_eta_uses_this_claims_runs_then_the_store_then_every_run():
    progress = Progress({"a": 4, "b": 10, "c": 2}, prior_seconds={"b": 3.0}, stream=io.StringIO(), live=False)
    assert progress.eta() is None  # nothing known about a or c yet
    progress.start_claim("a")
    progress.run_finished(2.0)
    progress.run_finished(None)  # kept from before: costs nothing, counts as done
    # a: 2 left at 2 s (its own mean); b: 10 at 3 s (the store's); c: 2 at 2 s (every run so far)
    assert progress.eta() == pytest.approx(2 * 2 + 10 * 3 + 2 * 2)
    assert progress.totals() == (2, 16)
    assert progress.status().startswith("2/16 runs (1 kept) · claims 0/3 · ")


def test_a_claim_that_stops_early_leaves_no_phantom_runs():
    progress = Progress({"a": 5, "b": 1}, stream=io.StringIO(), live=False)
    progress.start_claim("a")
    progress.run_finished(1.0)
    progress.skip_rest_of_claim()
    assert progress.totals() == (1, 2)
    assert progress.eta() == pytest.approx(1.0)


def test_no_terminal_no_redrawing():
    stream = io.StringIO()
    with Progress({"a": 1}, stream=stream, live=False) as progress:
        progress.start_claim("a")
        progress.run_started("a · arm · seed 0")
        progress.line("a line")
        progress.run_finished(1.0)
    assert stream.getvalue() == "a line\n"


def test_on_a_terminal_the_status_line_is_redrawn_and_cleared():
    stream = io.StringIO()
    with Progress({"a": 2}, stream=stream, live=True, tick=0.01) as progress:
        progress.start_claim("a")
        progress.run_started("a · arm · seed 0")
        progress.line("a line")
    text = stream.getvalue()
    assert "\r\x1b[K" in text and "a line\n" in text and "now: a · arm · seed 0" in text
    assert text.endswith("\r\x1b[K")  # nothing left behind on the terminal
