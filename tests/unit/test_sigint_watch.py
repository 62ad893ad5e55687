"""A Ctrl-C that a library turns into an ordinary error inside a run still stops the suite as a Ctrl-C:
the run in flight and the execution are KILLED, nothing is recorded as a failed run and nothing goes on."""

import dataclasses
import os
import signal
import time

import pytest

from benchmarks.runner import Interrupted, SigintWatch, run_claim
from mlflow_tracking import runs
from reproductions import registry

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def default_sigint():
    """Python's own Ctrl-C handler for each test, whatever an earlier test in the session left behind (after the
    claims tier ran on a local Ray in this process, CI found SIGINT ignored here), and the earlier one after."""
    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before if before is not None else signal.SIG_DFL)


def _swallowing_run(real_run, calls):
    """The claim's own run, except that its second call gets a SIGINT and, like TensorFlow when the signal lands
    in Python code its C++ called, raises an ordinary error in place of the KeyboardInterrupt."""
    def run(config, seed, context):
        calls.append(seed)
        if len(calls) == 2:
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(1)
            except KeyboardInterrupt:
                raise RuntimeError("an op was cancelled") from None
        return real_run(config, seed, context)
    return run


def test_a_converted_ctrl_c_interrupts_instead_of_failing_a_run(store):
    claim = registry()["initial-loss"]
    calls = []
    converting = dataclasses.replace(claim, run=_swallowing_run(claim.run, calls))
    with pytest.raises(Interrupted):
        run_claim(converting, "smoke", 2, store, progress=lambda _: None)
    assert len(calls) == 2  # it stopped at the interrupted run; nothing went on
    experiment = store.experiment_id(claim.id, create=False)
    parent = runs.executions(store, experiment)[0]
    statuses = sorted(c.status for c in runs.children(store, experiment, parent.run_id))
    assert parent.status == "KILLED" and statuses == ["FINISHED", "KILLED"]


def test_the_watch_restores_the_handler_and_leaves_an_ignored_sigint_ignored():
    before = signal.getsignal(signal.SIGINT)
    with SigintWatch() as watch:
        assert signal.getsignal(signal.SIGINT) == watch._handle
    assert signal.getsignal(signal.SIGINT) == before and not watch.seen
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with SigintWatch():
            assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
