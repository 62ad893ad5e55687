"""
Title: Learning rate too low: the loss barely moves (accuracy rises anyway); too high: NaN; search 1e-5..1e-3
Claim id: learning-rate-regimes
Source: seeds 000, 001, 002, 003 (babysitting: "find learning rate that makes the loss go down"),
        the cs231n log on seed 001.

The lecture trains its two-layer net (3072-50-10, W = 1e-4·randn, reg 1e-6, vanilla SGD, batches of 100,
10 epochs over CIFAR-10) at a few learning rates and reads the cost:

    lr 1e-6   "cost 2.302576" (epoch 1) … "cost 2.302420" (epoch 10): "Loss barely changing: Learning
              rate must be too low" — yet "train/val accuracy goes to 20% though" (val 0.103 -> 0.192,
              "remember this is softmax": the scores barely move, but their order does);
    lr 1e6    "cost nan" from epoch 1: "cost: NaN almost always means high learning rate…";
    lr 3e-3   cost 2.19 … 1.83, then "cost inf" at epoch 5: "3e-3 is still too high. Cost explodes";
    => "Rough range for learning rate we should be cross-validating is somewhere [1e-3 … 1e-5]",
    and the tip: "If the cost is ever > 3 * original cost, break out early".

We run the same net and init over the lecture's rates (1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e6), on the
lecture's inputs (raw pixels minus the training set's mean image, cs231n's loader: the rates belong
to that input scale, see overfit-tiny-subset), one arm per rate, every arm on the same seeds (same
data, same init). Per run: the cost on the training subset before and after the 10 epochs, the
training cost and accuracy per epoch (means over the epoch's batches), the validation cost and
accuracy before and after (held-out test images), the first epoch with a non-finite cost, and the
first epoch at which the lecture's 3x rule would have stopped the run (an epoch's mean cost above 3x
the cost at initialisation, or a non-finite one; checked once per epoch, as the lecture's trainer
prints its cost once per epoch).
A `sweep` arm reads each seed's six runs together (the same runs: they are computed once per process
and shared) and says which rate ended best (lowest validation cost after 10 epochs), whether the
3x rule would have stopped any run that ended near that best (within 0.1 nats), and where the NaNs
were. Quick: 10 epochs over a 10k Fashion-MNIST subset (1000 updates, a fifth of the lecture's 4900);
full: the whole training set (CIFAR-10 when its archive is here), the lecture's setting.
"""

import math

import keras
import numpy as np

from reproductions.babysitting.initial_loss import build_two_layer_net
from reproductions.babysitting.overfit_tiny_subset import cost_and_accuracy, preprocess, raw_pixels
from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import subset_index
from reproductions.common.seeding import seed_everything
from reproductions.common.sgd_runs import remembered, reset_optimizer
from reproductions.common.training import TrainTimer, capped_schedule
from reproductions.expect import at_least, count_at_least, count_at_most, from_lecture, near, ours

POSITION = 40

RATES = (1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e6)  # the lecture's printed rates and the decades of its range
RANGE = (1e-5, 1e-3)  # "somewhere [1e-3 ... 1e-5]"
NEAR_BEST = 0.1  # nats of final validation cost: a run 'ended near the best'
RULE_FACTOR = 3.0  # "If the cost is ever > 3 * original cost, break out early"
# The lecture's printed costs per epoch (seed 001), the reference lines of the plot.
LECTURE_COST = {
    "lr-1e-6": [2.302576, 2.302582, 2.302558, 2.302519, 2.302517, 2.302518, 2.302466, 2.302452, 2.302459, 2.302420],
    "lr-3e-3": [2.186654, 2.176230, 1.942257, 1.827868],  # then 'cost inf' at epochs 5 and 6
}
# The lecture's printed train accuracy per epoch (on 1000 training images after each epoch).
LECTURE_TRAIN_ACCURACY = {
    "lr-1e-6": [0.080, 0.121, 0.119, 0.127, 0.158, 0.179, 0.180, 0.175, 0.206, 0.190],  # val 0.103 -> 0.192
    "lr-3e-3": [0.308, 0.330, 0.376, 0.329, 0.128, 0.144],
    "lr-1e6": [0.091, 0.095, 0.100],
}


def arm_name(rate: float) -> str:
    return "lr-" + f"{rate:.0e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


# ----------------------------------------------------------------------------- data


def split(config, seed, data_dir=None, pool="test"):
    """A seeded, class-balanced training subset (None: all of it) and a validation subset, as cs231n's inputs:
    raw pixels minus the training set's mean image. Validation comes from the held-out test images ('test', where
    verdicts are read) or from training images apart from the subset ('train')."""
    x, y, x_test, y_test, _ = raw_pixels(config["dataset"], data_dir)
    size = min(config["validation_size"] or len(y_test), len(y_test))
    if pool == "train":
        held = subset_index(y, size, seed + 1)
        rest = np.setdiff1d(np.arange(len(y)), held)
        x_val, y_val, x, y = x[held], y[held], x[rest], y[rest]
    else:
        index = subset_index(y_test, size, seed + 1)
        x_val, y_val = x_test[index], y_test[index]
    if config["train_size"] is not None and config["train_size"] < len(y):
        index = subset_index(y, config["train_size"], seed)
        x, y = x[index], y[index]
    prep = lambda rows: preprocess(rows, "mean-image", config["dataset"], data_dir)  # noqa: E731
    return (prep(x), y), (prep(x_val), y_val)


# ----------------------------------------------------------------------------- one learning rate


def _first(flags, never: int) -> int:
    return next((epoch for epoch, flag in enumerate(flags, start=1) if flag), never)


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training once the cost is NaN/inf (it stays so; keras' TerminateOnNaN, without its print)."""

    def on_train_batch_end(self, batch, logs=None):
        if not math.isfinite(float((logs or {}).get("loss", 0.0))):
            self.model.stop_training = True


# One compiled net per shape, reused across rates and seeds: compiling is most of a short run's cost. Each run
# loads a fresh net's initial weights into it, sets the rate, zeroes the step count and re-seeds the batch order,
# so a run gives the same numbers whichever runs came before it in the process.
_TRAINERS: dict[tuple, keras.Model] = {}


def trainer(input_dim: int, config, steps_per_execution: int) -> keras.Model:
    key = (input_dim, config["hidden"], config["classes"], config["reg"], steps_per_execution,
           keras.backend.backend(), keras.config.dtype_policy().name)
    if key not in _TRAINERS:
        model = build_two_layer_net(input_dim, {**config, "init_scale": 1.0})
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"],
                      steps_per_execution=steps_per_execution)
        _TRAINERS[key] = model
    return _TRAINERS[key]


def train_at_rate(config, seed, context) -> ArmResult:
    """The two-layer net trained at config['learning_rate']: costs before and after, per-epoch curves, the
    divergence epoch and the epoch the 3x rule would stop it (a run stops at a non-finite cost: it stays so)."""
    seed_everything(seed)
    (x, y), (x_val, y_val) = split(config, seed, context.data_dir, context.validation_pool)
    initial = build_two_layer_net(x.shape[1], config).get_weights()  # W = init_scale·randn, b = 0
    batch_size = config["batch_size"]
    steps, epochs, steps_per_epoch = capped_schedule(len(x), batch_size, config["epochs"], context.step_cap)
    model = trainer(x.shape[1], config, 1 if keras.backend.backend() == "torch" else steps)
    model.set_weights(initial)
    reset_optimizer(model.optimizer, config["learning_rate"])  # the step count zeroed, the run's rate set
    seed_everything(seed)  # the batch order
    timer = TrainTimer(steps * batch_size)
    # no validation inside fit (it costs more than the training here): the validation set is read at the start
    # and at the end, in numpy
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, steps_per_epoch=steps_per_epoch, shuffle=True,
                        verbose=0, callbacks=[timer, StopOnNonFinite()]).history
    final = model.get_weights()
    initial_loss, initial_accuracy = cost_and_accuracy(initial, x, y)
    _, initial_val_accuracy = cost_and_accuracy(initial, x_val, y_val)
    final_loss, final_accuracy = cost_and_accuracy(final, x, y)
    final_val_loss, final_val_accuracy = cost_and_accuracy(final, x_val, y_val)
    costs = [float(v) for v in history["loss"]]
    ran = len(costs)
    finite = [math.isfinite(c) for c in costs]
    diverged_epoch = _first([not f for f in finite], epochs + 1)
    diverged = diverged_epoch <= epochs or not (math.isfinite(final_loss) and math.isfinite(final_val_loss))
    rule_epoch = _first([not f or c > RULE_FACTOR * initial_loss for f, c in zip(finite, costs)], epochs + 1)
    scalars = {
        "initial_loss": initial_loss,
        "final_train_loss": final_loss,
        "final_val_loss": final_val_loss,  # NaN/inf for a diverged run: logged as a tag, never a metric
        "loss_change": final_loss - initial_loss,
        "initial_train_accuracy": initial_accuracy,
        "initial_val_accuracy": initial_val_accuracy,
        "final_train_accuracy": final_accuracy,
        "final_val_accuracy": final_val_accuracy,
        "val_accuracy_gain": final_val_accuracy - initial_val_accuracy,
        "diverged": float(diverged),
        "diverged_epoch": float(diverged_epoch),  # epochs + 1: never non-finite
        "rule_stops": float(rule_epoch <= epochs),
        "rule_epoch": float(rule_epoch),  # epochs + 1: the 3x rule never fires
        "epochs_run": float(ran),
        **timer.scalars(),
    }
    series = {name: {e: float(v) for e, v in enumerate(history[key], start=1)}
              for name, key in (("train_loss", "loss"), ("train_accuracy", "accuracy"))}
    note = (f"lr {config['learning_rate']:g}: cost {initial_loss:.6f} -> {final_loss:.6g}, val accuracy "
            f"{initial_val_accuracy:.3f} -> {final_val_accuracy:.3f}"
            + (f", non-finite from epoch {diverged_epoch}" if diverged else "")
            + (f", 3x rule at epoch {rule_epoch}" if rule_epoch <= epochs else ""))
    return ArmResult(scalars=scalars, series=series, notes=note)


def run_at_rate(config, seed, context) -> ArmResult:
    """One rate's run, computed once per process (common.sgd_runs.remembered): the sweep arm reads the rate arms'
    runs of the same seed (a pure function of its config, seed and context, so a fresh computation gives the
    same numbers)."""
    return remembered(config, seed, context, train_at_rate)


def sweep(config, seed, context) -> ArmResult:
    """Each seed's runs over the rates read together: the best rate, the 3x rule's false stops, where NaNs are."""
    rates = tuple(float(r) for r in config["rates"])
    results = {r: run_at_rate({**config, "mode": "rate", "learning_rate": r}, seed, context) for r in rates}
    final = {r: res.scalars["final_val_loss"] for r, res in results.items()}
    final = {r: v if math.isfinite(v) else math.inf for r, v in final.items()}
    best = min(rates, key=lambda r: (final[r], r))
    near = {r: final[r] <= final[best] + NEAR_BEST for r in rates}
    stops = {r: results[r].scalars["rule_stops"] == 1.0 for r in rates}
    diverged = {r: results[r].scalars["diverged"] == 1.0 for r in rates}
    lowest = min(rates)
    scalars = {
        "best_log10_rate": math.log10(best),
        "best_in_range": float(RANGE[0] <= best <= RANGE[1]),
        "best_final_val_loss": final[best],
        "rule_false_stops": float(sum(stops[r] and near[r] for r in rates)),  # stopped, yet would have ended near
        "rule_stops": float(sum(stops.values())),
        "diverged_runs": float(sum(diverged.values())),
        "diverged_at_or_below_best": float(sum(diverged[r] and r <= best for r in rates)),
        "lowest_rate_gap": final[lowest] - final[best],  # how far the lowest rate ends above the best one
    }
    note = (f"best rate {best:g} (final val cost {final[best]:.4f}); 3x rule stops "
            + (", ".join(f"{r:g}" for r in rates if stops[r]) or "none")
            + "; non-finite at " + (", ".join(f"{r:g}" for r in rates if diverged[r]) or "none"))
    return ArmResult(scalars=scalars, notes=note)


def run(config, seed, context):
    if config["mode"] == "sweep":
        return sweep(config, seed, context)
    return run_at_rate(config, seed, context)


# ----------------------------------------------------------------------------- the claim


CLAIM = Claim(
    id="learning-rate-regimes",
    title="Learning rate too low: the loss barely moves (accuracy rises anyway); too high: NaN; search 1e-5..1e-3",
    statement=(
        "lr 1e-6: 'cost 2.302576' … 'cost 2.302420' in 10 epochs, 'Loss barely changing: Learning rate must be too "
        "low'; 'Notice train/val accuracy goes to 20% though … (remember this is softmax)'. lr 1e6: 'cost nan' at "
        "epoch 1, 'cost: NaN almost always means high learning rate'. lr 3e-3: 'cost inf' at epoch 5, 'still too "
        "high. Cost explodes'. 'Rough range for learning rate we should be cross-validating is somewhere [1e-3 ... "
        "1e-5]'. 'If the cost is ever > 3 * original cost, break out early.'"
    ),
    source="001 (the cs231n logs at lr 1e-6, 1e6 and 3e-3, the range and the 3x tip); 000, 002, 003 (the same slides)",
    lecture_number="lr 1e-6: cost 2.302576 -> 2.302420, val accuracy 0.103 -> 0.192; lr 1e6: NaN at epoch 1; "
                   "lr 3e-3: inf at epoch 5; range [1e-5, 1e-3]",
    setup=(
        "The sanity check's two-layer net (Dense 50 ReLU -> Dense 10, W = 1e-4·randn, zero biases, softmax, L2 "
        "0.5·1e-6·ΣW²), vanilla SGD, batches of 100, 10 epochs, at lr 1e-6, 1e-5, 1e-4, 1e-3, 3e-3 and 1e6, every "
        "rate on the same seeds (same subset, init and batch order). Inputs as cs231n's loader: raw pixels minus "
        "the training set's mean image. Cost before/after = softmax cost on the whole training subset; validation "
        "on held-out test images. Divergence = a non-finite epoch cost; the 3x rule = an epoch's mean cost above 3x "
        "the cost at initialisation (or non-finite), checked once per epoch. The sweep arm reads each seed's six "
        "runs together: best rate = lowest final validation cost (a non-finite one counts as infinite); 'near the "
        "best' = within 0.1 nats of it. Quick: a 10k class-balanced Fashion-MNIST subset (1000 updates); full: the "
        "whole training set, CIFAR-10 when its archive is here (the lecture's 3072-50-10, 4900 updates)."
    ),
    check="the lecture's net over its rates 1e-6 … 1e6 for 10 epochs; the best rate per seed; the 3× rule",
    base_config={"dataset": "fashion-mnist", "train_size": 10000, "validation_size": 1000, "hidden": 50,
                 "classes": 10, "init_scale": 1e-4, "reg": 1e-6, "batch_size": 100, "epochs": 10,
                 "learning_rate": 1e-6, "mode": "rate", "rates": RATES},
    arms=tuple(Arm(arm_name(rate), {"learning_rate": rate}, f"vanilla SGD at lr {rate:g}") for rate in RATES) + (
        Arm("sweep", {"mode": "sweep"}, "the six rate runs of each seed read together (no training of its own)"),
    ),
    expectations=(
        near("loss-flat-at-1e-6", "lr-1e-6", "loss_change", 0.0, tolerance=0.01,
             size=ours("an equivalence tolerance: 0.01 nats, over 60× the lecture's change 2.302576 → 2.302420 "
                       "(−0.00016, 001) yet under 0.5 % of the starting cost ln 10"),
             statement="at lr 1e-6 the training cost changes by less than 0.01 nats over the 10 epochs "
                       "('loss barely changing')",
             lecture="2.302576 -> 2.302420 (−0.00016) in 10 epochs"),
        count_at_most("nan-at-1e6", "lr-1e6", "diverged_epoch", 1,
                      size=from_lecture("Finished epoch 1 / 10: cost nan, train: 0.091000, val 0.087000, lr "
                                        "1.000000e+06", seed="000, 001, 003"),
                      statement="at lr 1e6 the cost is NaN/inf within the first epoch, on every seed",
                      lecture="'cost nan' at epoch 1"),
        count_at_least("best-rate-in-range", "sweep", "best_in_range", 1,
                       size=from_lecture("Rough range for learning rate we should be cross-validating is somewhere "
                                         "[1e-3 ... 1e-5]", seed="000, 001"),
                       statement="on every seed the rate with the lowest validation cost after 10 epochs lies in "
                                 "[1e-5, 1e-3]",
                       lecture="'Rough range for learning rate we should be cross-validating is somewhere "
                               "[1e-3 ... 1e-5]'"),
        at_least("accuracy-rises-at-1e-6", "lr-1e-6", "val_accuracy_gain", 0.05, null=0.0,
                 size=ours("about half the lecture's rise in validation accuracy at lr 1e-6, val 0.103 → 0.192 "
                           "(+0.089, 000, 001): a reproduction within a factor 2 counts"),
                 statement="at lr 1e-6, with the cost flat, the validation accuracy still rises by more than 0.05 "
                           "over its value at initialisation ('remember this is softmax')",
                 lecture="val accuracy 0.103 (epoch 1) -> 0.192 (epoch 10): 'goes to 20% though'"),
        at_least("lowest-rate-too-low", "sweep", "lowest_rate_gap", 0.5, null=0.0,
                 size=ours("half a nat of validation cost above the best rate: 'too low' as a clear loss, not noise; "
                           "the lecture shows only the flat cost"),
                 statement="'too low': lr 1e-6 ends more than 0.5 nats of validation cost above the best rate",
                 lecture="'Loss barely changing: Learning rate must be too low'"),
        count_at_least("explodes-at-3e-3", "lr-3e-3", "diverged", 1,
                       size=from_lecture("Finished epoch 5 / 10: cost inf … 3e-3 is still too high. Cost explodes....",
                                         seed="000, 001, 004"),
                       statement="at lr 3e-3 the cost turns non-finite within the 10 epochs, on every seed",
                       lecture="'cost inf' at epoch 5: '3e-3 is still too high. Cost explodes'"),
        count_at_most("nan-only-above-best", "sweep", "diverged_at_or_below_best", 0,
                      size=ours("the lecture's 'cost: NaN almost always means high learning rate' (000, 001) read "
                                "strictly: no non-finite run at or below the best rate, on any seed"),
                      statement="'NaN almost always means high learning rate': no run at or below the best rate turns "
                                "non-finite, on every seed",
                      lecture="'cost: NaN almost always means high learning rate'"),
        count_at_most("3x-rule-spares-good-runs", "sweep", "rule_false_stops", 0,
                      size=ours("no false stop on any seed, 'near the best' being within 0.1 nats of validation cost "
                                "(our choice); the factor 3 is the lecture's 'If the cost is ever > 3 * original "
                                "cost, break out early' (000, 001)"),
                      statement="the 3x rule never stops a run that would have ended within 0.1 nats of the best "
                                "validation cost, on every seed",
                      lecture="'If the cost is ever > 3 * original cost, break out early'"),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "validation_size": 200, "epochs": 2},
                        note="500 images, 2 epochs: pipeline check only"),
        "quick": Budget(note="a 10k Fashion-MNIST subset, batches of 100, 10 epochs (1000 updates; the "
                             "lecture made 4900)"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "validation_size": 1000},
                       note="the whole training set (CIFAR-10, the lecture's 3072-50-10 net, when its archive is here; "
                            "else Fashion-MNIST), batches of 100, 10 epochs, as the lecture"),
    },
    run=run,
    plots=(
        PlotSpec(name="cost-per-learning-rate", kind="series", metric="train_loss", log_y=True,
                 title="Training cost per epoch per learning rate (NaN/inf epochs missing); dashed: the lecture",
                 xlabel="epoch", ylabel="mean cost over the epoch's batches (log)",
                 reference=LECTURE_COST),
        PlotSpec(name="train-accuracy-per-learning-rate", kind="series", metric="train_accuracy",
                 title="Training accuracy per epoch per learning rate; dashed: the lecture's printed train accuracy",
                 xlabel="epoch", ylabel="mean accuracy over the epoch's batches", reference=LECTURE_TRAIN_ACCURACY),
        PlotSpec(name="final-val-cost", kind="bar", metric="final_val_loss", log_y=True,
                 title="Validation cost after 10 epochs per learning rate (diverged runs have none)",
                 ylabel="validation cost (log scale)"),
    ),
    summary_metrics=("loss_change", "final_val_loss", "final_val_accuracy", "val_accuracy_gain", "diverged_epoch",
                     "rule_epoch", "best_log10_rate", "rule_false_stops"),
    # 'Loss barely changing: too low'; 'NaN … high learning rate'; the range to search
    primary=("loss-flat-at-1e-6", "nan-at-1e6", "best-rate-in-range"),
)
