"""
Title: Big train-val gap: regularize more; no gap: add capacity (each cure helps where prescribed)
Claim id: gap-diagnosis
Source: seeds 001 and 004 ("Monitor and visualize the accuracy: big gap = overfitting => increase
        regularization strength; no gap => increase model capacity"), 003 ("High difference =
        overfitting ☞ Increasing the regularization's intense? No difference ☞ Increasing the model's
        capacity?"); 004 adds that with no gap the training set may also be too small.

The lecture reads the training and validation accuracy curves and prescribes a cure: a big gap means
overfitting, so regularize more; no gap means the model is too small, so give it more capacity. That is
a claim about which cure works where: in an overfitting regime more regularization should help more than
more capacity, and in an underfitting regime the other way round.

What we check. Two regimes, each with the same two cures, on paired seeds (same subsets, same initial
weights where the shapes agree):
- big gap: a 784-128-10 ReLU MLP on 1000 Fashion-MNIST images, trained (Adam) long enough to memorise them;
- no gap: a 784-8-10 ReLU MLP on 10,000 images, too small to memorise them.
In each regime: the unregularized base net; one more-L2 arm (L2 1e-3 on every kernel: Keras'
regularizers, λ·ΣW²); one wider arm (4× the hidden units, no L2). The cures, the strength and the factor are
fixed before any run, the same in both regimes. Validation accuracy on held-out test images is the metric;
the gap is training accuracy (measured after training) minus validation accuracy. Losses are the data loss
(softmax cross-entropy) alone: Keras' val_loss would add the L2 penalty to the regularized arm's.

Sub-claims (paired per seed, margins fixed beforehand): in the big-gap regime more L2 beats widening by
more than 1 point of validation accuracy; in the no-gap regime widening beats more L2 by more than 1 point
(the two primaries). Secondary: in the big-gap regime L2 raises validation accuracy over the base (by > 1
point) and lowers the final validation loss more than widening does (by > 0.05); in the no-gap regime
widening raises validation accuracy over the base (by > 1 point) and L2 does not help (it gains less than
0.5 point); and the regimes are what they are called: the big-gap base's gap exceeds 10 points, the
no-gap base's is under 3 points.
"""

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_split
from reproductions.common.evaluation import fit_validated, logits_of, softmax_metrics
from reproductions.common.models import initializer
from reproductions.common.training import per_epoch
from reproductions.expect import at_least, at_most, higher, not_higher, ours

POSITION = 60  # its place in the babysitting topic

MORE_L2 = 1e-3  # "increase regularization strength": from none to λ = 1e-3 (λ·ΣW² on every kernel)
# the source of the cures' 1-point margins
ONE_POINT = ours("1 point of validation accuracy, fixed before any run: a gain worth choosing a cure for; the lecture "
                 "('big gap = overfitting => increase regularization strength', 001) gives no size")


def build(config, input_dim):
    """784-H-10 ReLU MLP, H the regime's width (times `widen` for the wider arm), L2 on every kernel."""
    big = config["regime"] == "big-gap"
    width = config["big_gap_width"] if big else config["no_gap_width"]
    width *= config["widen"] if config["wider"] else 1
    l2 = keras.regularizers.L2(config["l2"]) if config["l2"] else None
    return keras.Sequential([
        keras.Input((input_dim,)),
        keras.layers.Dense(width, activation="relu", kernel_initializer=initializer("relu"), kernel_regularizer=l2),
        keras.layers.Dense(10, kernel_initializer=initializer("linear"), kernel_regularizer=l2, dtype="float32"),
    ])


def run(config, seed, context):
    big = config["regime"] == "big-gap"
    train_size = config["small_train_size"] if big else config["train_size"]
    (x, y), (x_val, y_val) = image_split(config["dataset"], train_size, config["validation_size"], seed,
                                         context.data_dir, validation_pool=context.validation_pool)
    model = build(config, x.shape[1])
    # the small set's many passes are logged (and validated) a few passes at a time: one Keras epoch holds
    # `passes_per_epoch` copies of the set, shuffled together (Keras' per-epoch overhead dwarfs 10 steps)
    passes = config["passes_per_epoch"] if big else 1
    fit = fit_validated(model, np.tile(x, (passes, 1)), np.tile(y, passes), (x_val, y_val),
                        optimizer=keras.optimizers.Adam(config["learning_rate"]), batch_size=config["batch_size"],
                        epochs=config["small_epochs"] if big else config["epochs"], step_cap=context.step_cap)
    history = fit.history
    # the finished net on its training images, measured as the validation is: the data loss (no L2 term)
    seen = x if context.step_cap is None else x[: context.step_cap * config["batch_size"]]
    train_loss, train_accuracy = softmax_metrics(logits_of(model, seen), y[: len(seen)])
    val_accuracy, val_loss = history["val_accuracy"][-1], history["val_loss"][-1]
    return ArmResult(
        scalars={"train_accuracy": train_accuracy, "train_loss": train_loss, "val_accuracy": val_accuracy,
                 "val_loss": val_loss, "gap": train_accuracy - val_accuracy,
                 "best_val_accuracy": float(max(history["val_accuracy"])), "n_train": float(len(x)),
                 "passes": float(passes * len(history["loss"])), **fit.throughput},
        series={"train_accuracy_curve": per_epoch(history["accuracy"]),
                "val_accuracy_curve": per_epoch(history["val_accuracy"])},
        notes=f"train {train_accuracy:.3f}, val {val_accuracy:.3f}, gap {train_accuracy - val_accuracy:.3f}")


CLAIM = Claim(
    id="gap-diagnosis",
    title="Big train-val gap: regularize more; no gap: add capacity (each cure helps where prescribed)",
    statement=("'Monitor and visualize the accuracy: big gap = overfitting => increase regularization strength; "
               "no gap => increase model capacity' (001, 004); 'High difference = overfitting ☞ Increasing the "
               "regularization's intense? No difference ☞ Increasing the model's capacity?' (003)."),
    source="001 and 004 'Monitor and visualize the accuracy'; 003 'Monitoring and plotting the change of the cost "
           "function'",
    lecture_number="no number: two pictures of training/validation accuracy curves, one with a big gap, one with none",
    setup=("Fashion-MNIST, standardized, one-hidden-layer ReLU MLPs (He init), Adam 1e-3. Big-gap regime: 784-128-10 "
           "on 1000 class-balanced training images, batch 100, 40 passes (it memorises them; logged and validated "
           "every 5 passes). No-gap regime: 784-8-10 on 10,000 images, batch 100, 3 passes. In each regime three "
           "arms: base (no regularization), more L2 (Keras L2 1e-3 on both kernels), wider (4× the hidden units: "
           "512 and 32). Validation: 2000 held-out test images; training accuracy measured after training; losses "
           "are the softmax cross-entropy alone (no L2 term). Arms share seeds (same subsets)."),
    check='a big-gap and a no-gap regime, each with a more-L2 and a wider arm',
    base_config={"dataset": "fashion-mnist", "regime": "big-gap", "train_size": 10000, "small_train_size": 1000,
                 "validation_size": 2000, "big_gap_width": 128, "no_gap_width": 8, "widen": 4, "wider": False,
                 "l2": 0.0, "learning_rate": 1e-3, "batch_size": 100, "epochs": 3, "small_epochs": 8,
                 "passes_per_epoch": 5},
    arms=(
        Arm("big-gap-base", {"regime": "big-gap"}, "784-128-10 on 1000 images, no regularization"),
        Arm("big-gap-more-l2", {"regime": "big-gap", "l2": MORE_L2}, "the same with L2 1e-3"),
        Arm("big-gap-wider", {"regime": "big-gap", "wider": True}, "784-512-10 on 1000 images"),
        Arm("no-gap-base", {"regime": "no-gap"}, "784-8-10 on 10,000 images, no regularization"),
        Arm("no-gap-more-l2", {"regime": "no-gap", "l2": MORE_L2}, "the same with L2 1e-3"),
        Arm("no-gap-wider", {"regime": "no-gap", "wider": True}, "784-32-10 on 10,000 images"),
    ),
    expectations=(
        # the no-gap primary first: the placebo (A/A) re-runs the baseline of the first primary, here the small net
        higher("no-gap-capacity-beats-l2", "no-gap-wider", "val_accuracy", than="no-gap-more-l2", by=0.01,
               size=ONE_POINT,
               statement="no gap: widening raises validation accuracy more than L2 does (by > 1 point)",
               lecture="'no gap => increase model capacity'"),
        higher("big-gap-l2-beats-capacity", "big-gap-more-l2", "val_accuracy", than="big-gap-wider", by=0.01,
               size=ONE_POINT,
               statement="big gap: L2 raises validation accuracy more than widening does (by > 1 point)",
               lecture="'big gap = overfitting => increase regularization strength'"),
        higher("big-gap-l2-helps", "big-gap-more-l2", "val_accuracy", than="big-gap-base", by=0.01,
               size=ONE_POINT,
               statement="big gap: L2 raises validation accuracy over the unregularized net (by > 1 point)",
               lecture="'increase regularization strength'"),
        higher("big-gap-l2-lowers-val-loss-more", "big-gap-wider", "val_loss", than="big-gap-more-l2", by=0.05,
               size=ours("0.05 nats of validation loss, fixed before any run; the lecture gives no size"),
               statement="big gap: L2 lowers the final validation loss more than widening does (by > 0.05)",
               lecture="'big gap = overfitting'"),
        higher("no-gap-capacity-helps", "no-gap-wider", "val_accuracy", than="no-gap-base", by=0.01,
               size=ONE_POINT,
               statement="no gap: widening raises validation accuracy over the base net (by > 1 point)",
               lecture="'increase model capacity'"),
        not_higher("no-gap-l2-does-not-help", "no-gap-more-l2", "val_accuracy", than="no-gap-base", by=0.005,
                   size=ours("a non-inferiority margin fixed before any run: half a point of validation accuracy, "
                             "half the 1 point the prescribed cures must gain"),
                   statement="no gap: L2 does not raise validation accuracy (it gains less than 0.5 point)",
                   lecture="regularization is the cure for a gap, not for its absence"),
        at_least("big-gap-regime-has-a-big-gap", "big-gap-base", "gap", 0.1,
                 size=ours("a manipulation check: a train − validation gap above 10 points is what we call 'big'; the "
                           "lecture's picture has no scale"),
                 statement="the big-gap regime's base net has a big gap (train − val accuracy > 10 points)",
                 lecture="'big gap = overfitting' (the picture: training accuracy far above validation)"),
        at_most("no-gap-regime-has-no-gap", "no-gap-base", "gap", 0.03,
                size=ours("a manipulation check: a train − validation gap under 3 points counts as 'no gap'; the "
                          "lecture's picture has no scale"),
                statement="the no-gap regime's base net has no gap (train − val accuracy < 3 points)",
                lecture="'no gap' (the picture: the two curves together)"),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "small_train_size": 200, "validation_size": 200,
                                   "epochs": 1, "small_epochs": 2, "passes_per_epoch": 1},
                        note="a few hundred images, 1–2 epochs: pipeline check only"),
        "quick": Budget(note="1000 images × 40 passes (big gap), 10,000 images × 3 passes (no gap), batch 100"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "small_train_size": 2000,
                                  "validation_size": None, "big_gap_width": 512, "small_epochs": 20,
                                  "epochs": 20},
                       note="CIFAR-10 if its archive is here, else Fashion-MNIST: no gap: 8 hidden units on the whole "
                            "training set, 20 epochs; big gap: 512 hidden units (2048 wider) on 2000 images, 100 "
                            "passes; the whole test set as validation (a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="validation-accuracy", kind="bar", metric="val_accuracy",
                 title="Final validation accuracy per arm (mean, 95% CI)", ylabel="validation accuracy"),
        PlotSpec(name="gap", kind="bar", metric="gap", title="Train − validation accuracy gap per arm (mean, 95% CI)",
                 ylabel="accuracy gap"),
        PlotSpec(name="validation-accuracy-curve", kind="series", metric="val_accuracy_curve",
                 title="Validation accuracy per logged epoch (mean, min–max over seeds)",
                 xlabel="logged epoch (big gap: 5 passes over its 1000 images; no gap: 1 pass)",
                 ylabel="validation accuracy"),
        PlotSpec(name="training-accuracy-curve", kind="series", metric="train_accuracy_curve",
                 title="Training accuracy per logged epoch (running, as Keras logs it)",
                 xlabel="logged epoch (big gap: 5 passes over its 1000 images; no gap: 1 pass)",
                 ylabel="training accuracy"),
    ),
    summary_metrics=("train_accuracy", "val_accuracy", "gap", "val_loss"),
    primary=("big-gap-l2-beats-capacity", "no-gap-capacity-beats-l2"),
)
