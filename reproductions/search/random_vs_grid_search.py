"""
Title: Random search beats grid search at equal budget; coarse → fine; a best trial on the range's edge warns
Claim id: random-vs-grid-search
Source: seeds 003 ("Optimization of hyper parameters: Random search or Grid search?"; "random search in
        logarithmic space"), 004 (Grid Search / Random Search: "최적 hyperparameter 값을 더 빨리 찾을 수 있음",
        "Random Search를 더 많이 사용"; Bergstra and Bengio, 2012), 000/001/002 ("coarse -> fine cross-validation
        in stages", "First stage: only a few epochs to get rough idea of what params work", "note it's best to
        optimize in log space"), 001/003 (the log: coarse search, 100 trials of 5 epochs with
        `lr = 10**uniform(-3, -6)`, `reg = 10**uniform(-5, 5)`, best val_acc 0.482 at lr 4.30e-04; fine search with
        `lr = 10**uniform(-3, -4)`, `reg = 10**uniform(-4, 0)`, best val_acc 0.531 at lr 9.47e-04, "53% - relatively
        good"; "But this best cross-validation result is worrying. Why?").

The lecture's words. Random search samples the candidate values at random instead of at fixed intervals, "can
find the optimal hyperparameter value faster" and "greatly reduces unnecessary repetitions" (004, in Korean);
Bergstra & Bengio's reason (the picture in 004): when one hyperparameter matters and another barely does, a
grid of n × n trials tries only n distinct values of the one that matters, random search n². The log (001)
then shows coarse → fine: the fine stage's best (0.531) beats the coarse stage's (0.482), and its best rate,
9.47e-4, sits at the fine range's upper end 1e-3, which the lecture calls worrying: the optimum may lie beyond.

What is an opinion with no number, and what we test instead. "Random Search를 더 많이 사용" (random search is
used more) is a statement about practice: untestable here. "Faster" has no number: we test its measurable core,
that at an equal budget of trials random search's best validation accuracy is higher than grid search's.

Design. Each arm × seed run performs a whole search; a trial trains the lecture's model, a two-layer ReLU net
(784-50-10, He init; the lecture's "2-layer neural net with 50 hidden neurons"), with SGD + momentum 0.9 (its
`update='momentum'`), batch 100, for 5 epochs ("run coarse search for 5 epochs") on 2000 class-balanced
Fashion-MNIST images, validated after every epoch on 1000 held-out images. Two hyperparameters: the learning
rate (matters) and the L2 strength (Keras' L2 on both kernels), whose range, [1e-6, 1e-3], is one where it
barely matters (a sub-claim checks it). Why this is cheap enough: a trial is 100 SGD steps; one compiled model
per run is reset (initial weights, zeroed optimizer, rate and L2 strength in variables) between trials
instead of rebuilt (common/search.py: ~0.1 s a trial instead of ~0.5 s), and every trial of a run starts from
the same initial weights.

- grid: the 3 × 3 grid over the box, in log space, endpoints included (np.logspace) — 3 distinct rates;
- random: 9 points, each coordinate log-uniform over the same box — 9 distinct rates; then a fine stage:
  9 more random trials with the rate narrowed to one decade centred on the coarse best (001 narrows three
  decades to one), the L2 range unchanged;
- random-below-optimum: 9 random trials over the lecture's own fine range for the rate, [1e-4, 1e-3], which
  here stops a decade below the optimum (~1e-2 for this net and budget).
The rate's range spans 3 decades (as 001's coarse `10**uniform(-3, -6)`) and is placed at random per seed
(its low end 10**U(-4, -2.5), the same for both arms of a seed), always containing the optimum: a grid's luck
depends on where its 3 points fall relative to the optimum, and a fixed range would judge one alignment only.
A search's score is its best trial's validation accuracy after the last epoch.

Sub-claims (decided before the quick runs):
- primary: random's best beats grid's by more than half a point of validation accuracy (paired over seeds;
  no-effect value 0), and (secondary) it is not worse by more than half a point;
- exact: random tries 9 distinct rates, grid 3 (the difference exceeds 5 on every seed);
- the premise: at the grid's best rate the three L2 strengths change accuracy by less than 2 points, while at
  its best L2 strength the three rates change it by more than 10 points;
- "only a few epochs to get rough idea": the Spearman rank correlation between the trials' accuracy after 1
  epoch and after 5 (the random arm's 9 coarse trials) exceeds 0.7 (no-effect value 0);
- coarse → fine: the fine stage's best (9 trials) beats the coarse stage's best (9 trials, the same budget) by
  more than half a point (no-effect value 0);
- search edge: with the range stopping below the optimum, the best trial is the trial of the highest rate
  on most seeds (rate > 0.5; 1/9 when the rate does not matter: binomial test); with the range spanning the
  optimum it is not (rate < 0.5); and the worry is justified: the spanning search's best beats the
  below-optimum search's by more than 2 points.
The lecture's 0.482 → 0.531 are CIFAR-10 numbers of a 3072-50-10 net: shown beside ours, not compared.

Seeds at quick: 8 (were 5), in the open (issue 32's decidability test, 2026-12-08, before any run at 8):
edge-best-on-upper-end and spanning-best-not-on-edge, in their secondary family of eight, are judged by sign or
binomial tests whose smallest p at 5 seeds, 8 × 2^-5 = 0.25 after Holm, could not reach α = 0.045 whatever the runs
gave; at 8 seeds it is 8 × 2^-8 = 0.031. Nothing else changed.
"""

import math

import keras
import numpy as np
from scipy import stats

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_split
from reproductions.common.search import CheapTrial, grid_points, log_grid, random_points, range_position
from reproductions.expect import (at_least, at_most, exact_above, higher, not_lower, ours, rate_at_least,
                                  rate_at_most)

POSITION = 10

LECTURE_FINE_RANGE = (1e-4, 1e-3)  # 001: lr = 10**uniform(-3, -4); its best, 9.47e-4, at the upper end


def rate_range(config, seed):
    """The rate's search range: fixed when the config gives one, else `lr_span_decades` wide with its low end
    log-uniform in 10**[lr_low_min, lr_low_max] (drawn from the seed alone: the same for every arm)."""
    if config["lr_range"] is not None:
        return tuple(float(v) for v in config["lr_range"])
    low = 10.0 ** np.random.default_rng([seed, 7]).uniform(config["lr_low_min"], config["lr_low_max"])
    return float(low), float(low * 10.0 ** config["lr_span_decades"])


def points(config, seed, lr_range, l2_range, n, stage):
    """The search's trials: a √n × √n log grid, or n log-uniform random points."""
    if config["search"] == "grid":
        side = math.isqrt(n)
        if side * side != n:
            raise ValueError(f"a grid search needs a square number of trials, got {n}")
        return grid_points({"learning_rate": log_grid(*lr_range, side), "l2": log_grid(*l2_range, side)})
    return random_points(np.random.default_rng([seed, 11, stage]), {"learning_rate": lr_range, "l2": l2_range}, n)


def search(trial, trial_points):
    """Run every trial: (final scores, first-epoch scores)."""
    curves = [trial(p["learning_rate"], p["l2"]) for p in trial_points]
    return np.array([c[max(c)] for c in curves]), np.array([c[min(c)] for c in curves])


def spread(scores, trial_points, fixed, value):
    """max − min score over the trials whose `fixed` hyperparameter equals `value` (a grid's row)."""
    row = [s for s, p in zip(scores, trial_points) if p[fixed] == value]
    return float(max(row) - min(row)) if len(row) > 1 else math.nan


def run(config, seed, context):
    keras.utils.set_random_seed(seed)
    (x, y), validation = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                     context.data_dir, validation_pool=context.validation_pool)
    trial = CheapTrial(x, y, validation, hidden=config["hidden"], batch_size=config["batch_size"],
                       epochs=config["epochs"], momentum=config["momentum"], seed=seed, step_cap=context.step_cap,
                       validate_at=(1, config["epochs"]))
    lr_range, l2_range = rate_range(config, seed), tuple(float(v) for v in config["l2_range"])
    coarse = points(config, seed, lr_range, l2_range, config["trials"], stage=0)
    scores, first = search(trial, coarse)
    best = int(np.argmax(scores))
    rates = np.array([p["learning_rate"] for p in coarse])
    rho = stats.spearmanr(first, scores).statistic if np.ptp(first) > 0 and np.ptp(scores) > 0 else 0.0
    position = range_position(rates[best], *lr_range)
    scalars = {
        "best_score": float(scores[best]), "best_learning_rate": float(rates[best]), "best_l2": coarse[best]["l2"],
        "best_lr_position": position, "best_is_highest_rate": float(rates[best] == rates.max()),
        "best_in_top_decile": float(position >= 0.9),
        "distinct_learning_rates": float(len(np.unique(rates))),
        "distinct_l2": float(len({p["l2"] for p in coarse})),
        "rank_correlation": float(rho), "range_low": lr_range[0], "range_high": lr_range[1],
    }
    if config["search"] == "grid":  # the premise: the rate matters, the L2 strength barely does
        scalars["l2_spread"] = spread(scores, coarse, "learning_rate", coarse[best]["learning_rate"])
        scalars["lr_spread"] = spread(scores, coarse, "l2", coarse[best]["l2"])
    series = {"search_score": dict(enumerate(map(float, scores))),
              "search_first_epoch_score": dict(enumerate(map(float, first))),
              "search_learning_rate": dict(enumerate(map(float, rates))),
              "search_l2": {i: p["l2"] for i, p in enumerate(coarse)}}
    notes = f"best {scores[best]:.3f} at lr {rates[best]:.2e} (range {lr_range[0]:.1e}–{lr_range[1]:.1e})"
    if config["fine_trials"]:  # coarse -> fine: one decade around the coarse best, the same L2 range
        half = 10.0 ** (config["fine_span_decades"] / 2)
        fine = points(config, seed, (rates[best] / half, rates[best] * half), l2_range, config["fine_trials"], stage=1)
        fine_scores, _ = search(trial, fine)
        scalars["fine_best_score"] = float(fine_scores.max())
        scalars["fine_gain"] = float(fine_scores.max() - scores[best])
        series["fine_score"] = dict(enumerate(map(float, fine_scores)))
        series["fine_learning_rate"] = {i: p["learning_rate"] for i, p in enumerate(fine)}
        notes += f"; fine best {fine_scores.max():.3f}"
    scalars.update({"trials_run": float(trial.trials), "diverged_trials": float(trial.diverged)})
    return ArmResult(scalars=scalars, series=series, notes=notes)


CLAIM = Claim(
    id="random-vs-grid-search",
    title="Random search beats grid search at equal budget; coarse → fine; a best trial on the range's edge warns",
    statement=("'Optimization of hyper parameters: Random search or Grid search?' (003); random search 'can find the "
               "optimal hyperparameter value faster' and 'Random Search를 더 많이 사용' (004, Bergstra and Bengio 2012); "
               "'note it's best to optimize in log space'; 'coarse -> fine cross-validation in stages. First stage: "
               "only a few epochs to get rough idea of what params work' (000-002); the fine search's best, "
               "lr 9.47e-04 in [1e-4, 1e-3]: 'this best cross-validation result is worrying. Why?' (001, 003)."),
    source="003 'Random search or Grid search?'; 004 'Hyperparameter Optimization' (Bergstra & Bengio 2012); "
           "000-002 'Cross-validation strategy' (coarse -> fine); 001 and 003 the coarse/fine search log",
    lecture_number=("001: coarse search (100 trials, 5 epochs) best val_acc 0.482 at lr 4.30e-04; fine search best "
                    "0.531 ('53%') at lr 9.47e-04, on the fine range's 1e-3 edge (CIFAR-10, 3072-50-10 net); "
                    "no number for random against grid"),
    setup=("Fashion-MNIST, 2000 class-balanced training images (standardized), validated after every epoch on 1000 "
           "held-out test images. A trial: 784-50-10 ReLU net (He init), SGD + momentum 0.9, batch 100, 5 epochs, "
           "Keras L2 on both kernels; score = validation accuracy after the last epoch; one compiled model per run, "
           "reset between trials. Search box: learning rate over 3 decades placed at random per seed (low end "
           "10**U(-4, -2.5), shared by the arms of a seed), L2 strength in [1e-6, 1e-3], both in log space. Arms "
           "(9 trials each): a 3×3 log grid; 9 log-uniform random points followed by a fine stage of 9 (rate within "
           "one decade centred on the coarse best); 9 random points with the rate in the lecture's fine range "
           "[1e-4, 1e-3], a decade below this net's optimum."),
    check="9-trial searches (a 3×3 log grid against 9 log-uniform points) over the rate and an L2 strength that barely matters; epoch-1 ranks against the last epoch's; a rate range that stops below the optimum",
    base_config={"dataset": "fashion-mnist", "train_size": 2000, "validation_size": 1000, "hidden": 50,
                 "batch_size": 100, "epochs": 5, "momentum": 0.9, "search": "random", "trials": 9,
                 "lr_range": None, "lr_low_min": -4.0, "lr_low_max": -2.5, "lr_span_decades": 3.0,
                 "l2_range": (1e-6, 1e-3), "fine_trials": 9, "fine_span_decades": 1.0},
    arms=(
        Arm("grid", {"search": "grid", "fine_trials": 0}, "3×3 grid in log space over the box (3 distinct rates)"),
        Arm("random", {"search": "random"}, "9 log-uniform random points over the same box, then 9 fine trials"),
        Arm("random-below-optimum", {"search": "random", "lr_range": LECTURE_FINE_RANGE, "fine_trials": 0},
            "9 random points, rate in the lecture's fine range [1e-4, 1e-3], below the optimum"),
    ),
    expectations=(
        higher("random-beats-grid", "random", "best_score", than="grid", by=0.005,
               statement="at 9 trials each, random search's best validation accuracy beats the grid's (by > 0.5 "
                         "point)",
               lecture="random search 'can find the optimal hyperparameter value faster' (004); no number",
               size=ours("a size the lecture never gives ('faster' has no number): half a point of validation "
                         "accuracy, chosen as a gain beyond a negligible one")),
        not_lower("random-not-worse-than-grid", "random", "best_score", than="grid", by=0.005,
                  statement="random search's best is not worse than the grid's by more than 0.5 point",
                  lecture="random search 'greatly reduces unnecessary repetitions' compared with grid search (004)",
                  size=ours("a non-inferiority margin: half a point of validation accuracy, the primary's margin")),
        exact_above("random-tries-more-rates", "random", "distinct_learning_rates", 5.0, than="grid",
                    statement="random search tries 9 distinct learning rates, the 3×3 grid 3 (difference > 5)",
                    lecture="Bergstra & Bengio's picture (004): a grid tries few values of the important parameter",
                    size=ours("a computed fact of our design: 9 random points give 9 distinct rates, a 3×3 grid 3, a "
                              "difference of 6; 5 sits below it")),
        at_most("l2-barely-matters", "grid", "l2_spread", 0.02,
                statement="premise: at the grid's best rate the three L2 strengths change accuracy by < 2 points",
                lecture="Bergstra & Bengio's 'unimportant parameter' (004)",
                size=ours("a premise of our design, no lecture number: 'barely matters' read as a spread under 2 "
                          "points of accuracy, our choice of a small effect")),
        at_least("rate-matters", "grid", "lr_spread", 0.1,
                 statement="premise: at the grid's best L2 strength the three rates change accuracy by > 10 points",
                 lecture="Bergstra & Bengio's 'important parameter' (004)",
                 size=ours("a premise of our design, no lecture number: 'matters' read as a spread over 10 points of "
                           "accuracy, five times the bound for 'barely matters'")),
        at_least("first-epoch-ranks-trials", "random", "rank_correlation", 0.7, null=0.0,
                 statement="'only a few epochs to get rough idea': the trials' accuracy after 1 epoch ranks them as "
                           "after 5 does (Spearman > 0.7)",
                 lecture="'First stage: only a few epochs to get rough idea of what params work' (000-002)",
                 size=ours("'rough idea' has no number: a Spearman correlation above 0.7, the usual threshold of a "
                           "strong rank agreement")),
        at_least("coarse-to-fine-improves", "random", "fine_gain", 0.005, null=0.0,
                 statement="the fine stage's best (9 trials, rate within a decade of the coarse best) beats the "
                           "coarse stage's best (9 trials) by > 0.5 point",
                 lecture="001: coarse best 0.482, fine best 0.531 (+4.9 points, 100 trials each)",
                 size=ours("half a point of accuracy, a gain beyond a negligible one; the lecture's +4.9 points (001) "
                           "are CIFAR-10 with 100 trials a stage, not comparable with 9 trials here")),
        rate_at_least("edge-best-on-upper-end", "random-below-optimum", "best_is_highest_rate", 0.5, null=1 / 9,
                      statement="a range stopping below the optimum: the best trial is the one of the highest rate on "
                                "most seeds (rate > 0.5; 1/9 if the rate did not matter)",
                      lecture="001: best lr 9.47e-04 in [1e-4, 1e-3], at the range's 1e-3 edge: 'worrying. Why?'",
                      size=ours("'most seeds' read as a majority (0.5); the lecture shows one search; 1/9 is the "
                                "chance rate of 9 trials")),
        rate_at_most("spanning-best-not-on-edge", "random", "best_is_highest_rate", 0.5,
                     statement="a range spanning the optimum: the best trial is not the one of the highest rate on "
                               "most seeds (rate < 0.5)",
                     lecture="001's coarse best, lr 4.30e-04, lay inside its range [1e-6, 1e-3]",
                     size=ours("'not on the edge on most seeds' read as a rate below one half; the lecture shows one "
                               "search")),
        higher("edge-was-worrying", "random", "best_score", than="random-below-optimum", by=0.02,
               statement="the worry is justified: the search spanning the optimum finds a best more than 2 points "
                         "above the search stopping below it",
               lecture="'this best cross-validation result is worrying. Why?' (001, 003)",
               size=ours("a size the lecture never gives ('worrying' has no number): 2 points of accuracy, a loss "
                         "clearly worth the worry")),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "validation_size": 200, "epochs": 2, "trials": 9,
                                   "fine_trials": 3},
                        note="500 images, 2 epochs, 9 trials (3 fine): pipeline check only"),
        "quick": Budget(seeds=8, note="2000 images, 5 epochs a trial, 9 trials a search (+9 fine); 8 seeds "
                                 "(decidable: a secondary family of eight)"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "validation_size": 1000, "trials": 25,
                                  "fine_trials": 25},
                       note="the lecture's setting: the whole training set (the lecture's 49,000 CIFAR-10 images "
                            "are its 50,000 less 1000 validation images; ours come from the held-out images) and "
                            "1000 validation images (CIFAR-10 if its archive is here, else Fashion-MNIST), the 2-layer net with 50 hidden units, 5 epochs a "
                            "trial, a 5×5 grid against 25 random points (+25 fine)"),
    },
    run=run,
    plots=(
        PlotSpec(name="search-points", kind="scatter", metric="search_score", x_metric="search_learning_rate",
                 y_metric="search_l2", log_x=True, log_y=True, best="greater",
                 title="The trials of each search (9 a seed), coloured by validation accuracy; ★ = each seed's best",
                 xlabel="learning rate", ylabel="L2 strength"),
        PlotSpec(name="score-vs-rate", kind="scatter", metric="search_score", x_metric="search_learning_rate",
                 log_x=True, best="greater", reference={"lecture's fine range edge 1e-3": 1e-3},
                 title="Validation accuracy of each trial against its learning rate (all seeds); ★ = each seed's best",
                 xlabel="learning rate", ylabel="validation accuracy after 5 epochs"),
        PlotSpec(name="best-score", kind="bar", metric="best_score",
                 title="Best validation accuracy a 9-trial search found (mean, CI over seeds)",
                 ylabel="best validation accuracy"),
    ),
    summary_metrics=("best_score", "best_learning_rate", "distinct_learning_rates", "rank_correlation",
                     "fine_best_score", "best_lr_position"),
    primary=("random-beats-grid",),
)
