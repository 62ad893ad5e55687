"""The runner's driver with an executor that has room for several runs and hands results back out of order:
claims run side by side, a claim that tunes submits its judged runs only after its tuning runs, every run is
recorded once, runs that overlapped on one machine are tagged, and the verdicts equal the local executor's."""

from __future__ import annotations

import io

import pytest

from benchmarks.executors import LocalExecutor, train
from benchmarks.progress import Progress
from benchmarks.plan import planned_runs
from benchmarks.runner import run_claims
from mlflow_tracking import Store
from reproductions import registry
from tests.test_reliability import census

CLAIMS = ("initial-loss", "learning-rate-decay")  # learning-rate-decay tunes its constant rate, the cheapest that tunes


class Shuffled(LocalExecutor):
    """Takes up to `room` runs, then trains them here and returns them last-submitted first, all stamped as
    running at once on one machine (as N workers of a node would)."""

    name = "shuffled"
    shares_machine = True

    def __init__(self, room: int = 3):
        super().__init__()
        self.room, self.log = room, []

    def slots(self) -> int:
        return self.room

    def wait(self, timeout):
        batch = [self._queue.pop() for _ in range(len(self._queue))]  # last submitted first
        done = []
        for handle, claim, spec in batch:
            outcome = train(claim, spec)
            outcome.worker.update(host="node-a", started=0.0, ended=1.0)
            done.append((handle, outcome))
        self.log.append([(spec.claim_id, spec.stage) for _, _, spec in batch])
        return done


@pytest.mark.smoke
@pytest.mark.initial_loss
@pytest.mark.learning_rate_decay
@pytest.mark.ci
def test_several_runs_at_once_out_of_order(tmp_path):
    claims = [registry()[c] for c in CLAIMS]
    local, shuffled = Store(f"sqlite:///{tmp_path / 'local.db'}"), Store(f"sqlite:///{tmp_path / 'shuffled.db'}")
    expected = run_claims(claims, "smoke", local, progress=lambda _: None)
    executor = Shuffled()
    found = run_claims(claims, "smoke", shuffled, executor=executor, progress=lambda _: None)
    for claim in claims:
        assert found[claim.id].verdict.verdict == expected[claim.id].verdict.verdict
        mine, theirs = census(shuffled.uri, claim.id), census(local.uri, claim.id)
        assert mine.metrics_by_key() == theirs.metrics_by_key() and mine.duplicates == 0
        assert not mine.left_running() and len(mine.children) == len(theirs.children)
        # every run overlapped another on the one machine: each says so, with how many
        assert all(c.tags.get("machine.shared") == "true" and int(c.tags["machine.concurrent_runs"]) >= 1
                   for c in mine.children)
    assert max(len(batch) for batch in executor.log) == 3  # several runs at once
    tuned = [stage for batch in executor.log for claim_id, stage in batch if claim_id == "learning-rate-decay"]
    assert tuned.index("eval") > max(i for i, stage in enumerate(tuned) if stage == "tuning")  # tuning first
    # the second claim started while the first still had runs in flight: side by side
    assert any(len({claim_id for claim_id, _ in batch}) == 2 for batch in executor.log)
    assert sum(len(batch) for batch in executor.log) == sum(len(census(shuffled.uri, c).children) for c in CLAIMS)


@pytest.mark.smoke
@pytest.mark.learning_rate_decay
@pytest.mark.ci
def test_a_grid_extends_past_its_edge_before_the_judged_runs_and_resumes(tmp_path):
    """Tuning.extend_edges: rates too small to matter, so the largest is best each round; the grid grows by the
    next value past its edge, twice, the judged runs wait for it, and a second run of the same store keeps it all."""
    import dataclasses

    from benchmarks.evidence import collect
    from benchmarks.report import PlotDrawer, claim_section

    base = registry()["learning-rate-decay"]
    claim = dataclasses.replace(base, tuning=dataclasses.replace(base.tuning, grid=(1e-5, 2e-5, 4e-5), extend_edges=2))
    store = Store(f"sqlite:///{tmp_path / 'extend.db'}")
    lines: list[str] = []
    executor = Shuffled()
    tracker = Progress({claim.id: planned_runs(claim, "smoke", claim.budgets["smoke"].seeds)}, stream=io.StringIO(),
                       live=False)
    planned = tracker.totals()[1]
    summary = run_claims([claim], "smoke", store, executor=executor, progress=lines.append, tracker=tracker)[claim.id]
    # the runs past the edge join the plan: the count never reads 13 of 12
    done, total = tracker.totals()
    assert done == total == summary.ran > planned, (done, total, summary.ran, planned)
    tuned = [c for c in summary.tuning.values()]
    assert tuned and all(c.extended == (8e-5, 1.6e-4) and c.value == 1.6e-4 and c.on_edge for c in tuned), tuned
    stages = [stage for batch in executor.log for _, stage in batch]
    assert stages.index("eval") > max(i for i, stage in enumerate(stages) if stage == "tuning")  # tuning first
    children = census(store.uri, claim.id).children
    grid_values = sorted({float(c.tags["grid_value"]) for c in children if c.tags.get("stage") == "tuning"})
    assert grid_values == [1e-5, 2e-5, 4e-5, 8e-5, 1.6e-4]
    assert any("the grid extended to 8e-05" in line for line in lines)
    again = run_claims([claim], "smoke", store, progress=lambda _: None)[claim.id]
    # resumed: nothing runs again, the extension's runs included, each kept
    assert again.ran == 0 and again.reused == len(children) == len(census(store.uri, claim.id).children)
    assert again.verdict.verdict == summary.verdict.verdict
    drawer = PlotDrawer(store, tmp_path / "plots", workers=1)
    table = "\n".join(claim_section(store, collect(store, claim, "smoke"), drawer, tmp_path))
    drawer.finish()
    assert "| ↓ |" not in table and "↑ | ↑ |" in table and "1.6e-04" not in table and "0.00016: " in table


class Logged(LocalExecutor):
    """The local executor with two slots (runs trained one at a time, in order), logging each submit and finish."""

    def __init__(self, events: list):
        super().__init__()
        self.events = events

    def slots(self) -> int:
        return 2

    def submit(self, claim, spec):
        self.events.append("submit")
        return super().submit(claim, spec)

    def wait(self, timeout):
        done = super().wait(timeout)
        self.events.extend("done" for _ in done)
        return done


@pytest.mark.smoke
@pytest.mark.initial_loss
@pytest.mark.ci
def test_a_freed_slot_gets_its_next_run_before_the_finished_one_is_recorded(tmp_path, monkeypatch):
    """The store's writes for a finished run (about 0.4 s) overlap the next run's training: the runner hands the
    freed slot its next run first, then records."""
    from benchmarks.recorder import Recorder

    events: list = []
    record = Recorder.record

    def logged_record(self, run_id, outcome):
        events.append("record")
        return record(self, run_id, outcome)

    monkeypatch.setattr(Recorder, "record", logged_record)
    store = Store(f"sqlite:///{tmp_path / 'order.db'}")
    summary = run_claims([registry()["initial-loss"]], "smoke", store, executor=Logged(events),
                         progress=lambda _: None)["initial-loss"]
    assert not isinstance(summary, Exception), summary
    assert summary.ran > 3 and summary.failed == 0 and events.count("record") == summary.ran
    # after every finish but the last two (nothing is left to hand out then), a submit comes before its record
    finishes = [i for i, event in enumerate(events) if event == "done"]
    assert [events[i + 1] for i in finishes[:-2]] == ["submit"] * (len(finishes) - 2), events
