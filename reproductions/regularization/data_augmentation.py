"""
Title: Data augmentation (random shifts/crops and flips) narrows a ConvNet's train−validation gap
Claim id: data-augmentation
Source: seed 002 ("(1) Data preprocessing": "Augment the data — extract random crops from the input, with
        slightly jittered offsets. Without this, typical ConvNets (e.g. [Krizhevsky 2012]) overfit the
        data." "E.g. 224x224 patches extracted from 256x256 images", "Randomly reflect horizontally",
        "Perform the augmentation live during training"; its summary: "Preprocess the data (subtract mean,
        sub-crops)"); seed 000 ("Dataset Augmentation", Goodfellow 2016, a slide with no numbers);
        Krizhevsky et al. 2012: 224×224 crops of 256×256 images and their reflections enlarge the
        training set by a factor of 2048; "Without this scheme, our network suffers from substantial
        overfitting".

The lecture's numbers are Krizhevsky's: 32 × 32 crop offsets × 2 reflections = 2048 variants of each
image, and no number for the overfitting it prevents (the slide gives none; the paper says "substantial").

What we check. A small CNN (common.models.cnn: two stages of 3×3 conv → ReLU → 2×2 max-pool, 8 and 16
channels at quick, Dense logits; at full a VGG-style 32-64-128 with two convs per stage) on a small
Fashion-MNIST training set (the shared overfitting setup's 1000 class-balanced, standardized images, Adam
1e-3, batch 100), trained long enough to overfit it, with and
without augmentation done live by Keras preprocessing layers inside the model (active in training only,
the identity at inference): `RandomTranslation` by up to 10 % of the side in each direction (2.8 pixels of
28: a random crop with jittered offsets, the image's own border pixels filling the edge, which on Fashion-MNIST
is background) and `RandomFlip("horizontal")` (the reflection; every Fashion-MNIST class is left-right
symmetric as a label). Arms share seeds: the same training subset and the same initial weights (the CNN is
built before the augmentation layers, which have their own seeds). Both arms get the same budget of passes:
augmentation usually needs more passes to pay off, so equal budgets, if anything, favour the plain net.

Measures: the train−validation accuracy gap (training accuracy measured after training in inference mode on
the un-augmented training images, as in common/overfitting.py and gap_diagnosis.py), validation accuracy
(final and best over epochs) and the final validation loss (softmax cross-entropy alone).

Sub-claims, margins fixed before the quick profile ran: augmentation narrows the gap by more than 2 points
(primary: the lecture's "overfit", the margin the dropout claim uses); it raises the final and the best
validation accuracy (by > 0.5 point); it lowers the final validation loss (by > 0.05, an overfit net's
validation loss climbs); and the premise: without augmentation the CNN overfits (gap > 10 points). Shifts
alone and flips alone would tell which of the two does the work, but two more arms do not fit the quick
profile's minute (one CNN run takes a few seconds on two cores; 2 arms × 5 seeds + a 5-run placebo do).
"""

import keras

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.models import cnn
from reproductions.common.overfitting import OVERFIT, OVERFIT_FULL, OVERFIT_SMOKE, overfit_split, train_overfit
from reproductions.expect import at_least, higher, ours

POSITION = 20  # after dropout: the other regularizer of the lecture's "Training ConvNets" list

KRIZHEVSKY_FACTOR = 32 * 32 * 2  # 224×224 crops of 256×256 images (32 × 32 offsets) × 2 reflections = 2048

_MLP_ONLY = ("depth", "width")  # the shared setup's MLP keys: this claim's net is a CNN
BASE = {k: v for k, v in OVERFIT.items() if k not in _MLP_ONLY}
FULL = {k: v for k, v in OVERFIT_FULL.items() if k not in _MLP_ONLY}


def augmentation_layers(config, seed):
    """The lecture's live augmentation as Keras preprocessing layers (identity at inference)."""
    layers = []
    if config["shift"]:  # "random crops from the input, with slightly jittered offsets"
        layers.append(keras.layers.RandomTranslation(config["shift"], config["shift"], fill_mode=config["fill_mode"],
                                                     seed=seed + 1001, name="random_shift"))
    if config["flip"]:  # "Randomly reflect horizontally"
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed + 1002, name="random_flip"))
    return layers


def build(config, input_shape, seed):
    """The CNN (built first, so every arm of a seed starts from the same weights), behind the augmentation."""
    net = cnn(input_shape, tuple(config["channels"]), config["kernel"], "relu",
              convs_per_stage=config["convs_per_stage"])
    augment = augmentation_layers(config, seed)
    if not augment:
        return net
    return keras.Sequential([keras.Input(input_shape), *augment, net])


def run(config, seed, context):
    train, validation = overfit_split(config, seed, context, flat=False)
    model = build(config, train[0].shape[1:], seed)
    outcome = train_overfit(model, train, validation, config, context)
    scalars = outcome.scalars()
    return ArmResult(scalars=scalars, series=outcome.series(),
                     notes=f"train {scalars['train_accuracy']:.3f}, val {scalars['val_accuracy']:.3f}, "
                           f"gap {scalars['gap']:.3f}")


CLAIM = Claim(
    id="data-augmentation",
    title="Data augmentation (random shifts/crops and flips) narrows a ConvNet's train−validation gap",
    statement=("'Augment the data — extract random crops from the input, with slightly jittered offsets. Without "
               "this, typical ConvNets (e.g. [Krizhevsky 2012]) overfit the data.' 'E.g. 224x224 patches extracted "
               "from 256x256 images' 'Randomly reflect horizontally' 'Perform the augmentation live during "
               "training' (002). Krizhevsky 2012: 'Without this scheme, our network suffers from substantial "
               "overfitting'."),
    source="002 '(1) Data preprocessing' (slide after 'For ConvNets, typically only the mean is subtracted'; figure: "
           "Alex Krizhevsky) and its summary 'Preprocess the data (subtract mean, sub-crops)'; 000 'Dataset "
           "Augmentation' (Goodfellow 2016); Krizhevsky et al. 2012, section 4.1",
    lecture_number=(f"224×224 crops of 256×256 images and their reflections: {KRIZHEVSKY_FACTOR}× the training set "
                    "(Krizhevsky 2012); no number for the overfitting it prevents ('substantial')"),
    setup=("A CNN (3×3 conv 8 → ReLU → max-pool 2, 3×3 conv 16 → ReLU → max-pool 2, Dense logits; He init) on "
           "the shared overfitting setup's data and optimizer (reproductions/common/overfitting.py: Fashion-MNIST, "
           "1000 class-balanced training images, standardized, Adam 1e-3, batch 100, 40 passes logged two at a "
           "time, validated on 1000 held-out test images; training accuracy measured after training in inference "
           "mode on the un-augmented images; losses are the softmax cross-entropy alone). Augmentation is done "
           "live by Keras preprocessing layers in front of the CNN, active in training only: RandomTranslation by "
           "up to 10 % of the side (up to 2.8 px of 28, bilinear; edge pixels repeated) and RandomFlip('horizontal'). "
           "Every arm has the same budget of passes (augmentation usually needs more to pay off) and arms share "
           "seeds (same subset, same initial weights)."),
    check="a small CNN on 1000 images with and without Keras' RandomTranslation + RandomFlip: the gap and validation accuracy",
    base_config={**BASE, "channels": (8, 16), "kernel": 3, "convs_per_stage": 1, "shift": 0.0, "flip": False,
                 "fill_mode": "nearest"},
    arms=(
        Arm("none", {}, "no augmentation"),
        Arm("shift-and-flip", {"shift": 0.1, "flip": True},
            "random shifts (±10 %: jittered crops) and horizontal reflections, as the lecture does"),
    ),
    expectations=(
        higher("augmentation-narrows-gap", "none", "gap", than="shift-and-flip", by=0.02,
               statement="augmentation (shifts and flips) narrows the train−validation accuracy gap (by > 2 points)",
               lecture="'Without this, typical ConvNets … overfit the data'",
               size=ours("the lecture and Krizhevsky give no size ('overfit', 'substantial'): 2 points, the margin "
                         "the dropout claim uses, fixed before the quick profile ran")),
        higher("augmentation-raises-val-accuracy", "shift-and-flip", "val_accuracy", than="none", by=0.005,
               statement="augmentation raises the final validation accuracy (by > 0.5 point)",
               lecture="Krizhevsky: 'substantial overfitting' without it",
               size=ours("no size in the sources: half a point, a small but real gain, fixed before the quick "
                         "profile ran")),
        higher("augmentation-raises-best-val-accuracy", "shift-and-flip", "best_val_accuracy", than="none", by=0.005,
               statement="augmentation raises the best validation accuracy over epochs (by > 0.5 point)",
               lecture="Krizhevsky: 'substantial overfitting' without it",
               size=ours("no size in the sources: half a point, a small but real gain, fixed before the quick "
                         "profile ran")),
        higher("augmentation-lowers-val-loss", "none", "val_loss", than="shift-and-flip", by=0.05,
               statement="augmentation lowers the final validation loss (by > 0.05)",
               lecture="an overfitting net's validation loss climbs",
               size=ours("no size in the sources: 0.05 nats, the change in validation loss the dropout claim "
                         "treats as real, fixed before the quick profile ran")),
        at_least("plain-cnn-overfits", "none", "gap", 0.1,
                 statement="without augmentation the CNN overfits: train − validation accuracy > 10 points",
                 lecture="'Without this, typical ConvNets … overfit the data'",
                 size=ours("the premise 'overfit' has no number in the sources: a gap of 10 points is our reading "
                           "of a clearly overfit net, fixed before the quick profile ran")),
    ),
    budgets={
        "smoke": Budget(overrides=dict(OVERFIT_SMOKE), note="200 images, 2 epochs: pipeline check only"),
        "quick": Budget(note="1000 Fashion-MNIST images, 40 passes, CNN 8-16"),
        "full": Budget(overrides={**FULL, "channels": (32, 64, 128), "convs_per_stage": 2},
                       note="the shared setup's full data (common/overfitting.py OVERFIT_FULL): CIFAR-10 if its "
                            "archive is here, else Fashion-MNIST, the whole training set, as Krizhevsky trains on "
                            "all of ImageNet; a VGG-style CNN (2 × 3×3 convs per stage, 32-64-128), 40 epochs; the "
                            "whole test set as validation (a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="validation-accuracy", kind="series", metric="val_accuracy_curve",
                 title="Validation accuracy per logged epoch (mean, min–max over seeds)",
                 xlabel="logged epoch (quick: 2 passes over the 1000 images)", ylabel="validation accuracy"),
        PlotSpec(name="validation-loss", kind="series", metric="val_loss_curve",
                 title="Validation loss per logged epoch (mean, min–max over seeds)",
                 xlabel="logged epoch (quick: 2 passes over the 1000 images)", ylabel="validation loss"),
        PlotSpec(name="gap", kind="bar", metric="gap", title="Train − validation accuracy gap (mean, 95% CI)",
                 ylabel="accuracy gap"),
    ),
    summary_metrics=("train_accuracy", "val_accuracy", "best_val_accuracy", "gap", "val_loss"),
    primary=("augmentation-narrows-gap",),  # 'Without this, typical ConvNets … overfit the data'
)
