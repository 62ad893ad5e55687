"""
Title: By the end of a trained CNN the classes are linearly separable: linear probes gain with depth
Claim id: linear-separability
Source: seed 002 (CNN architecture: "Key: perform enough processing so that by the time you get to the
        end of the network, the classes are linearly separable").

The lecture gives no number: the claim is that the stack of conv / pool layers exists to turn the
pixels into features a linear classifier can separate. We read it with linear probes (Alain & Bengio
2016): a softmax regression fitted on the frozen features of each layer of a small CNN, scored on
held-out images. If the claim holds, the probe on the last hidden layer of a TRAINED net separates the
classes clearly better than the probe on the raw pixels, and clearly better than the same probe on the
same architecture left at its random initialisation (so the gain comes from what training learnt, not
from the architecture's shape or width alone). Probe accuracy rising layer by layer is the lecture's
"enough processing" picture, reported as a secondary finding.

Cheapest design that still answers the question: Fashion-MNIST is not linearly separable from its
pixels (a softmax regression reaches ~80 %), so there is room to gain; a two-block CNN
(Conv3×3 16 → pool, Conv3×3 32 → pool, Dense 64 ReLU, Dense 10) trained a few epochs on 2000 images
is the smallest "network" with several processing stages. All four probes (pixels 784, block 1 3136,
block 2 1568, dense 64) use ONE compiled Dense(10) on features zero-padded to the widest layer's width
(a zero column with zero weight gets no gradient, so padding does not change the fit); its weights and
Adam state are reset between probes. Each layer's features are standardised with the probe training
set's per-feature mean and std, so every probe gets the same optimizer setting.

Disclosure: after timing one quick seed, whose probe accuracies they saw, this module's author changed the
probe's batch size and number of epochs (to the base config's batch 100 and 20 epochs; the earlier values
were not recorded) to cut its cost, nothing else; the margins, nulls and primary sub-claims had been fixed before.
History, in the open (issue 20): the judged discovery run with 20 probe epochs took 96.6 s at quick on the 2-core
machine (`bench_quick`, alone), over the 90 s every claim must decide in. Its verdicts, on seeds 0-4: INCONCLUSIVE
(last-layer-beats-pixels +0.8 points [-0.3, +1.8]; training-makes-separable REPRODUCED, +9.7 points;
separability-rises-with-depth NOT REPRODUCED, 0 of 5 seeds monotone); the same with oneDNN off. The probes were
then cut to 10 epochs (half the probe cost; a new definition hash for every sub-claim), nothing else changed,
and the claim was run again: discovery, confirmation on fresh seeds and oneDNN off (docs/verdicts-cpu.md).
"""

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_split
from reproductions.common.sgd_runs import reset_optimizer
from reproductions.common.training import capped_schedule, compile_softmax, fit_epochs
from reproductions.expect import at_least, higher, ours, rate_at_least

POSITION = 40

LAYERS = ("input", "block1", "block2", "dense64")  # probe positions, series steps 1..4

# Where the numbers come from (issue 32): the lecture gives none; the margin is ours, fixed before any run.
GAIN_SIZE = ours("a gain of more than 2 points of linear-probe accuracy read as 'more separable'; the lecture gives "
                 "no number")


def build_cnn(input_shape):
    """The small CNN and a model returning its probed features (flattened): block 1, block 2, dense 64."""
    inputs = keras.Input(input_shape)
    block1 = keras.layers.MaxPooling2D(2)(keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inputs))
    block2 = keras.layers.MaxPooling2D(2)(keras.layers.Conv2D(32, 3, padding="same", activation="relu")(block1))
    hidden = keras.layers.Dense(64, activation="relu")(keras.layers.Flatten()(block2))
    logits = keras.layers.Dense(10, dtype="float32")(hidden)
    model = keras.Model(inputs, logits)
    features = keras.Model(inputs, [keras.layers.Flatten()(block1), keras.layers.Flatten()(block2), hidden])
    return model, features


def standardize(train, val):
    """Per-feature standardisation with the probe training set's statistics (a constant feature -> 0)."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 1e-8, std, 1.0)
    return ((train - mean) / std).astype("float32"), ((val - mean) / std).astype("float32")


def pad(features, width):
    return np.pad(features, ((0, 0), (0, width - features.shape[1])))


class LinearProbe:
    """One compiled softmax regression reused for every layer: zero weights and a fresh Adam per fit."""

    def __init__(self, width, rate, batch_size, epochs, n, step_cap):
        self.rate, self.batch_size = rate, batch_size
        steps, self.epochs, self.steps_per_epoch = capped_schedule(n, batch_size, epochs, step_cap)
        self.model = keras.Sequential([keras.Input((width,)), keras.layers.Dense(10, dtype="float32")])
        self.optimizer = keras.optimizers.Adam(rate)
        compile_softmax(self.model, self.optimizer, steps)

    def accuracy(self, x, y, x_val, y_val):
        for weight in self.model.weights:
            weight.assign(np.zeros(weight.shape, dtype="float32"))
        reset_optimizer(self.optimizer)  # zeroes the step count and moments, and the learning rate too:
        self.optimizer.learning_rate.assign(self.rate)  # so set the rate again
        self.model.fit(x, y, batch_size=self.batch_size, epochs=self.epochs, steps_per_epoch=self.steps_per_epoch,
                       shuffle=True, verbose=0)
        logits = self.model.predict(x_val, batch_size=1024, verbose=0)
        return float(np.mean(np.argmax(logits, axis=1) == y_val))


def run(config, seed, context):
    (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                         context.data_dir, flat=False, validation_pool=context.validation_pool)
    model, features = build_cnn(x.shape[1:])
    scalars = {}
    if config["trained"]:
        fit = fit_epochs(model, x, y, (x_val, y_val), optimizer=keras.optimizers.Adam(config["learning_rate"]),
                         batch_size=config["batch_size"], epochs=config["epochs"], step_cap=context.step_cap)
        scalars["cnn_val_accuracy"] = float(fit.history["val_accuracy"][-1])
    if context.step_cap is not None:  # a shape check: probe on as many images as the capped steps read
        keep = context.step_cap * config["probe_batch_size"]
        x, y, x_val, y_val = x[:keep], y[:keep], x_val[:keep], y_val[:keep]
    layer_features = {}
    for name, inputs in (("train", x), ("val", x_val)):
        outputs = features.predict(inputs, batch_size=1024, verbose=0)
        layer_features[name] = [inputs.reshape(len(inputs), -1)] + [np.asarray(o) for o in outputs]
    width = max(f.shape[1] for f in layer_features["train"])
    probe = LinearProbe(width, config["probe_learning_rate"], config["probe_batch_size"], config["probe_epochs"],
                        len(x), context.step_cap)
    accuracies = []
    for train_f, val_f in zip(layer_features["train"], layer_features["val"]):
        train_f, val_f = standardize(train_f, val_f)
        accuracies.append(probe.accuracy(pad(train_f, width), y, pad(val_f, width), y_val))
    scalars.update({f"probe_{name}": acc for name, acc in zip(LAYERS, accuracies)})
    scalars["gain_over_input"] = accuracies[-1] - accuracies[0]
    scalars["monotonic"] = float(all(b > a for a, b in zip(accuracies, accuracies[1:])))
    return ArmResult(scalars=scalars, series={"probe_accuracy": dict(enumerate(accuracies, start=1))},
                     notes="probe accuracy " + ", ".join(f"{n} {a:.3f}" for n, a in zip(LAYERS, accuracies)))


CLAIM = Claim(
    id="linear-separability",
    title="By the end of a trained CNN the classes are linearly separable: linear probes gain with depth",
    statement=("'Key: perform enough processing so that by the time you get to the end of the network, the classes are "
               "linearly separable'"),
    source="002 'CNN architectures: Key: … by the time you get to the end of the network, the classes are linearly separable'",
    lecture_number="no number: the last layer's features are linearly separable (a linear classifier suffices there)",
    setup=("CNN: Conv3×3 16 (ReLU) → 2×2 max-pool → Conv3×3 32 (ReLU) → 2×2 max-pool → Dense 64 ReLU → Dense 10; Adam 1e-3, "
           "batch 50, 5 epochs on 2000 class-balanced Fashion-MNIST training images (`trained`), or the same net at its "
           "random (Glorot) initialisation, same seed, not trained (`untrained`). Linear probes: a softmax regression "
           "(Keras Dense 10, from zero weights, Adam 1e-3, batch 100, 10 epochs) on the standardised features of each layer "
           "(1 input pixels 784, 2 block-1 output 3136, 3 block-2 output 1568, 4 dense-64 output 64), fitted on the same "
           "2000 training images and scored on 1000 held-out test images; one compiled probe on features zero-padded to "
           "3136 columns, its weights and Adam state reset between layers. Paired seeds."),
    check="a linear probe on each layer's features of a trained CNN against the same net untrained",
    base_config={"dataset": "fashion-mnist", "trained": True, "train_size": 2000, "validation_size": 1000,
                 "batch_size": 50, "epochs": 5, "learning_rate": 1e-3,
                 "probe_batch_size": 100, "probe_epochs": 10, "probe_learning_rate": 1e-3},
    arms=(
        Arm("trained", {"trained": True}, "the CNN trained 5 epochs, probed layer by layer"),
        Arm("untrained", {"trained": False}, "the same CNN at its random initialisation, probed layer by layer"),
    ),
    expectations=(
        at_least("last-layer-beats-pixels", "trained", "gain_over_input", 0.02, null=0.0,
                 statement="in the trained CNN a linear probe on the last hidden layer is more accurate than one on "
                           "the pixels (by > 2 points)",
                 lecture="'by the time you get to the end of the network, the classes are linearly separable'",
                 size=GAIN_SIZE),
        higher("training-makes-separable", "trained", "probe_dense64", than="untrained", by=0.02,
               statement="the last-layer probe of the trained CNN beats the same probe on the untrained CNN "
                         "(by > 2 points): training, not the architecture alone, makes the classes separable",
               lecture="'perform enough processing' (learnt processing)",
               size=GAIN_SIZE),
        rate_at_least("separability-rises-with-depth", "trained", "monotonic", 0.5,
                      statement="in most seeds the probe accuracy rises at every layer (pixels < block 1 < block 2 < "
                                "dense 64)",
                      lecture="'enough processing' layer after layer",
                      size=ours("'in most seeds': more than half of them; the lecture gives no rate")),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 300, "validation_size": 200, "epochs": 1, "probe_epochs": 2},
                        note="300 images, 1 epoch, 2 probe epochs: pipeline check only"),
        "quick": Budget(note="2000 images, 5 epochs; probes 10 epochs, scored on 1000 test images"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "validation_size": None, "epochs": 10,
                                  "batch_size": 128, "probe_batch_size": 256, "probe_epochs": 20},
                       note="the whole training set (CIFAR-10 if its archive is here, else Fashion-MNIST), 10 epochs; "
                            "probes 20 epochs at batch 256 on all training images, scored on the whole test set"),
    },
    run=run,
    plots=(
        PlotSpec(name="probe-accuracy-by-layer", kind="series", metric="probe_accuracy",
                 title="Linear-probe test accuracy per layer (1 pixels, 2 block 1, 3 block 2, 4 dense 64)",
                 xlabel="layer (1 = input pixels, 4 = dense 64)", ylabel="linear-probe test accuracy"),
        PlotSpec(name="last-layer-probe", kind="bar", metric="probe_dense64",
                 title="Linear-probe accuracy on the last hidden layer (mean, 95% CI)", ylabel="test accuracy"),
    ),
    summary_metrics=("probe_input", "probe_block1", "probe_block2", "probe_dense64", "gain_over_input", "monotonic",
                     "cnn_val_accuracy"),
    primary=("last-layer-beats-pixels", "training-makes-separable"),
)
