"""
Title: Batch norm undoes bad weight scaling and uses moving averages at test time; biased batches hurt
Claim id: bn-extras
Source: seed 004 ("5. Batch Normalization": BN "offsets the effect of Bad Scaling caused by the weights being
        multiplied in again at every layer"; "Regularization의 역할 (Overfitting 방지)" — it plays the role of a
        regularizer, preventing overfitting; at test time the mini-batch mean and std cannot be computed, so "the
        moving averages of the means obtained during training" are used as fixed mean and std); Ioffe & Szegedy
        2015 (Algorithm 2: inference with population statistics).

The lecture lists what batch norm does and gives no number. We check four of its statements, each with
its own experiment, on the shared overfitting setup of batch B (common/overfitting.py) where there is training:

(a) Bad scaling undone. A 10-layer ReLU MLP (width 256, He init, zero biases) whose every kernel is multiplied
    by 0.1, 1 or 10, fed the run's 1000 training images. Without BN, ReLU is positively homogeneous, so the last
    hidden layer's std scales by exactly s^10: 20 decades between ×0.1 and ×10. With BN before each ReLU (the
    same kernels, batch statistics as in a training step) each layer's scale is normalized away: the spread is
    bounded by BN's ε = 1e-3 only. Both are computed, not sampled: exact checks (every seed), the plain net's
    spread above 10 decades, BN's below a factor 1.25. Measured in the `plain` and `bn` arms after their
    training (a separate, untrained net; no extra runs).
(b) Moving averages at test time. After training the BN net, each BN layer's moving_mean and moving_variance
    (Keras momentum 0.99: an exponential average over the last ~100 steps) against the mean and variance of its
    inputs over the whole training set with the final weights (every earlier BN layer normalizing with the whole
    set's statistics too: the population statistics of Ioffe & Szegedy's inference network). Errors: the mean's
    in units of the population std, the variance's relative, averaged over units and layers; tolerance 0.1 each,
    declared before running. The moving averages lag the weights; this measures by how much.
(c) Biased batch statistics hurt. The BN net trained on class-sorted batches (each batch of 100 holds one class,
    the order of batches reshuffled every logged epoch) against shuffled batches: in training each class is
    normalized by its own statistics, at test time by the mixture's; validation accuracy (inference mode) lower by
    more than 5 points. This is why the test-time statistics matter: the lecture's point, seen from the side
    where batch statistics and population statistics differ.
(d) Regularization. BN against no BN on the shared overfitting setup: the train − validation accuracy gap
    narrower by more than 2 points (secondary; it may well not be, here: BN's noise is small at batch 100).

Primary: (a) and (b), the lecture's two statements of what batch norm does — it cancels bad scaling (the first
reason the lecture gives for it) and it replaces batch statistics by moving averages at test time. (c) is our
consequence test; (d), "regularizes", is a side effect in Ioffe & Szegedy's own words, secondary.
"""

import math

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.evaluation import EpochValidation, logits_of, softmax_metrics
from reproductions.common.overfitting import (OVERFIT, OVERFIT_FULL, OVERFIT_SETUP, OVERFIT_SMOKE, OverfitOutcome,
                                               overfit_mlp, overfit_split, train_overfit)
from reproductions.common.training import TrainTimer, capped_schedule, compile_softmax
from reproductions.expect import at_most, exact_above, exact_below, lower, ours

POSITION = 20

SCALE_TOLERANCE = 1.25  # BN's last-hidden std may differ across init scales by at most this factor (exact check)
PLAIN_SPREAD = 10.0  # decades: without BN, ×0.1 against ×10 must differ by more than this (s^10: 20 decades)
MOVING_TOLERANCE = 0.1  # moving mean within 0.1 population std; moving variance within 10 %
# the source of MOVING_TOLERANCE (both moving-average sub-claims)
MOVING_SOURCE = ours("an equivalence tolerance declared before running: 0.1 population std for the moving mean, 10 % "
                     "for the moving variance; neither the lecture (004) nor Ioffe & Szegedy give a number")


class ClassSortedBatches(keras.utils.PyDataset):
    """`passes` passes over (x, y) per epoch in batches that each hold one class (a class's images in a random
    order, cut into batches of at most `batch_size`); the order of the batches is drawn again every epoch."""

    def __init__(self, x, y, batch_size: int, passes: int, seed: int):
        super().__init__()
        self.x, self.y = x, y
        self.batch_size, self.passes = int(batch_size), int(passes)
        self.rng = np.random.default_rng(seed)
        self.order = self._draw()

    def _draw(self):
        batches = []
        for _ in range(self.passes):
            for label in np.unique(self.y):
                members = self.rng.permutation(np.flatnonzero(self.y == label))
                batches += [members[i:i + self.batch_size] for i in range(0, len(members), self.batch_size)]
        return [batches[i] for i in self.rng.permutation(len(batches))]

    def __len__(self):
        return len(self.order)

    def __getitem__(self, index):
        rows = self.order[index]
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.order = self._draw()


def train_class_sorted(model, x, y, validation, config, context, seed) -> OverfitOutcome:
    """train_overfit's schedule (Adam, `epochs` logged epochs of `passes_per_epoch` passes) on class-sorted batches."""
    data = ClassSortedBatches(x, y, config["batch_size"], config["passes_per_epoch"], seed)
    steps, epochs, steps_per_epoch = capped_schedule(len(data), 1, int(config["epochs"]), context.step_cap)
    x_val, y_val = validation
    if steps_per_epoch is not None:
        x_val, y_val = x_val[: context.step_cap * config["batch_size"]], y_val[: context.step_cap * config["batch_size"]]
    compile_softmax(model, keras.optimizers.Adam(config["learning_rate"]), steps)
    images = len(x) * int(config["passes_per_epoch"]) if steps_per_epoch is None else steps_per_epoch * config["batch_size"]
    timer, check = TrainTimer(images), EpochValidation(x_val, y_val)
    history = dict(model.fit(data, epochs=epochs, steps_per_epoch=steps_per_epoch, shuffle=False, verbose=0,
                             callbacks=[timer, check]).history)
    history["val_loss"], history["val_accuracy"] = check.loss, check.accuracy
    seen = x if context.step_cap is None else x[: context.step_cap * config["batch_size"]]
    train_loss, train_accuracy = softmax_metrics(logits_of(model, seen), y[: len(seen)])
    return OverfitOutcome(model, history, train_loss, train_accuracy, timer.scalars())


def scale_check(config, x):
    """Last-hidden activation std of a deep ReLU MLP with every kernel ×s, s in `init_scales`, with or without BN
    (BN with batch statistics, as in a training step), on the images x. The BN net gets the plain net's kernels."""
    deep = {**config, "depth": config["scale_depth"], "width": config["scale_width"]}
    plain = overfit_mlp(deep, x.shape[1])
    kernels = [np.asarray(keras.ops.convert_to_numpy(plain.get_layer(f"dense_{i}").kernel))
               for i in range(deep["depth"])]
    net = overfit_mlp(deep, x.shape[1], batchnorm=True) if config["batchnorm"] else plain
    hidden = keras.Model(net.inputs[0], [net.get_layer(f"relu_{i}").output for i in range(deep["depth"])])
    per_scale = {}
    for scale in config["init_scales"]:
        for i, kernel in enumerate(kernels):
            net.get_layer(f"dense_{i}").kernel.assign(kernel * np.float32(scale))
        outputs = hidden(x, training=True)
        per_scale[scale] = [float(np.std(np.asarray(keras.ops.convert_to_numpy(h), dtype="float64"))) for h in outputs]
    last = [per_scale[s][-1] for s in config["init_scales"]]
    spread = math.log10(max(last) / min(last)) if min(last) > 0 else math.inf
    series = {"last_hidden_std_by_scale": {k + 1: v for k, v in enumerate(last)}}
    for scale in config["init_scales"]:
        series[f"layer_std_x{scale:g}"] = {i + 1: v for i, v in enumerate(per_scale[scale])}
    return {"scale_spread_decades": spread, **{f"last_hidden_std_x{s:g}": v for s, v in zip(config["init_scales"], last)}}, series


def moving_average_check(model, x, depth):
    """Each BN layer's moving mean and variance against its inputs' mean and variance over the whole training set
    x with the final weights (one training-mode pass on all of x: every BN layer normalizes with the whole set's
    statistics). Returns (mean error in population stds, relative variance error), averaged over units and layers.
    The pass updates the moving averages: read them first, and use the model for nothing afterwards."""
    layers = [model.get_layer(f"batchnorm_{i}") for i in range(depth)]
    moving = [(np.asarray(keras.ops.convert_to_numpy(bn.moving_mean), dtype="float64"),
               np.asarray(keras.ops.convert_to_numpy(bn.moving_variance), dtype="float64")) for bn in layers]
    inputs = keras.Model(model.inputs[0], [model.get_layer(f"dense_{i}").output for i in range(depth)])
    outputs = inputs(x, training=True)
    mean_errors, variance_errors = [], []
    for (moving_mean, moving_variance), h in zip(moving, outputs):
        h = np.asarray(keras.ops.convert_to_numpy(h), dtype="float64")
        mean, variance = h.mean(axis=0), h.var(axis=0)
        mean_errors.append(np.abs(moving_mean - mean) / np.sqrt(variance))
        variance_errors.append(np.abs(moving_variance / variance - 1.0))
    return float(np.mean(np.concatenate(mean_errors))), float(np.mean(np.concatenate(variance_errors)))


def run(config, seed, context):
    (x, y), (x_val, y_val) = overfit_split(config, seed, context)
    scalars, series = {}, {}
    model = overfit_mlp(config, x.shape[1], batchnorm=config["batchnorm"])  # first: the arms share initial kernels
    if config["batch_order"] == "class-sorted":
        outcome = train_class_sorted(model, x, y, (x_val, y_val), config, context, seed)
    else:
        outcome = train_overfit(model, (x, y), (x_val, y_val), config, context)
    scalars.update(outcome.scalars())
    series.update(outcome.series())
    if context.step_cap is not None:  # a shape check: the checks below on as many images as the steps see
        x = x[: context.step_cap * config["batch_size"]]
    if config["scale_check"]:  # a separate deep net, after training (it draws its own kernels)
        checked, checked_series = scale_check(config, x)
        scalars.update(checked)
        series.update(checked_series)
    if config["batchnorm"]:
        scalars["moving_mean_error"], scalars["moving_variance_error"] = moving_average_check(
            model, x, int(config["depth"]))
    return ArmResult(scalars=scalars, series=series,
                     notes=f"val {outcome.val_accuracy:.3f}, gap {scalars['gap']:.3f}"
                           + (f", scale spread {scalars['scale_spread_decades']:.3g} decades" if config["scale_check"] else ""))


CLAIM = Claim(
    id="bn-extras",
    title="Batch norm undoes bad weight scaling and uses moving averages at test time; biased batches hurt",
    statement=("Batch norm 'offsets the effect of Bad Scaling caused by the weights being multiplied at every layer'; "
               "it plays 'the role of Regularization (prevents overfitting)'; 'at test time the mini-batch mean and "
               "variance cannot be computed, so the moving averages of the means obtained during training are used as "
               "a fixed mean and std' (004, in Korean)."),
    source="004 '5. Batch Normalization'; Ioffe & Szegedy 2015 (Algorithm 2, population statistics at inference)",
    lecture_number="no number: 004 lists BN's roles (cancels bad scaling, regularizes, less dependence on init, "
                   "moving averages at test time)",
    setup=(OVERFIT_SETUP + ". BN arms: BatchNormalization (Keras defaults: momentum 0.99, ε = 1e-3) between each "
           "Dense (no bias) and its ReLU. Scale check (in the plain and BN arms, after their training, on a separate untrained net): a 10-layer 256-wide "
           "ReLU MLP (He init, zero biases) with every kernel ×0.1, ×1, ×10 (the BN net with the same kernels, batch "
           "statistics) on the run's 1000 training images; the last hidden layer's activation std. Moving averages: "
           "after training, against each BN layer's input mean and variance over the whole training set (one "
           "training-mode pass on it, final weights). Class-sorted: batches of 100 images of one class, their order "
           "reshuffled every logged epoch, as many steps as the shuffled arm."),
    check="a 10-layer net's last activation std across init ×0.1/×1/×10 with and without BN; moving averages against population statistics; class-sorted batches; the gap with and without BN",
    base_config={**OVERFIT, "batchnorm": False, "batch_order": "shuffled", "scale_check": True, "scale_depth": 10,
                 "scale_width": 256, "init_scales": (0.1, 1.0, 10.0)},
    arms=(
        Arm("plain", {}, "the shared overfitting MLP, no batch norm (and the plain deep net's scale check)"),
        Arm("bn", {"batchnorm": True}, "the same with batch norm before each ReLU, shuffled batches (and the BN "
                                       "deep net's scale check)"),
        Arm("bn-class-sorted", {"batchnorm": True, "batch_order": "class-sorted", "scale_check": False},
            "batch norm, each batch one class"),
    ),
    expectations=(
        exact_below("bn-undoes-bad-scaling", "bn", "scale_spread_decades", math.log10(SCALE_TOLERANCE),
                    size=ours("a computed fact's bound: with BN each layer's scale is normalized away and only BN's "
                              "ε = 1e-3 is left to tell ×0.1 from ×10, so a factor 1.25 leaves room; the lecture "
                              "('offsets the effect of Bad Scaling', 004) gives no number"),
                    statement="with BN the last hidden layer's std stays within a factor 1.25 across kernels ×0.1, "
                              "×1, ×10 (10 layers)",
                    lecture="BN 'offsets the effect of Bad Scaling' from the weights multiplied at every layer"),
        exact_above("plain-scale-compounds", "plain", "scale_spread_decades", PLAIN_SPREAD,
                    size=ours("a computed fact: ReLU is positively homogeneous, so 10 layers scale the std by exactly "
                              "s^10, 20 decades between ×0.1 and ×10; the bound is half that"),
                    statement="without BN the last hidden layer's std spans more than 10 decades across ×0.1 … ×10 "
                              "(ReLU: exactly s^10, 20 decades)",
                    lecture="the bad scaling BN is there to offset"),
        at_most("moving-mean-matches-population", "bn", "moving_mean_error", MOVING_TOLERANCE,
                size=MOVING_SOURCE,
                statement="each BN layer's moving mean is within 0.1 population std of its inputs' mean over the "
                          "training set (average over units and layers)",
                lecture="test time uses 'the moving averages … obtained during training' as the fixed mean"),
        at_most("moving-variance-matches-population", "bn", "moving_variance_error", MOVING_TOLERANCE,
                size=MOVING_SOURCE,
                statement="each BN layer's moving variance is within 10 % of its inputs' variance over the training "
                          "set (average over units and layers)",
                lecture="… as the fixed std"),
        lower("bn-regularizes", "bn", "gap", than="plain", by=0.02,
              size=ours("2 points of train − validation accuracy gap, a narrowing worth calling regularization; the "
                        "lecture ('Regularization의 역할', 004) gives no size"),
              statement="BN narrows the train − validation accuracy gap (by > 2 points)",
              lecture="'Regularization의 역할 (Overfitting 방지)': BN acts as a regularizer"),
        lower("class-sorted-batches-hurt", "bn-class-sorted", "val_accuracy", than="bn", by=0.05,
              size=ours("5 points of validation accuracy, a clear harm; our own consequence test, for which the "
                        "lecture gives no number"),
              statement="class-sorted batches (biased batch statistics) lower validation accuracy in inference "
                        "mode (by > 5 points)",
              lecture="training normalizes with batch statistics, test time with moving averages"),
    ),
    budgets={
        "smoke": Budget(overrides=OVERFIT_SMOKE, note="200 images, 2 epochs: pipeline check only"),
        "quick": Budget(note="the shared setup: 1000 images, 40 passes; scale check on the 1000 images"),
        "full": Budget(overrides=OVERFIT_FULL,
                       note="the shared full setup (CIFAR-10 if its archive is here, else Fashion-MNIST; 6000 images, "
                            "3×1024, 40 epochs, the whole test set); scale check on the 6000 images (a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="last-hidden-std-vs-scale", kind="series", metric="last_hidden_std_by_scale", log_y=True,
                 title="10-layer ReLU MLP: last hidden layer's std vs kernel scale, without and with BN",
                 xlabel="kernel scale (1: ×0.1, 2: ×1, 3: ×10)", ylabel="activation std (layer 10)"),
        PlotSpec(name="layer-std-x10", kind="series", metric="layer_std_x10", log_y=True,
                 title="Activation std per layer, every kernel ×10", xlabel="layer", ylabel="activation std"),
        PlotSpec(name="validation-accuracy", kind="bar", metric="val_accuracy",
                 title="Validation accuracy (inference mode) per arm (mean, 95% CI)", ylabel="validation accuracy"),
        PlotSpec(name="gap", kind="bar", metric="gap", title="Train − validation accuracy gap per arm (mean, 95% CI)",
                 ylabel="accuracy gap"),
        PlotSpec(name="validation-accuracy-curve", kind="series", metric="val_accuracy_curve",
                 title="Validation accuracy per logged epoch (2 passes)", xlabel="logged epoch",
                 ylabel="validation accuracy"),
    ),
    summary_metrics=("train_accuracy", "val_accuracy", "gap", "val_loss", "moving_mean_error", "moving_variance_error",
                     "scale_spread_decades"),
    # the lecture's two statements of what BN does: it cancels bad scaling, and test time uses moving averages
    primary=("bn-undoes-bad-scaling", "moving-mean-matches-population", "moving-variance-matches-population"),
)
