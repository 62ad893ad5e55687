"""A report draws no picture twice: a plot file carries the fingerprint of what it was drawn from, and a report
keeps a file with the same fingerprint, copies the execution's stored picture when its tag names the same one, and
draws the rest (in worker processes, byte for byte as drawn here)."""

from __future__ import annotations

import json

import pytest

from benchmarks import plots
from benchmarks.report import PlotDrawer
from mlflow_tracking.runs import StoredRun
from reproductions.claim import PlotSpec

pytestmark = pytest.mark.unit

SPEC = PlotSpec(name="steps", kind="bar", metric="steps_to_target", title="steps", reference={"lecture": 2.0})


def job(tmp_path, relu=300.0):
    data = {"scalars_by_arm": {"relu": {0: relu, 1: 350.0}, "tanh": {0: 900.0, 1: 1000.0}}, "censored_by_arm": {}}
    return plots.PlotJob(SPEC, data, tmp_path / "claim-steps.png")


class NoStore:
    class client:  # noqa: N801 - stands where MlflowClient does
        @staticmethod
        def download_artifacts(run_id, path, dst):
            raise AssertionError("nothing is to be downloaded here")


def test_a_fingerprint_follows_the_data_and_the_spec_not_the_path(tmp_path):
    first = job(tmp_path)
    assert first.fingerprint == job(tmp_path / "elsewhere").fingerprint
    assert first.fingerprint != job(tmp_path, relu=301.0).fingerprint
    other_spec = plots.PlotJob(PlotSpec(name="steps", kind="bar", metric="steps_to_target", title="steps",
                                        reference={"lecture": 3.0}), first.data, first.path)
    assert first.fingerprint != other_spec.fingerprint


def test_a_drawn_plot_is_kept_and_a_changed_one_drawn_again(tmp_path):
    drawer = PlotDrawer(NoStore(), tmp_path, workers=1)
    drawer.submit(job(tmp_path))
    assert (drawer.drawn, drawer.kept) == (1, 0) and plots.is_drawn(job(tmp_path))
    drawer.submit(job(tmp_path))
    assert (drawer.drawn, drawer.kept) == (1, 1)
    drawer.submit(job(tmp_path, relu=310.0))  # new data: the file no longer shows it
    assert (drawer.drawn, drawer.kept) == (2, 1) and plots.stamp_of(job(tmp_path).path) == job(tmp_path, 310.0).fingerprint
    drawer.finish()


def test_workers_draw_the_same_bytes(tmp_path):
    here, there = job(tmp_path / "here"), job(tmp_path / "there")
    plots.draw(here)
    drawer = PlotDrawer(NoStore(), tmp_path / "there", workers=2)
    drawer.submit(there)
    drawer.finish()
    assert drawer.drawn == 1 and there.path.read_bytes() == here.path.read_bytes()


def test_the_stored_picture_is_copied_only_when_it_is_the_same(tmp_path):
    stored = job(tmp_path / "artifacts" / "plots")
    plots.draw(stored)
    downloads = []

    class Store:
        class client:  # noqa: N801
            @staticmethod
            def download_artifacts(run_id, path, dst):
                downloads.append(run_id)
                import shutil
                shutil.copytree(tmp_path / "artifacts" / "plots", f"{dst}/plots")
                return f"{dst}/plots"

    def execution(tag):
        return StoredRun("run-1", "x", "FINISHED", 0, {plots.STORED_TAG: json.dumps(tag)}, {}, {})

    out = tmp_path / "report"
    drawer = PlotDrawer(Store(), out, workers=1)
    # a tag naming another picture (the data changed since): drawn, nothing downloaded
    drawer.submit(job(out, relu=999.0), execution({"claim-steps.png": stored.fingerprint}))
    assert (drawer.copied, drawer.drawn) == (0, 1) and downloads == []
    # a stored file that is not the picture its tag names (written over since): drawn
    stored_bytes = stored.path.read_bytes()
    plots.draw(job(tmp_path / "artifacts" / "plots", relu=5.0))
    drawer.submit(job(out), execution({"claim-steps.png": stored.fingerprint}))
    assert (drawer.copied, drawer.drawn) == (0, 2) and downloads == ["run-1"]
    drawer.finish()
    stored.path.write_bytes(stored_bytes)
    job(out).path.unlink()  # nothing to keep: the stored picture is the one to copy
    drawer = PlotDrawer(Store(), out, workers=1)
    drawer.submit(job(out), execution({"claim-steps.png": stored.fingerprint}))
    assert (drawer.copied, drawer.drawn) == (1, 0) and job(out).path.read_bytes() == stored_bytes
    drawer.finish()
    assert not list(out.glob(".stored-*"))  # the download folders are gone


def test_a_dead_worker_costs_no_plot(tmp_path, monkeypatch):
    """A worker killed mid-draw (BrokenProcessPool) leaves its plots to be drawn in the report's own process."""
    from concurrent.futures.process import BrokenProcessPool

    class Dead:
        def result(self):
            raise BrokenProcessPool("a worker died")

    class Pool:
        def submit(self, function, job):
            return Dead()

        def shutdown(self, cancel_futures=False):
            pass

    drawer = PlotDrawer(NoStore(), tmp_path, workers=2)
    monkeypatch.setattr(drawer, "_workers", lambda: Pool())
    drawer.submit(job(tmp_path))
    assert not job(tmp_path).path.exists()
    drawer.finish()
    assert plots.is_drawn(job(tmp_path))
