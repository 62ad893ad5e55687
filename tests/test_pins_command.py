"""`reprobench pins` end to end on a small store: two sources of one claim give a pin file that the unit tier's
checks accept, a pin edited by hand is caught, and a store without the executions asked for writes nothing."""

from __future__ import annotations

import json

import pytest

from benchmarks import pins
from benchmarks.cli import main
from reproductions import registry

pytestmark = [pytest.mark.smoke, pytest.mark.ci, pytest.mark.initial_loss]


def test_pins_from_a_discovery_and_a_confirmation_are_what_the_rule_gives(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert main(["--store", uri, "run", "initial-loss", "--profile", "smoke"]) == 0
    assert main(["--store", uri, "confirm", "initial-loss", "--profile", "smoke"]) == 0
    out = tmp_path / "pins.json"
    assert main(["--store", uri, "pins", "initial-loss", "--profile", "smoke", "--seeds", "2", "--out", str(out)]) == 0
    data = pins.load(out).data
    entry = data["claims"]["initial-loss"]
    assert sorted(s.split(" · ")[0] for s in entry["evidence"]) == ["confirmation", "discovery"]
    assert set(entry["subclaims"]) == {e.id for e in registry()["initial-loss"].expectations}
    assert pins.rederive(data, registry()) == {}

    edited = json.loads(out.read_text())  # a pin typed by hand is caught
    sub = next(iter(edited["claims"]["initial-loss"]["subclaims"].values()))
    sub["verdict"] = "INCONCLUSIVE" if sub["verdict"] != "INCONCLUSIVE" else "REPRODUCED"
    assert pins.rederive(edited, registry())

    before = out.read_bytes()  # nothing of that profile in the store: one line, exit 2, the file untouched
    capsys.readouterr()
    assert main(["--store", uri, "pins", "--out", str(out)]) == 2
    assert "no claim has enough finished executions" in capsys.readouterr().err
    assert out.read_bytes() == before
