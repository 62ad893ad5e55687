"""
Title: Stacks of 3×3 convs see as far as one 5×5/7×7 with fewer parameters, and are as accurate
Claim id: small-kernel-stacks
Source: seed 000 ("Use stacks of small (3×3) conv. layers — in most cases, the only kernel size you
        need; two 3×3 layers – 5×5 field; three 3×3 layers – 7×7 field; Less parameters than a single
        layer with a large kernel"); Simonyan & Zisserman 2014 (VGG).

VGG: three stacked 3×3 layers have a 7×7 receptive field with 27C² weights against 49C² for one 7×7
layer; replacing pairs of 3×3 layers with one 5×5 raised top-1 error.

Three parts, each its own sub-verdicts:
  1. exact: parameter counts of Keras Conv2D blocks with C channels in and out (two 3×3 vs one 5×5,
     three 3×3 vs one 7×7), against 18C²/25C² and 27C²/49C² plus biases, and multiply-adds per output
     position;
  2. measured, not assumed: the receptive field, as the nonzero region of the gradient of one central
     output unit with respect to the input, with and without ReLU between the layers;
  3. empirical: validation accuracy of a small CNN built from two-3×3 blocks against the same CNN built
     from 5×5 blocks, and from three-3×3 blocks against 7×7 blocks, at equal channels, epochs and
     seeds. The honest test is non-inferiority: the stack is at least as accurate (within 1 point)
     with fewer parameters.
"""

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_split
from reproductions.common.probes import GradientProbe, read_gradients
from reproductions.common.training import fit_epochs, per_epoch
from reproductions.expect import exact_below, exactly, from_lecture, higher, not_lower, ours

# block name -> (kernel size, number of layers)
BLOCKS = {"3x3x2": (3, 2), "5x5": (5, 1), "3x3x3": (3, 3), "7x7": (7, 1)}

# where the sizes come from (issue 32)
FEWER_PARAMS_SOURCE = from_lecture("Less parameters than a single layer with a large kernel", seed="000")
NON_INFERIORITY_SOURCE = ours(
    "a non-inferiority margin fixed before running: 1 point of validation accuracy, 'the only kernel size you need' "
    "(000) read as 'not worse by more than 1 point', with fewer parameters; the lecture gives no number")


def block_layers(name, channels, activation):
    kernel, depth = BLOCKS[name]
    return [keras.layers.Conv2D(channels, kernel, padding="same", activation=activation) for _ in range(depth)]


def count_params(name, channels):
    model = keras.Sequential([keras.Input((16, 16, channels)), *block_layers(name, channels, None)])
    return model.count_params()


def receptive_field(name, channels, activation, seed, size=21, batch=32):
    """Side of the bounding box of the nonzero input gradient of the central output position (all its
    channels), over a batch of random inputs.

    Every channel of a position has the same field, so all are read: with ReLU a single channel can be
    dead for every input (fed the previous ReLU's non-negative outputs, a unit whose weights sum below
    zero mostly is; channel 0 alone was, at 3 seeds in 60), and then it shows no field at all."""
    inputs = keras.Input((size, size, channels))
    probe = GradientProbe(batch)
    x = probe(inputs)
    for layer in block_layers(name, channels, activation):
        x = layer(x)
    model = keras.Model(inputs, x)
    data = np.random.default_rng(seed).standard_normal((batch, size, size, channels)).astype("float32")
    upstream = np.zeros((batch, size, size, channels), dtype="float32")
    upstream[:, size // 2, size // 2, :] = 1.0  # d(central position)/d(input)
    (gradient,) = read_gradients(model, [probe], data, upstream)
    magnitude = np.abs(gradient).sum(axis=(0, 3))
    rows, cols = np.nonzero(magnitude)
    if not len(rows):  # every channel inactive for every input: no gradient, no measured field
        return 0, 0, 0.0
    centre = magnitude[size // 2 - 1: size // 2 + 2, size // 2 - 1: size // 2 + 2].sum() / magnitude.sum()
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1), float(centre)


def structure(config, seed):
    c = config["channels"]
    counts = {name: count_params(name, c) for name in BLOCKS}
    formula = {"3x3x2": 18 * c * c + 2 * c, "5x5": 25 * c * c + c, "3x3x3": 27 * c * c + 3 * c, "7x7": 49 * c * c + c}
    scalars = {f"params_{name}": float(n) for name, n in counts.items()}
    scalars["max_count_error"] = float(max(abs(counts[n] - formula[n]) for n in BLOCKS))
    scalars["param_ratio_3x3x2_vs_5x5"] = counts["3x3x2"] / counts["5x5"]
    scalars["param_ratio_3x3x3_vs_7x7"] = counts["3x3x3"] / counts["7x7"]
    for name, (kernel, depth) in BLOCKS.items():  # multiply-adds per output position, all C output channels
        scalars[f"macs_per_position_{name}"] = float(depth * kernel * kernel * c * c)
    for name in BLOCKS:
        for activation in (None, "relu"):
            rows, cols, centre = receptive_field(name, c, activation, seed)
            suffix = f"{name}_{activation or 'linear'}"
            scalars[f"rf_{suffix}"] = float(max(rows, cols))
            scalars[f"centre_mass_{suffix}"] = centre
    return ArmResult(scalars=scalars)


def run(config, seed, context):
    if config["mode"] == "structure":
        return structure(config, seed)
    (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                         context.data_dir, flat=False, validation_pool=context.validation_pool)
    c = config["channels"]
    layers = [keras.Input(x.shape[1:]), keras.layers.Conv2D(c, 3, padding="same", activation="relu")]  # stem
    for _ in range(config["stages"]):
        layers += block_layers(config["block"], c, "relu") + [keras.layers.MaxPooling2D(2)]
    model = keras.Sequential(layers + [keras.layers.Flatten(), keras.layers.Dense(10, dtype="float32")])
    fit = fit_epochs(model, x, y, (x_val, y_val), optimizer=keras.optimizers.Adam(config["learning_rate"]),
                     batch_size=config["batch_size"], epochs=config["epochs"], step_cap=context.step_cap)
    history = fit.history
    return ArmResult(
        scalars={"val_accuracy": float(history["val_accuracy"][-1]), "val_loss": float(history["val_loss"][-1]),
                 "params": float(model.count_params()), **fit.throughput},
        series={"val_accuracy_curve": per_epoch(history["val_accuracy"])},
        notes=f"val {history['val_accuracy'][-1]:.3f}, {model.count_params()} params")


CLAIM = Claim(
    id="small-kernel-stacks",
    title="Stacks of 3×3 convs see as far as one 5×5/7×7 with fewer parameters, and are as accurate",
    statement=("'Use stacks of small (3×3) conv. layers — in most cases, the only kernel size you need; two 3×3 layers – "
               "5×5 field; three 3×3 layers – 7×7 field; Less parameters than a single layer with a large kernel'"),
    source="000 'ConvNets: use stacks of small (3×3) conv layers'; Simonyan & Zisserman 2014 (27C² vs 49C² weights)",
    lecture_number="two 3×3: 5×5 field; three 3×3: 7×7 field; 27C² vs 49C² weights (VGG)",
    setup=("Structure (arm `structure`, C = 32): Keras Conv2D blocks counted with count_params(); receptive field as the "
           "bounding box of the nonzero gradient of the central output unit of channel 0 with respect to a 21×21×C input "
           "(32 random inputs, Glorot-uniform random weights), read through a zero probe; with no nonlinearity and with ReLU "
           "between the layers. Training (C = 16): stem conv 3×3, then 2 stages of [block → 2×2 max-pool], then a linear "
           "classifier; the block is two 3×3 convs (`stack-3x3x2`) or one 5×5 (`single-5x5`), three 3×3 convs "
           "(`stack-3x3x3`) or one 7×7 (`single-7x7`); Adam 1e-3, batch 50, "
           "4 epochs on 5000 Fashion-MNIST images, validated on 2000 held-out test images, paired seeds."),
    check='exact counts, receptive fields measured from gradients, a two-3×3 CNN against a 5×5 one and a three-3×3 CNN against a 7×7 one',
    base_config={"mode": "train", "dataset": "fashion-mnist", "channels": 16, "block": "3x3x2", "stages": 2, "train_size": 5000,
                 "validation_size": 2000, "batch_size": 50, "epochs": 4, "learning_rate": 1e-3},
    arms=(
        Arm("structure", {"mode": "structure", "channels": 32}, "parameter counts and receptive fields, C = 32"),
        Arm("stack-3x3x2", {"block": "3x3x2"}, "CNN of two-3×3 blocks"),
        Arm("single-5x5", {"block": "5x5"}, "CNN of 5×5 blocks"),
        Arm("stack-3x3x3", {"block": "3x3x3"}, "CNN of three-3×3 blocks"),
        Arm("single-7x7", {"block": "7x7"}, "CNN of 7×7 blocks"),
    ),
    expectations=(
        exactly("counts-match-formulas", "structure", "max_count_error", equals=0,
                statement="Keras' counts equal 18C²+2C, 25C²+C, 27C²+3C and 49C²+C exactly",
                lecture="27C² vs 49C² (VGG)",
                size=ours("a computed fact: a Keras Conv2D layer of kernel k with C channels in and out has k²C² "
                          "weights and C biases, so each count equals its formula (VGG's 27C² vs 49C² plus biases) "
                          "with an error of exactly 0")),
        exact_below("two-3x3-fewer-params-than-5x5", "structure", "param_ratio_3x3x2_vs_5x5", 1.0,
                    statement="two 3×3 layers have fewer parameters than one 5×5 (18/25)",
                    lecture="'Less parameters than a single layer with a large kernel'",
                    size=FEWER_PARAMS_SOURCE),
        exact_below("three-3x3-fewer-params-than-7x7", "structure", "param_ratio_3x3x3_vs_7x7", 1.0,
                    statement="three 3×3 layers have fewer parameters than one 7×7 (27/49)",
                    lecture="27C² vs 49C²",
                    size=FEWER_PARAMS_SOURCE),
        exactly("two-3x3-see-5x5", "structure", "rf_3x3x2_linear", equals=5,
                statement="two 3×3 layers have a 5×5 receptive field (measured)",
                lecture="'two 3×3 layers – 5×5 field'",
                size=from_lecture("two 3×3 layers – 5×5 field", seed="000")),
        exactly("two-3x3-see-5x5-with-relu", "structure", "rf_3x3x2_relu", equals=5,
                statement="… also with ReLU between them",
                lecture="'two 3×3 layers – 5×5 field'",
                size=from_lecture("two 3×3 layers – 5×5 field", seed="000")),
        exactly("three-3x3-see-7x7", "structure", "rf_3x3x3_linear", equals=7,
                statement="three 3×3 layers have a 7×7 receptive field (measured)",
                lecture="'three 3×3 layers – 7×7 field'",
                size=from_lecture("three 3×3 layers – 7×7 field", seed="000")),
        exactly("three-3x3-see-7x7-with-relu", "structure", "rf_3x3x3_relu", equals=7,
                statement="… also with ReLU between them",
                lecture="'three 3×3 layers – 7×7 field'",
                size=from_lecture("three 3×3 layers – 7×7 field", seed="000")),
        not_lower("stack-as-accurate-as-5x5", "stack-3x3x2", "val_accuracy", than="single-5x5", by=0.01,
                  statement="the two-3×3 CNN is at least as accurate as the 5×5 one (not worse by more than 1 point)",
                  lecture="'in most cases, the only kernel size you need'; VGG: 3×3 pairs beat 5×5",
                  size=NON_INFERIORITY_SOURCE),
        higher("stack-more-accurate-than-5x5", "stack-3x3x2", "val_accuracy", than="single-5x5", by=0.005,
               statement="the two-3×3 CNN is more accurate than the 5×5 one (by > 0.5 points)",
               lecture="VGG: replacing pairs of 3×3 with one 5×5 raised top-1 error",
               size=ours("a size the lecture never gives: half a point of validation accuracy, our threshold for "
                         "'more accurate'; Simonyan & Zisserman 2014's matched comparison (net B vs B with each 3×3 "
                         "pair replaced by one 5×5, Sec. 4.1) is ImageNet top-1 error, not transferable to this net")),
        not_lower("three-3x3-as-accurate-as-7x7", "stack-3x3x3", "val_accuracy", than="single-7x7", by=0.01,
                  statement="the three-3×3 CNN is at least as accurate as the 7×7 one (not worse by more than 1 point)",
                  lecture="'three 3×3 layers – 7×7 field; Less parameters'; 'the only kernel size you need'",
                  size=NON_INFERIORITY_SOURCE),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "validation_size": 200, "epochs": 2},
                        note="500 images, 2 epochs: pipeline check only"),
        "quick": Budget(note="5000 images, 4 epochs, C = 16"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "validation_size": None,
                                  "channels": 64, "stages": 3, "batch_size": 128, "epochs": 10},
                       note="the whole training set (CIFAR-10 if its archive is here, else Fashion-MNIST), C = 64, "
                            "3 stages, batch 128, 10 epochs (a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="validation-accuracy", kind="series", metric="val_accuracy_curve",
                 title="Validation accuracy per epoch (mean, min–max over seeds)", xlabel="epoch",
                 ylabel="validation accuracy"),
        PlotSpec(name="final-accuracy", kind="bar", metric="val_accuracy",
                 title="Final validation accuracy (mean, 95% CI)", ylabel="validation accuracy"),
    ),
    summary_metrics=("val_accuracy", "params", "params_3x3x2", "params_5x5", "params_3x3x3", "params_7x7",
                     "rf_5x5_linear", "rf_7x7_linear", "centre_mass_3x3x2_linear", "centre_mass_5x5_linear",
                     "centre_mass_3x3x3_linear", "centre_mass_7x7_linear"),
    # 'in most cases, the only kernel size you need': the stacks do as well as the large kernels they replace
    # (the counts and fields are exact facts, reported apart)
    primary=("stack-as-accurate-as-5x5", "three-3x3-as-accurate-as-7x7"),
)
