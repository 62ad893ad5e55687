"""Fair tuning (grid choice, edge flag, tie-break), tuned configs, and training to a target with censoring."""

import dataclasses
import math

import keras
import numpy as np
import pytest

from benchmarks.tuning import choose
from reproductions.claim import Arm, Budget, Claim, ClaimDefinitionError, Expectation, Tuning
from reproductions.common.training import train_to_target

pytestmark = pytest.mark.unit

TUNING = Tuning(param="lr", grid=(0.01, 0.02, 0.04, 0.08, 0.16), metric="steps", direction="less", tiebreak="acc")


def test_best_median_wins_and_middle_is_not_an_edge():
    runs = {0.01: [{"steps": 900}], 0.02: [{"steps": 400}, {"steps": 500}, {"steps": 9000}],
            0.04: [{"steps": 600}], 0.08: [{"steps": 700}], 0.16: [{"steps": 2000}]}
    choice = choose(TUNING, "a", runs)
    assert choice.value == 0.02 and not choice.on_edge  # median 500 beats 600 despite one bad seed
    assert [p.n for p in choice.points] == [1, 3, 1, 1, 1]


@pytest.mark.parametrize("best", [0.01, 0.16])
def test_best_on_an_edge_is_flagged(best):
    runs = {v: [{"steps": 100 if v == best else 800}] for v in TUNING.grid}
    choice = choose(TUNING, "a", runs)
    assert choice.value == best and choice.on_edge


def test_ties_go_to_the_better_tiebreak():
    runs = {v: [{"steps": 1500, "acc": acc}] for v, acc in zip(TUNING.grid, (0.5, 0.7, 0.9, 0.6, 0.1))}
    assert choose(TUNING, "a", runs).value == 0.04  # all censored at the budget: the most accurate wins


def test_values_within_the_tie_margin_go_to_the_better_tiebreak():
    # final accuracy: three rates end within 0.005 of the best; the one with the lowest early loss wins
    tuning = Tuning(param="lr", grid=(1.0, 2.0, 4.0, 8.0, 16.0), metric="acc", direction="greater",
                    tiebreak="loss1", tiebreak_direction="less", tie_margin=0.005)
    acc = (0.830, 0.858, 0.8568, 0.8531, 0.80)
    loss1 = (1.2, 0.83, 0.74, 0.70, 0.5)
    runs = {v: [{"acc": a, "loss1": l}] for v, a, l in zip(tuning.grid, acc, loss1)}
    assert choose(tuning, "a", runs).value == 8.0  # 0.8531 is within 0.005 of 0.858; 16 is fastest but not level
    assert choose(dataclasses.replace(tuning, tie_margin=0.002), "a", runs).value == 4.0
    assert choose(dataclasses.replace(tuning, tie_margin=0.0), "a", runs).value == 2.0  # exact ties only: the best
    greater = dataclasses.replace(tuning, tiebreak_direction="greater")
    assert choose(greater, "a", runs).value == 2.0  # the higher tie-break among the tied


def test_a_tie_on_the_tiebreak_goes_to_the_better_metric_and_failed_points_never_tie():
    tuning = Tuning(param="lr", grid=(1.0, 2.0, 3.0), metric="steps", direction="less", tiebreak="acc",
                    tie_margin=100.0)
    runs = {1.0: [{"steps": 550, "acc": 0.9}], 2.0: [{"steps": 500, "acc": 0.9}], 3.0: [{"acc": 0.99}]}
    assert choose(tuning, "a", runs).value == 2.0  # 3.0's runs have no steps: never tied, whatever its acc


@pytest.mark.parametrize("changes, message", [
    ({"tie_margin": -0.1, "tiebreak": "acc"}, "tie_margin"),
    ({"tie_margin": 0.01}, "needs a tiebreak"),
    ({"tiebreak_direction": "up", "tiebreak": "acc"}, "tiebreak_direction"),
])
def test_tie_margin_definition_errors(changes, message):
    with pytest.raises(ClaimDefinitionError, match=message):
        Tuning(param="lr", grid=(1.0, 2.0, 3.0), metric="steps", **changes)


def test_direction_greater_and_missing_points():
    tuning = Tuning(param="lr", grid=(1.0, 2.0, 3.0), metric="acc", direction="greater")
    choice = choose(tuning, "a", {1.0: [{"acc": 0.8}], 3.0: [{"acc": 0.6}]})
    assert choice.value == 1.0 and choice.on_edge and choice.points[1].n == 0
    assert choose(tuning, "a", {}).value is None


def test_grid_must_increase():
    with pytest.raises(ClaimDefinitionError):
        Tuning(param="lr", grid=(0.1, 0.05, 0.2), metric="steps")
    with pytest.raises(ClaimDefinitionError):
        Tuning(param="lr", grid=(0.1, 0.2), metric="steps")


def _claim(**changes):
    fields = dict(
        id="toy", title="toy", statement="toy", source="none", base_config={"lr": 0.1, "act": "relu"},
        arms=(Arm("a", {"act": "relu"}, tuned=True), Arm("b", {"act": "tanh"}, tuned=True),
              Arm("a-5x", {"act": "relu"}, follows=("a", 5.0)), Arm("fixed", {"act": "relu", "lr": 0.3})),
        expectations=(Expectation(id="e", arm="a", baseline="b", metric="steps", comparison="less", margin=0.0,
                                  statement="a is faster than b"),),
        budgets={p: Budget(seeds=2) for p in ("smoke", "quick", "full")}, run=lambda c, s, x: None, tuning=TUNING,
        primary=("e",))
    fields.update(changes)
    return Claim(**fields)


def test_resolve_config_takes_tuned_values():
    claim = _claim()
    tuned = {"a": 0.02, "b": 0.08}
    assert claim.resolve_config("a", "quick", tuned)["lr"] == 0.02
    assert claim.resolve_config("b", "quick", tuned)["lr"] == 0.08
    assert claim.resolve_config("a-5x", "quick", tuned)["lr"] == pytest.approx(0.1)
    assert claim.resolve_config("fixed", "quick", tuned)["lr"] == 0.3  # untuned arms keep their own value
    assert claim.resolve_config("a", "quick")["lr"] == 0.1  # no tuned values: the base value


@pytest.mark.parametrize("changes, message", [
    ({"tuning": None}, "tuning spec"),
    ({"arms": (Arm("a", {"act": "relu"}), Arm("b", {}))}, "tuning spec"),
    ({"arms": (Arm("a", {"lr": 0.2}, tuned=True), Arm("b", {}))}, "both overrides and tunes"),
    ({"arms": (Arm("a", {}, tuned=True), Arm("b", {}, follows=("c", 2.0)))}, "not a tuned arm"),
    ({"tuning": Tuning(param="momentum", grid=(1.0, 2.0, 3.0), metric="steps")}, "not a config key"),
])
def test_tuning_definition_errors(changes, message):
    with pytest.raises(ClaimDefinitionError, match=message):
        _claim(**changes)


def _toy_data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 8)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32")


def _toy_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(2)])


def test_reaches_an_easy_target_and_records_the_curve():
    x, y = _toy_data()
    outcome = train_to_target(_toy_model(), x, y, optimizer=keras.optimizers.SGD(0.5), batch_size=20, window=5,
                              max_steps=200, target=0.9)
    assert outcome.reached and not outcome.diverged
    assert outcome.steps_to_target % 5 == 0 and outcome.steps_to_target < 200
    assert outcome.accuracy_curve[outcome.steps_to_target] >= 0.9
    assert max(outcome.accuracy_curve) == outcome.steps_run == outcome.steps_to_target  # stops at the target
    assert outcome.scalars()["censored"] == 0.0
    assert outcome.summary() == f"reached at {outcome.steps_to_target:.0f} steps"


def test_a_loss_target_stops_where_the_window_loss_falls_to_it():
    x, y = _toy_data()
    outcome = train_to_target(_toy_model(), x, y, optimizer=keras.optimizers.SGD(0.5), batch_size=20, window=5,
                              max_steps=200, target=0.3, target_metric="loss")
    assert outcome.reached and outcome.steps_to_target < 200
    assert outcome.loss_curve[outcome.steps_to_target] <= 0.3  # stopped at the first window at or below it
    assert all(loss > 0.3 for step, loss in outcome.loss_curve.items() if step < outcome.steps_to_target)
    with pytest.raises(ValueError, match="'accuracy' or 'loss'"):
        train_to_target(_toy_model(), x, y, optimizer=keras.optimizers.SGD(0.5), batch_size=20, window=5,
                        max_steps=200, target=0.3, target_metric="val_loss")


def test_unreachable_target_is_censored_at_the_budget():
    x, y = _toy_data()
    y = np.random.default_rng(1).integers(0, 2, len(y)).astype("int32")  # random labels: 99 % is out of reach
    outcome = train_to_target(_toy_model(), x, y, optimizer=keras.optimizers.SGD(0.1), batch_size=20, window=5,
                              max_steps=50, target=0.99)
    assert not outcome.reached and outcome.steps_to_target == 50 and outcome.steps_run == 50
    assert outcome.scalars()["censored"] == 1.0


def test_nan_loss_is_diverged_and_censored():
    x, y = _toy_data()
    x = x * 1e20  # overflows to inf/nan at once
    outcome = train_to_target(_toy_model(), x, y, optimizer=keras.optimizers.SGD(1e10), batch_size=20, window=5,
                              max_steps=100, target=0.9)
    assert outcome.diverged and not outcome.reached and outcome.steps_to_target == 100
    assert outcome.steps_run < 100  # stopped early
    assert not math.isfinite(outcome.loss_curve[outcome.steps_run])
    assert outcome.summary() == "censored at 100 steps, diverged"


def test_window_must_divide_the_pass():
    x, y = _toy_data()
    with pytest.raises(ValueError, match="window"):
        train_to_target(_toy_model(), x, y, optimizer=keras.optimizers.SGD(0.1), batch_size=20, window=7,
                        max_steps=70, target=0.9)


def test_relative_grids_multiply_each_arms_own_value():
    relative = Tuning(param="lr", grid=(0.25, 0.5, 1.0, 2.0, 4.0), metric="acc", direction="greater", relative=True)
    claim = _claim(tuning=relative, arms=(Arm("a", {"lr": 1e-3}, tuned=True), Arm("b", {"lr": 0.02}, tuned=True)))
    assert claim.tuning_grid("a", "quick") == pytest.approx((2.5e-4, 5e-4, 1e-3, 2e-3, 4e-3))
    assert claim.tuning_grid("b", "quick") == pytest.approx((0.005, 0.01, 0.02, 0.04, 0.08))
    grid = claim.tuning_grid("b", "quick")
    choice = choose(relative, "b", {v: [{"acc": 0.9 if v == grid[0] else 0.8}] for v in grid}, grid)
    assert choice.value == grid[0] and choice.on_edge
    assert claim.resolve_config("b", "quick", {"b": grid[0]})["lr"] == grid[0]


# ------------------------------------------------------------------ a grid extended past its edge (issue 32, rule 4)

from benchmarks.tuning import choose_extended  # noqa: E402

EXTENDING = dataclasses.replace(TUNING, grid=(0.01, 0.02, 0.04), extend_edges=2)


def test_a_best_value_on_the_edge_asks_for_the_next_value_past_it():
    runs = {0.01: [{"steps": 900}], 0.02: [{"steps": 700}], 0.04: [{"steps": 500}]}
    choice = choose_extended(EXTENDING, "a", runs)
    assert choice.pending == (0.08,) and choice.extended == (0.08,)  # a geometric step: 0.04 × 2
    assert choice.value == 0.04 and choice.on_edge  # the edge of what has run, until 0.08 has
    runs[0.08] = [{"steps": 400}]
    choice = choose_extended(EXTENDING, "a", runs)
    assert choice.pending == (0.16,) and choice.value == 0.08  # on the extended grid's edge again: once more
    runs[0.16] = [{"steps": 450}]
    choice = choose_extended(EXTENDING, "a", runs)
    assert (choice.value, choice.on_edge, choice.pending, choice.extended) == (0.08, False, (), (0.08, 0.16))
    assert [p.value for p in choice.points] == [0.01, 0.02, 0.04, 0.08, 0.16]


def test_extension_stops_after_its_rounds_and_the_edge_stays_flagged():
    runs = {0.01: [{"steps": 100}], 0.02: [{"steps": 700}], 0.04: [{"steps": 800}], 0.005: [{"steps": 90}],
            0.0025: [{"steps": 80}]}
    choice = choose_extended(EXTENDING, "a", runs)  # the low edge, twice: 0.005 then 0.0025, which still wins
    assert (choice.value, choice.on_edge, choice.pending) == (0.0025, True, ())
    assert choice.extended == (0.0025, 0.005)
    assert choose_extended(dataclasses.replace(EXTENDING, extend_edges=0), "a", runs).value == 0.01  # the plain rule
    assert choose_extended(EXTENDING, "a", {0.01: [{"steps": 900}], 0.02: [{"steps": 100}],
                                            0.04: [{"steps": 800}]}).extended == ()  # inside: nothing to extend


def test_the_step_past_an_edge():
    assert EXTENDING.beyond((0.01, 0.02, 0.04), "high") == 0.08 and EXTENDING.beyond((0.01, 0.02, 0.04), "low") == 0.005
    assert EXTENDING.beyond((1e-4, 3e-4, 1e-3), "high") == 3e-3  # a 1-3-10 grid keeps its pattern
    assert EXTENDING.beyond((1e-4, 3e-4, 1e-3), "low") == 3e-5  # rounded: read back from a tag as the same float
    assert EXTENDING.beyond((-1.0, 0.0, 1.0), "low") == -2.0 and EXTENDING.beyond((0.0, 0.5, 1.0), "high") == 1.5


def test_extending_is_in_the_definition_hash_only_when_set():
    from reproductions import registry

    claim = registry()["learning-rate-decay"]
    e = claim.expectations[0].id
    same = dataclasses.replace(claim, tuning=dataclasses.replace(claim.tuning, extend_edges=0))
    other = dataclasses.replace(claim, tuning=dataclasses.replace(claim.tuning, extend_edges=1))
    assert same.definition_hash(e, "quick") == claim.definition_hash(e, "quick")
    assert other.definition_hash(e, "quick") != claim.definition_hash(e, "quick")
    with pytest.raises(ClaimDefinitionError, match="extend_edges"):
        dataclasses.replace(claim.tuning, extend_edges=-1)
