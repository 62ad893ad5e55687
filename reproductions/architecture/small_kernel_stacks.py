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
     from 5×5 blocks, each trained to the same training loss at its own learning rate. The honest test is
     non-inferiority: the stack is at least as accurate (within 1 point) with fewer parameters.

Issue 32's redesign (decided from the lecture, the paper and the issue before its judged runs; docs/fair-tests.md):
- Before, four unnormalised CNNs (two-3×3 vs 5×5, three-3×3 vs 7×7 blocks: 5–7 conv layers against 3) trained
  4 epochs of Adam at one shared rate (1e-3) and were read wherever that left them. Deeper plain stacks train
  more slowly, so the test compared training speed at one rate as much as kernel size.
- Now every conv is followed by batch norm (as deep stacks are trained in practice; VGG itself needed a staged
  initialisation to train its deeper nets without it). Each net gets its own Adam rate: the same grid for both
  (1e-3, Adam's default, 3e-3 and 1e-2, since batch norm allows higher rates), tuned on a validation split of
  the training images by the validation accuracy at the target. A best value on the grid's edge extends the
  grid once by the next step past it (3e-4 or 3e-2).
- Each net trains until its running training loss (a window of 50 steps) falls to 0.25 nats, and is read there:
  equal fit, so the comparison is of what each architecture learned, not how far it got. Preconditions (the
  regime: both nets fit the data to the target within 1500 steps, 15 epochs) on every seed; otherwise the
  accuracy sub-claims read NOT TESTABLE HERE.
- Validation on all 10,000 test images (it was 2000): the paired difference is a few tenths of a point, the
  sampling noise of 2000 images about 0.8 points.
- The three-3×3 vs 7×7 accuracy comparison is gone. VGG's matched comparison (Simonyan & Zisserman 2014,
  Sec. 4.1: net B against B with each pair of 3×3 layers replaced by one 5×5) is the pair against the 5×5; the
  7×7 nets are the dearest runs (the three-3×3 net twice the pair's time per epoch in the pilot), and with tuning
  both comparisons would not fit the claim's time. The counts and fields of three 3×3 layers against a 7×7 stay
  (exact), and a kernel-size axis belongs to issue 34's sweeps.
- The non-inferiority margin, 1 point, is ours (the lecture gives no number): the pilot's spread of one net's
  validation accuracy at the target across rates and architectures was about 1.5 points, and a smaller
  difference would not change a practitioner's choice of kernel at this scale. The direction (the stack more
  accurate: VGG's finding) is a secondary; its old half-point size of ours is gone.
- The target and budget are sized from a pilot (one tuning seed, the tuning split, nothing judged; 5000 images,
  batch 50, Xeon with AVX-512, 2026-12-07): with batch norm both nets' training loss fell to 0.25 in 6–9 epochs
  at 1e-3 to 1e-2 (the three-3×3 and 7×7 nets in 5–8), validation accuracy there 0.83–0.86, within about a
  point of its best over 10 epochs.

Changed for time, in the open (issue 32's bar: at most 4 minutes per commissioned claim at quick with --jobs 2 on a
2-core AVX2 machine; decided 2026-12-08 before any judged run of this design, new definition hashes, judged again on
discovery and fresh seeds):
- The design above took 548 s of runs in the quick suite on a 2-core AMD EPYC with AVX2 only (about 4.6 minutes
  with --jobs 2), three quarters of its arithmetic in the first stage's block at 28×28.
- At quick (and smoke) the stem is pooled instead of the last block (`stem_pool`): the blocks run at 14×14 and 7×7,
  and the classifier reads the same 7×7×C map as before. Both nets change alike; the comparison (two 3×3 against one
  5×5 in each block, each at its own rate, read at the same training loss) is unchanged, and full keeps the
  unpooled stem. A pilot on one tuning seed and the tuning split (nothing judged; AVX2 EPYC, 2026-12-08) found both
  nets at the 0.25-nat target in 450–750 steps at 1e-3 and 1e-2 (within the 1500-step budget), a run 9–18 s alone
  against 20–24 s before.
- The tuning stays at one seed: the rate chosen on one seed is noisy (docs/verdicts-cpu.md), and two seeds would not
  fit the bar; that noise is reported, not fixed, by this change.
"""

import math

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec, Tuning
from reproductions.common.data import image_split
from reproductions.common.probes import GradientProbe, read_gradients
from reproductions.common.training import train_to_target
from reproductions.expect import exact_above, exact_below, exactly, from_lecture, higher, not_lower, ours

# block name -> (kernel size, number of layers)
BLOCKS = {"3x3x2": (3, 2), "5x5": (5, 1), "3x3x3": (3, 3), "7x7": (7, 1)}

# where the sizes come from (issue 32)
FEWER_PARAMS_SOURCE = from_lecture("Less parameters than a single layer with a large kernel", seed="000")
NON_INFERIORITY_SOURCE = ours(
    "a non-inferiority margin fixed before running: 1 point of validation accuracy, 'the only kernel size you need' "
    "(000) read as 'not worse by more than 1 point', with fewer parameters; the lecture gives no number. A point is "
    "below the pilot's spread of one net's accuracy at the target (about 1.5 points) and less than would change a "
    "practitioner's choice of kernel at this scale")
REACHED_SOURCE = ours("a flag per seed: `reached` is 1 when the net's running training loss fell to the target within "
                      "its step budget, else 0; above 0.5 on every seed means every run reached it")


def block_layers(name, channels, activation):
    kernel, depth = BLOCKS[name]
    return [keras.layers.Conv2D(channels, kernel, padding="same", activation=activation) for _ in range(depth)]


def conv_bn(channels, kernel):
    """conv (no bias: batch norm's shift replaces it) → batch norm → ReLU, as deep stacks are trained."""
    return [keras.layers.Conv2D(channels, kernel, padding="same", use_bias=False), keras.layers.BatchNormalization(),
            keras.layers.Activation("relu")]


def build(config, input_shape):
    """stem 3×3 conv, then `stages` × [block → 2×2 max-pool], then a linear classifier; batch norm after every conv.
    With `stem_pool` the stem is pooled instead of the last block, so the blocks run at half the resolution and the
    classifier reads a map of the same size."""
    c = config["channels"]
    kernel, depth = BLOCKS[config["block"]]
    layers = [keras.Input(input_shape), *conv_bn(c, 3)]
    if config["stem_pool"]:
        layers.append(keras.layers.MaxPooling2D(2))
    for stage in range(config["stages"]):
        for _ in range(depth):
            layers += conv_bn(c, kernel)
        if not (config["stem_pool"] and stage == config["stages"] - 1):
            layers.append(keras.layers.MaxPooling2D(2))
    return keras.Sequential(layers + [keras.layers.Flatten(), keras.layers.Dense(10, dtype="float32")])


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
    model = build(config, x.shape[1:])
    outcome = train_to_target(model, x, y, optimizer=keras.optimizers.Adam(config["learning_rate"]),
                              batch_size=config["batch_size"], window=config["window"], max_steps=config["max_steps"],
                              target=config["target_loss"], target_metric="loss", step_cap=context.step_cap)
    val_loss, val_accuracy = model.evaluate(x_val, y_val, batch_size=1000, verbose=0)  # read where training stopped
    final_loss = outcome.loss_curve[outcome.steps_run] if outcome.steps_run else math.nan
    return ArmResult(
        scalars={**outcome.scalars(), "val_accuracy": float(val_accuracy), "val_loss": float(val_loss),
                 # the tuning's measure: the accuracy at the target, none where the run never got there
                 "val_accuracy_at_target": float(val_accuracy) if outcome.reached else math.nan,
                 "final_train_loss": float(final_loss), "params": float(model.count_params())},
        series=outcome.series(),
        notes=f"{outcome.summary()}, val {val_accuracy:.3f}, {model.count_params()} params")


ACCURACY_SUBCLAIMS = ("stack-as-accurate-as-5x5", "stack-more-accurate-than-5x5")


def reached(arm: str, description: str):
    return exact_above(f"{arm}-reached-the-target", arm, "reached", 0.5, size=REACHED_SOURCE,
                       statement=f"precondition: {description} fits the training images to the target loss "
                                 "(0.25 nats) within its step budget, every seed",
                       lecture="accuracy compared at equal fit (issue 32: trained to a fixed training-loss target "
                               "before accuracy is compared)")


CLAIM = Claim(
    id="small-kernel-stacks",
    title="Stacks of 3×3 convs see as far as one 5×5/7×7 with fewer parameters, and are as accurate",
    statement=("'Use stacks of small (3×3) conv. layers — in most cases, the only kernel size you need; two 3×3 layers – "
               "5×5 field; three 3×3 layers – 7×7 field; Less parameters than a single layer with a large kernel'"),
    source="000 'ConvNets: use stacks of small (3×3) conv layers'; Simonyan & Zisserman 2014 (27C² vs 49C² weights; "
           "Sec. 4.1: net B against B with each pair of 3×3 layers replaced by one 5×5, whose top-1 error was higher)",
    lecture_number="two 3×3: 5×5 field; three 3×3: 7×7 field; 27C² vs 49C² weights (VGG); no number for accuracy",
    setup=("Structure (arm `structure`, C = 32): Keras Conv2D blocks counted with count_params(); receptive field as the "
           "bounding box of the nonzero gradient of the central output position with respect to a 21×21×C input "
           "(32 random inputs, Glorot-uniform random weights), read through a zero probe; with no nonlinearity and with ReLU "
           "between the layers. Training (C = 16): stem conv 3×3 → 2×2 max-pool, then 2 stages of blocks (a 2×2 max-pool "
           "between them), then a linear classifier on the 7×7×C map, batch norm after every conv; the block is two 3×3 convs (`stack-3x3x2`) or one 5×5 "
           "(`single-5x5`). Adam, batch 50, on 5000 Fashion-MNIST images until the running training loss (50-step "
           "window) falls to 0.25 nats (at most 1500 steps), then validated on the 10,000 held-out test images. Each "
           "net's rate tuned on the same grid (1e-3, 3e-3, 1e-2; extended once past an edge) on a validation split of "
           "the training images, by its validation accuracy at the target; paired seeds (same images, same order)."),
    check="exact counts, receptive fields measured from gradients, a two-3×3 CNN against a 5×5 one, each with batch norm "
          "at its own Adam rate, read at the same training loss",
    base_config={"mode": "train", "dataset": "fashion-mnist", "channels": 16, "block": "3x3x2", "stages": 2,
                 "train_size": 5000, "validation_size": None, "batch_size": 50, "learning_rate": 1e-3,
                 "target_loss": 0.25, "window": 50, "max_steps": 1500, "stem_pool": True},
    arms=(
        Arm("structure", {"mode": "structure", "channels": 32}, "parameter counts and receptive fields, C = 32"),
        Arm("stack-3x3x2", {"block": "3x3x2"}, "CNN of two-3×3 blocks, batch norm", tuned=True),
        Arm("single-5x5", {"block": "5x5"}, "CNN of 5×5 blocks, batch norm", tuned=True),
    ),
    tuning=Tuning(param="learning_rate", grid=(1e-3, 3e-3, 1e-2), metric="val_accuracy_at_target",
                  direction="greater", extend_edges=1),
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
        reached("stack-3x3x2", "the two-3×3 CNN"),
        reached("single-5x5", "the 5×5 CNN"),
        not_lower("stack-as-accurate-as-5x5", "stack-3x3x2", "val_accuracy", than="single-5x5", by=0.01,
                  statement="the two-3×3 CNN is at least as accurate as the 5×5 one (not worse by more than 1 point), "
                            "each at its own rate, read at the same training loss",
                  lecture="'in most cases, the only kernel size you need'",
                  size=NON_INFERIORITY_SOURCE),
        higher("stack-more-accurate-than-5x5", "stack-3x3x2", "val_accuracy", than="single-5x5", by=0.0,
               statement="the two-3×3 CNN is more accurate than the 5×5 one (the direction)",
               lecture="VGG (Sec. 4.1): replacing each pair of 3×3 layers with one 5×5 raised top-1 error; its size, "
                       "ImageNet top-1 error of a 16-layer net, does not transfer to this net"),
    ),
    preconditions={"stack-3x3x2-reached-the-target": ACCURACY_SUBCLAIMS,
                   "single-5x5-reached-the-target": ACCURACY_SUBCLAIMS},
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "validation_size": 200, "window": 10, "max_steps": 20},
                        note="500 images, 20 steps: pipeline check only"),
        "quick": Budget(note="5000 images to a training loss of 0.25 (at most 1500 steps), C = 16, blocks at 14×14 "
                                 "and 7×7 (the stem pooled), 1 tuning seed"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "channels": 64, "stages": 3,
                                  "batch_size": 128, "window": 78, "max_steps": 7800, "stem_pool": False},
                       note="the whole training set (CIFAR-10 if its archive is here, else Fashion-MNIST), C = 64, "
                            "3 stages, batch 128, to a training loss of 0.25 (at most 7800 steps; a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="training-loss", kind="series", metric="train_loss",
                 title="Running training loss at each net's rate (mean, min–max over seeds); a run stops at the target",
                 xlabel="training step", ylabel="training loss (50-step window)", line_param="target_loss"),
        PlotSpec(name="accuracy-at-target", kind="bar", metric="val_accuracy",
                 title="Validation accuracy at the target training loss (mean, 95% CI)", ylabel="validation accuracy"),
    ),
    summary_metrics=("val_accuracy", "steps_to_target", "reached", "params", "params_3x3x2", "params_5x5",
                     "params_3x3x3", "params_7x7", "rf_5x5_linear", "rf_7x7_linear", "centre_mass_3x3x2_linear",
                     "centre_mass_5x5_linear", "centre_mass_3x3x3_linear", "centre_mass_7x7_linear"),
    # 'in most cases, the only kernel size you need': the stack does as well as the large kernel it replaces
    # (the counts and fields are exact facts, reported apart)
    primary=("stack-as-accurate-as-5x5",),
)
