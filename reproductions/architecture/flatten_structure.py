"""
Title: An MLP ignores pixel order (a permutation leaves it unchanged) while a CNN relies on it
Claim id: flatten-structure
Source: seed 002 ("The input is an image, which is 3D (RGB channel, height, width) — We could flatten it
        to a 1D vector, but then we lose structure — What about keeping everything in 3D? ConvNets").

The lecture gives no number; its point is qualitative: a fully connected net sees a flattened image as
an unordered list of pixels, so it cannot use which pixel is next to which, while a ConvNet (local,
weight-shared filters and pooling) does.

What we check, and why this design answers the question. Shuffling the pixels with one fixed permutation
(the same for the training and the validation images) destroys the spatial structure and keeps every
pixel's value, so it separates "uses the structure" from "uses the pixels":
  1. exact: an MLP is blind to the order of its inputs. Its outputs on permuted inputs, with the rows of
     its first-layer kernel permuted the same way, equal its outputs on the original inputs (checked on
     the trained MLP, on every validation image, up to float32 rounding of a reordered product), so the
     MLP trained on permuted pixels can learn exactly the functions the MLP on original pixels can;
  2. statistical: an MLP trained on permuted pixels is as accurate as one trained on the original pixels
     (equivalence within 1.5 points, paired seeds: same images, same initial weights, same batch order);
  3. statistical: a small CNN trained on permuted pixels is less accurate than the same CNN on the
     original pixels, by more than 2 points (its 3×3 filters and 2×2 pooling only make sense on neighbours);
  4. the MLP has at least as many parameters as the CNN (exact), so whatever the CNN gains on real images
     is not capacity; and the CNN on real images beats the MLP (secondary).

The cheapest data and models that answer it: a few thousand Fashion-MNIST images (28×28×1: a pixel is a
feature, so the permutation is over the 784 positions), a two-conv CNN (8 and 16 3×3 filters, 2×2
max-pooling, 9,098 weights) and a one-hidden-layer MLP (784-16-10, 12,730 weights), Adam 1e-3, 3 epochs.
A new permutation is drawn per seed (from the seed), shared by the paired arms and by training and
validation images alike.
"""

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_split
from reproductions.common.evaluation import fit_validated, logits_of
from reproductions.common.training import per_epoch
from reproductions.expect import count_at_least, exact_above, exact_near, higher, near, ours

SIDE = 28  # Fashion-MNIST images are 28×28×1


def pixel_permutation(seed, n_pixels=SIDE * SIDE):
    """The run's fixed permutation of pixel positions (the same for training and validation images)."""
    return np.random.default_rng(10_007 + int(seed)).permutation(n_pixels)


def permute(x, permutation):
    """Images (n, H, W, 1) or rows (n, H·W) with their pixels reordered: new pixel j is old pixel perm[j]."""
    flat = x.reshape(len(x), -1)[:, permutation]
    return flat.reshape(x.shape)


def build_cnn(config):
    c1, c2 = config["channels"]
    return keras.Sequential([
        keras.Input((SIDE, SIDE, 1)),
        keras.layers.Conv2D(c1, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(c2, 3, padding="same", activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(), keras.layers.Dense(10, dtype="float32"),
    ])


def build_mlp(config):
    return keras.Sequential([keras.Input((SIDE * SIDE,)), keras.layers.Dense(config["hidden"], activation="relu"),
                             keras.layers.Dense(10, dtype="float32")])


def permutation_identity(model, x_val, permutation):
    """max |f_P(P x) − f(x)| / max |f(x)| over the validation rows, where f_P is `model` with the rows of its
    first kernel permuted (W_P[j] = W[perm[j]]), and the share of identical predictions."""
    twin = keras.models.clone_model(model)
    weights = model.get_weights()
    twin.set_weights([weights[0][permutation]] + weights[1:])
    original = logits_of(model, x_val)
    permuted = logits_of(twin, permute(x_val, permutation))
    relative = float(np.abs(permuted - original).max() / np.abs(original).max())
    agreement = float((permuted.argmax(axis=1) == original.argmax(axis=1)).mean())
    return relative, agreement


def run(config, seed, context):
    mlp = config["model"] == "mlp"
    (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                         context.data_dir, flat=mlp, validation_pool=context.validation_pool)
    permutation = pixel_permutation(seed)
    if config["permute"]:
        x, x_val = permute(x, permutation), permute(x_val, permutation)
    model = build_mlp(config) if mlp else build_cnn(config)
    fit = fit_validated(model, x, y, (x_val, y_val), optimizer=keras.optimizers.Adam(config["learning_rate"]),
                        batch_size=config["batch_size"], epochs=config["epochs"], step_cap=context.step_cap)
    history = fit.history
    cnn_params = build_cnn(config).count_params()
    scalars = {"val_accuracy": float(history["val_accuracy"][-1]), "val_loss": float(history["val_loss"][-1]),
               "train_accuracy": float(history["accuracy"][-1]), "params": float(model.count_params()),
               "params_surplus_over_cnn": float(model.count_params() - cnn_params), **fit.throughput}
    notes = f"val {scalars['val_accuracy']:.3f}, {model.count_params()} params"
    if mlp:
        relative, agreement = permutation_identity(model, x_val, permutation)
        scalars.update(permutation_max_rel_diff=relative, permutation_prediction_agreement=agreement)
        notes += f", permuted-twin max rel. diff {relative:.1e}"
    return ArmResult(scalars=scalars, series={"val_accuracy_curve": per_epoch(history["val_accuracy"])}, notes=notes)


LECTURE = "'We could flatten it to a 1D vector, but then we lose structure' (no number)"

CLAIM = Claim(
    id="flatten-structure",
    title="An MLP ignores pixel order (a permutation leaves it unchanged) while a CNN relies on it",
    statement=("'The input is an image, which is 3D (RGB channel, height, width) — We could flatten it to a 1D vector, "
               "but then we lose structure — What about keeping everything in 3D?'"),
    source="002 'What shape should the activations have?' (ConvNets: 3D activations and weight sharing)",
    lecture_number="no number: flattening loses the spatial structure a ConvNet keeps",
    setup=("Fashion-MNIST, 3000 training images (class-balanced, seeded), 2000 held-out test images for validation, "
           "standardized; one fixed pixel permutation per seed applied to training and validation images alike (arms "
           "`*-permuted`). CNN: Conv 3×3 (8) → max-pool 2 → Conv 3×3 (16) → max-pool 2 → Dense 10 (9,098 weights). "
           "MLP: 784 → 16 ReLU → 10 (12,730 weights). Adam 1e-3, batch 50, 3 epochs, paired seeds (same images, "
           "initial weights and batch order within a model). The exact check: the trained MLP's logits on the permuted "
           "validation images with its first kernel's rows permuted, against its logits on the original images."),
    check="a fixed pixel permutation: an MLP's accuracy is unchanged (exactly, with its first layer permuted), a CNN's drops",
    base_config={"model": "cnn", "permute": False, "dataset": "fashion-mnist", "train_size": 3000,
                 "validation_size": 2000, "channels": (8, 16), "hidden": 16, "batch_size": 50, "epochs": 3,
                 "learning_rate": 1e-3},
    arms=(
        Arm("cnn", {"model": "cnn"}, "CNN on the original images"),
        Arm("cnn-permuted", {"model": "cnn", "permute": True}, "CNN on pixel-permuted images"),
        Arm("mlp", {"model": "mlp"}, "MLP on the original (flattened) images"),
        Arm("mlp-permuted", {"model": "mlp", "permute": True}, "MLP on pixel-permuted (flattened) images"),
    ),
    expectations=(
        higher("permutation-hurts-cnn", "cnn", "val_accuracy", than="cnn-permuted", by=0.02,
               statement="the CNN on the original images beats the CNN on pixel-permuted images by > 2 points",
               lecture="a ConvNet keeps the structure flattening loses",
               size=ours("more than 2 points of accuracy, our margin: 'we lose structure' gives no number")),
        exact_near("mlp-permutation-identity", "mlp", "permutation_max_rel_diff", 0.0, tolerance=1e-4,
                   statement="the MLP with its first-layer rows permuted computes on permuted inputs what it computes "
                             "on the originals (max relative logit difference < 1e-4, float32 rounding)",
                   lecture="'We could flatten it to a 1D vector, but then we lose structure'",
                   size=ours("a computed fact's tolerance for float32 rounding of a reordered sum: a relative 1e-4, "
                             "far above float32's 6e-8 and far below any real difference")),
        exact_above("mlp-permutation-same-predictions", "mlp", "permutation_prediction_agreement", 0.999,
                    statement="… and predicts the same class on (all but at most 0.1 % of) the validation images",
                    lecture="the MLP cannot tell a permuted image from the original",
                    size=ours("a computed fact's tolerance: at most 0.1 % of predictions may flip, where float32 "
                              "rounding breaks a near-tie of two logits")),
        near("mlp-permutation-no-effect", "mlp-permuted", "val_accuracy", than="mlp", tolerance=0.015,
             statement="an MLP trained on permuted pixels is as accurate as one on the original pixels (±1.5 points)",
             lecture="an MLP sees a flattened image as an unordered list of pixels",
             size=ours("an equivalence tolerance of 1.5 points of accuracy: an MLP sees the pixels unordered, so no "
                       "effect is expected, and the lecture gives no number")),
        count_at_least("mlp-at-least-cnn-params", "mlp", "params_surplus_over_cnn", 0,
                       statement="the MLP has at least as many parameters as the CNN",
                       lecture="(design check: the CNN's advantage is not capacity)",
                       size=ours("a design check: a surplus of 0 or more weights, the MLP at least as large as the "
                                 "CNN, so the CNN's advantage is not capacity")),
        higher("cnn-beats-mlp", "cnn", "val_accuracy", than="mlp", by=0.01,
               statement="on the original images the CNN beats the larger MLP by > 1 point",
               lecture="'What about keeping everything in 3D?' — ConvNets",
               size=ours("more than 1 point of accuracy, our margin: the lecture gives no number")),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "validation_size": 200, "epochs": 2},
                        note="500 images, 2 epochs: pipeline check only"),
        "quick": Budget(note="3000 images, 3 epochs"),
        "full": Budget(overrides={"train_size": None, "validation_size": None, "channels": (32, 64),
                                  "hidden": 128, "batch_size": 128, "epochs": 10},
                       note="all 60000 Fashion-MNIST images, validated on the 10000 test images, CNN 32/64 filters "
                            "(≈ 50k weights), MLP 784-128-10 (≈ 102k weights), batch 128, 10 epochs"),
    },
    run=run,
    plots=(
        PlotSpec(name="validation-accuracy", kind="series", metric="val_accuracy_curve",
                 title="Validation accuracy per epoch, original vs permuted pixels (mean, min–max over seeds)",
                 xlabel="epoch", ylabel="validation accuracy"),
        PlotSpec(name="final-accuracy", kind="bar", metric="val_accuracy",
                 title="Final validation accuracy (mean, 95% CI)", ylabel="validation accuracy"),
    ),
    summary_metrics=("val_accuracy", "train_accuracy", "params", "permutation_max_rel_diff",
                     "permutation_prediction_agreement"),
    # the lecture's point: the CNN uses the structure (a permutation hurts it), the MLP cannot (it is exactly
    # invariant up to the permutation of its first layer)
    primary=("permutation-hurts-cnn", "mlp-permutation-identity"),
)
