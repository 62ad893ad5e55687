"""
Title: Dropout: p ≈ 0.5 works best, test-time scaling matches mask averaging, units become redundant
Claim id: dropout-extras
Source: seed 002 ("How much dropout? Around p = 0.5"; "Dropout can be interpreted as an approximation to taking
        the geometric mean of an ensemble of exponentially many models"); seed 001 ("p = 0.5 # probability of
        keeping a unit active"; the test-time "ensembled forward pass" that scales the activations); seed 003
        ("How could randomly deleting some neurons be a good idea? Forcing the network to have a redundant
        representation"; "With random elimination, a large set of models").

The lecture's only number is p = 0.5, the probability of keeping a unit. Keras' Dropout takes the probability of
dropping one (rate = 1 − p); our sweep, rates 0, 0.25, 0.5 and 0.75, is the same set read either way (keep p =
1, 0.75, 0.5, 0.25), and rate 0.5 is the lecture's p = 0.5.

What we check, on the shared overfitting setup of batch B (reproductions/common/overfitting.py: 784-256-256-10
ReLU MLP memorising 1000 Fashion-MNIST images with Adam; here Keras' Dropout after each hidden layer), one arm
per rate, on paired seeds (same subset, same validation images):

1. "Around p = 0.5": the final validation accuracy at rate 0.5 is not worse than at 0.25 or at 0.75 by more than
   2 points (non-inferiority to each neighbour of the sweep: "around" leaves room, the sweep's step is 0.25), and
   it beats no dropout (the direction: the best rate is not 0). These three are the primary sub-claims.
2. "Approximation to the geometric mean of an ensemble": inside the rate-0.5 runs, Monte-Carlo averaging of the
   softmax over 50 dropout masks (model(x, training=True)) against Keras' test-time network (inverted dropout:
   model(x, training=False), the lecture's weight scaling). The validation accuracies are equivalent within
   ±1 point; and the scaled net's predicted class agrees with the normalized geometric mean of the 50 masked
   nets' softmax outputs on more than 95 % of the validation images.
3. "A redundant representation": at test time, zero a random half of the last hidden layer's units and rescale
   the kept ones by 2 (so the layer's expected output is unchanged, as inverted dropout does in training), with
   10 fixed seeded masks, the same for every arm of a seed; the accuracy lost (intact − mean masked) is smaller
   in the rate-0.5 net than in the net without dropout (the direction: paired difference < 0).

An exact check guards the Monte-Carlo measurement: every pass draws a fresh mask (its output differs from the
previous pass's).
"""

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.evaluation import logits_of, softmax_metrics
from reproductions.common.overfitting import (OVERFIT, OVERFIT_FULL, OVERFIT_SETUP, OVERFIT_SMOKE, overfit_mlp,
                                               overfit_split, train_overfit)
from reproductions.expect import at_least, exact_above, higher, lower, near, not_lower, ours

POSITION = 1010  # right after dropout-overfitting (the default position, 1000)

RATES = (0.0, 0.25, 0.5, 0.75)
NEIGHBOUR_MARGIN = 0.02  # "around p = 0.5": not worse than a neighbour of the sweep by more than 2 points
MC_MARGIN = 0.01  # Monte-Carlo vs weight scaling: equivalent within 1 point of validation accuracy
GEOMETRIC_AGREEMENT = 0.95  # the scaled net's class equals the geometric-mean ensemble's on > 95 % of images
NEIGHBOUR_SOURCE = ours("a non-inferiority margin: 'around p = 0.5' (002) leaves room and gives no accuracy "
                        "number; 2 points of validation accuracy is our margin")


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def monte_carlo(model, x, y, passes: int, scaled_logits: np.ndarray) -> dict[str, float]:
    """Average the softmax over `passes` dropout masks (training=True: Keras draws a fresh mask per call) and
    compare it with the test-time (weight-scaled) net: accuracies, losses, and the agreement of the scaled net's
    class with the arithmetic and the (normalized) geometric mean of the masked nets' probabilities."""
    total = np.zeros_like(scaled_logits)
    log_total = np.zeros_like(scaled_logits)
    previous, fresh = None, 0
    for _ in range(passes):
        logits = np.asarray(keras.ops.convert_to_numpy(model(x, training=True)), dtype="float64")
        fresh += previous is not None and not np.array_equal(logits, previous)
        previous = logits
        total += softmax(logits)
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_total += shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    arithmetic = total / passes
    rows = np.arange(len(y))
    mc_loss = float(-np.log(np.maximum(arithmetic[rows, y], 1e-300)).mean())
    mc_accuracy = float((arithmetic.argmax(axis=1) == y).mean())
    scaled_class = scaled_logits.argmax(axis=1)
    return {"mc_accuracy": mc_accuracy, "mc_loss": mc_loss,
            "scaled_agrees_with_arithmetic": float((arithmetic.argmax(axis=1) == scaled_class).mean()),
            "scaled_agrees_with_geometric": float(((log_total / passes).argmax(axis=1) == scaled_class).mean()),
            "mc_fresh_mask_share": fresh / max(1, passes - 1)}


def removal_masks(seed: int, units: int, count: int) -> np.ndarray:
    """`count` fixed masks over `units` units, each keeping a random half (scaled by 2): the same for every arm
    of a seed, since they depend on the seed and the width only."""
    rng = np.random.default_rng([seed, 23])
    masks = np.zeros((count, units), dtype="float32")
    for mask in masks:
        mask[rng.permutation(units)[: units // 2]] = units / (units // 2)
    return masks


def accuracy_with_half_removed(model, x, y, config, seed: int) -> tuple[float, float]:
    """(intact accuracy, mean accuracy with half the last hidden layer's units zeroed and the rest rescaled),
    in inference mode, the masks from `removal_masks`."""
    last = f"relu_{int(config['depth']) - 1}"
    hidden = x
    for layer in model.layers:  # the layers up to the last hidden ReLU, in inference mode
        hidden = layer(hidden, training=False)
        if layer.name == last:
            break
    hidden = np.asarray(keras.ops.convert_to_numpy(hidden), dtype="float32")
    head = model.get_layer("logits")

    def accuracy(h):
        return float((np.asarray(keras.ops.convert_to_numpy(head(h)), dtype="float64").argmax(axis=1) == y).mean())

    masks = removal_masks(seed, hidden.shape[1], int(config["removal_masks"]))
    return accuracy(hidden), float(np.mean([accuracy(hidden * mask) for mask in masks]))


def run(config, seed, context):
    (x, y), (x_val, y_val) = overfit_split(config, seed, context)
    rate = float(config["dropout"])
    model = overfit_mlp(config, x.shape[1], dropout=rate, seed=seed)
    outcome = train_overfit(model, (x, y), (x_val, y_val), config, context)
    if context.step_cap is not None:  # a shape check: measure on as many images as the validation did
        x_val, y_val = x_val[: context.step_cap * config["batch_size"]], y_val[: context.step_cap * config["batch_size"]]
    scaled_logits = logits_of(model, x_val)
    scaled_loss, scaled_accuracy = softmax_metrics(scaled_logits, y_val)
    intact, removed = accuracy_with_half_removed(model, x_val, y_val, config, seed)
    scalars = {**outcome.scalars(), "dropout_rate": rate, "intact_accuracy": intact,
               "half_removed_accuracy": removed, "accuracy_lost_half_units": intact - removed}
    notes = f"val {outcome.val_accuracy:.3f}, accuracy lost with half the units removed {intact - removed:.3f}"
    if config["monte_carlo"] and rate > 0:
        mc = monte_carlo(model, x_val, y_val, int(config["mc_passes"]), scaled_logits)
        scalars.update(mc, mc_minus_scaled_accuracy=mc["mc_accuracy"] - scaled_accuracy,
                       mc_minus_scaled_loss=mc["mc_loss"] - scaled_loss)
        notes += f", Monte-Carlo {mc['mc_accuracy']:.3f} vs scaled {scaled_accuracy:.3f}"
    return ArmResult(scalars=scalars, series=outcome.series(), notes=notes)


def _arm(rate):
    keep = 1 - rate
    words = "no dropout" if rate == 0 else f"Dropout({rate:g}) after each hidden layer"
    monte_carlo = rate == 0.5  # the lecture's p: Monte-Carlo averaging is measured in these runs only
    return Arm(f"rate-{rate:g}", {"dropout": rate, **({"monte_carlo": True} if monte_carlo else {})},
               f"{words} (keep p = {keep:g})" + ("; Monte-Carlo over 50 masks at test time" if monte_carlo else ""))


CLAIM = Claim(
    id="dropout-extras",
    title="Dropout: p ≈ 0.5 works best, test-time scaling matches mask averaging, units become redundant",
    statement=("'How much dropout? Around p = 0.5' (002); 'Dropout can be interpreted as an approximation to taking "
               "the geometric mean of an ensemble of exponentially many models' (002); 'How could randomly deleting "
               "some neurons be a good idea? Forcing the network to have a redundant representation' (003)."),
    source="002 'Dropout' (how much; the ensemble note); 001 'Regularization: Dropout' (p = 0.5 keep probability, "
           "the scaled 'ensembled forward pass'); 003 'Regularization: Random Removal (Dropout)'",
    lecture_number="p = 0.5 (keep probability); no number for the ensemble or the redundancy",
    setup=(OVERFIT_SETUP + ". Here logged four passes at a time (10 logged epochs, the same 40 passes), with "
           "Keras' Dropout after each hidden layer at rates 0, 0.25, 0.5, 0.75 (keep p = 1 − rate). Inside each "
           "run, on the validation images: the test-time net (training=False, Keras' inverted dropout = the "
           "lecture's weight scaling) against the mean softmax of 50 masked passes (training=True; in the rate-0.5 "
           "runs); and the accuracy lost when half the last hidden layer's units are zeroed (10 fixed "
           "seeded masks per seed, the same for every arm, the kept units ×2). Arms share seeds."),
    check='a drop-rate sweep 0/0.25/0.5/0.75; Monte-Carlo averaging over 50 masks against weight scaling; accuracy lost when half the units are removed',
    base_config={**OVERFIT, "epochs": 10, "passes_per_epoch": 4, "dropout": 0.0, "monte_carlo": False,
                 "mc_passes": 50, "removal_masks": 10},
    arms=tuple(_arm(rate) for rate in RATES),
    expectations=(
        not_lower("half-not-worse-than-25", "rate-0.5", "val_accuracy", than="rate-0.25", by=NEIGHBOUR_MARGIN,
                  statement="rate 0.5 is not worse than rate 0.25 by more than 2 points of validation accuracy "
                            "(non-inferiority)",
                  lecture="'How much dropout? Around p = 0.5'", size=NEIGHBOUR_SOURCE),
        not_lower("half-not-worse-than-75", "rate-0.5", "val_accuracy", than="rate-0.75", by=NEIGHBOUR_MARGIN,
                  statement="rate 0.5 is not worse than rate 0.75 by more than 2 points of validation accuracy "
                            "(non-inferiority)",
                  lecture="'How much dropout? Around p = 0.5'", size=NEIGHBOUR_SOURCE),
        higher("half-beats-none", "rate-0.5", "val_accuracy", than="rate-0", by=0.0, null=None,
               statement="rate 0.5 has a higher validation accuracy than no dropout (the best rate is not 0)",
               lecture="'How much dropout? Around p = 0.5'"),
        near("mc-matches-weight-scaling", "rate-0.5", "mc_minus_scaled_accuracy", 0.0, tolerance=MC_MARGIN,
             statement="Monte-Carlo averaging over 50 masks and test-time weight scaling give the same "
                       "validation accuracy (within ±1 point)",
             lecture="'an approximation to taking the geometric mean of an ensemble of exponentially many "
                     "models'",
             size=ours("an equivalence tolerance: ±1 point of validation accuracy around no difference (0); "
                       "'an approximation' gives no number")),
        at_least("scaling-agrees-with-geometric-mean", "rate-0.5", "scaled_agrees_with_geometric", GEOMETRIC_AGREEMENT,
                 statement="the weight-scaled net predicts the same class as the normalized geometric mean of 50 "
                           "masked nets on more than 95 % of the validation images",
                 lecture="'the geometric mean of an ensemble of exponentially many models'",
                 size=ours("'an approximation' (002) gives no number: agreement on more than 95 % of the images, "
                           "our reading of a close approximation")),
        lower("dropout-net-more-redundant", "rate-0.5", "accuracy_lost_half_units", than="rate-0", by=0.0, null=None,
              statement="removing half the last hidden layer's units costs the rate-0.5 net less validation "
                        "accuracy than the net trained without dropout",
              lecture="'Forcing the network to have a redundant representation'"),
        exact_above("mc-passes-draw-fresh-masks", "rate-0.5", "mc_fresh_mask_share", 0.99,
                    statement="every Monte-Carlo pass draws a fresh dropout mask (a check of the measurement)",
                    lecture="'With random elimination, a large set of models'",
                    size=ours("a computed check of the measurement: every pass fresh gives 1.0; above 0.99 means "
                              "every consecutive pair of passes differs (49 of 49 at quick)")),
    ),
    budgets={
        "smoke": Budget(overrides={**OVERFIT_SMOKE, "mc_passes": 5, "removal_masks": 2},
                        note="200 images, 2 passes, 5 masks: pipeline check only"),
        "quick": Budget(note="1000 images, 40 passes; 50 Monte-Carlo masks, 10 removal masks"),
        "full": Budget(overrides={**OVERFIT_FULL},
                       note="the shared full setup (CIFAR-10 if its archive is here, else Fashion-MNIST; 6000 images, "
                            "three hidden layers of 1024), 40 passes, the whole test set as validation (a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="validation-accuracy", kind="bar", metric="val_accuracy",
                 title="Final validation accuracy per dropout rate (mean, 95% CI)", ylabel="validation accuracy"),
        PlotSpec(name="validation-accuracy-curve", kind="series", metric="val_accuracy_curve",
                 title="Validation accuracy per logged epoch (mean, min–max over seeds)",
                 xlabel="logged epoch (4 passes over the training set)", ylabel="validation accuracy"),
        PlotSpec(name="accuracy-lost", kind="bar", metric="accuracy_lost_half_units",
                 title="Validation accuracy lost when half the last hidden units are removed (mean, 95% CI)",
                 ylabel="accuracy lost"),
        PlotSpec(name="mc-minus-scaled", kind="bar", metric="mc_minus_scaled_accuracy",
                 title="Monte-Carlo (50 masks) − weight-scaled validation accuracy (mean, 95% CI)",
                 ylabel="accuracy difference"),
    ),
    summary_metrics=("val_accuracy", "train_accuracy", "gap", "accuracy_lost_half_units", "mc_accuracy",
                     "scaled_agrees_with_geometric"),
    primary=("half-not-worse-than-25", "half-not-worse-than-75", "half-beats-none"),
)
