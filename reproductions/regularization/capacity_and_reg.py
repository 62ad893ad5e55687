"""
Title: Bigger nets are better provided a strong regularizer is used; size is no regularizer
Claim id: capacity-and-reg
Source: seed 003 ("Determine the number and size of layers": "More neurons = More capacity"; "Do not use the
        size of the neural network as a regularizer and use a more robust method instead. L2-Norm"; and in
        its conclusion: "The bigger the size of a neural network, the better: Provided that a strong regulator
        is used to regulate the weights"); seed 002 ("models that are 'bigger' or have more capacity are more
        likely to overfit").

The lecture gives no number (its picture: nets of 3, 6 and 20 hidden units, the largest overfitting the
least once regularized more strongly).

What we check. The shared overfitting setup of batch B (reproductions/common/overfitting.py: a two-hidden-layer
ReLU MLP on 1000 Fashion-MNIST images, Adam 1e-3, 40 passes) at three widths: 1/16, 1/4 and all of the shared
net's 256 units (16, 64, 256; at `full` 64, 256, 1024). Each width is trained with Keras' L2 on every kernel at
its own best strength (reprobench's fair tuning: the same grid 1e-4, 1e-3, 1e-2, each tuned arm judged at its
best value of validation accuracy on one tuning seed that validates on training images, never on the test
images the verdict is read on); the smallest and the largest also unregularized. The grid spans weak to strong:
at He init λΣW² is about 0.1, 1 and 10 nats for the 256-unit net (ΣW² ≈ 4·width), against a data loss of 2.3.
The 40 passes are logged eight at a time (5 Keras epochs, not 20: the same training, fewer per-epoch
overheads; this claim reads only the finished nets).

Sub-claims (paired per seed, margins fixed beforehand). Primary ("the bigger the better, provided a strong
regulator is used"): regularized, the largest net's validation accuracy is no more than 1 point below the
smallest's and the middle one's (non-inferiority). Secondary: the regularized largest beats the unregularized
smallest by more than 1 point (size is no regularizer: shrinking the net is the worse cure); the regularized
largest beats the regularized smallest by more than 1 point (strictly better); unregularized, the train −
validation gap of the largest exceeds the smallest's by more than 2 points ("bigger … more likely to
overfit"); L2 raises the largest net's validation accuracy by more than 0.5 point.
"""

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec, Tuning
from reproductions.common.overfitting import (OVERFIT, OVERFIT_FULL, OVERFIT_SETUP, OVERFIT_SMOKE, overfit_mlp,
                                               overfit_split, train_overfit)
from reproductions.expect import higher, not_lower, ours

WIDTH_FACTORS = {"small": 1 / 16, "middle": 1 / 4, "large": 1.0}  # of the shared net's width (256; 1024 at full)
L2_GRID = (1e-4, 1e-3, 1e-2)
NON_INFERIORITY = ours("a non-inferiority margin: 1 point of validation accuracy, fixed beforehand; the lecture's "
                      "'the bigger, the better' gives no number")
ONE_POINT = ours("the lecture gives no number: a gain of more than 1 point of validation accuracy, our size for "
                 "a real difference, fixed beforehand")


def run(config, seed, context):
    (x, y), validation = overfit_split(config, seed, context)
    width = max(1, round(config["width"] * config["width_factor"]))
    model = overfit_mlp(config, x.shape[1], width=width, l2=config["l2"], seed=seed)
    outcome = train_overfit(model, (x, y), validation, config, context)
    scalars = {**outcome.scalars(), "hidden_width": float(width), "parameters": float(model.count_params())}
    return ArmResult(scalars=scalars, series=outcome.series(),
                     notes=(f"width {width}, L2 {config['l2']:g}: train {outcome.train_accuracy:.3f}, "
                            f"val {outcome.val_accuracy:.3f}"))


def _arm(size, tuned):
    factor = WIDTH_FACTORS[size]
    name = f"{'l2' if tuned else 'none'}-{size}"
    what = f"{factor:g} × the shared width ({round(256 * factor)} units at quick, {round(1024 * factor)} at full)"
    return Arm(name, {"width_factor": factor}, f"{what}, {'its own tuned L2' if tuned else 'no regularization'}",
               tuned=tuned)


CLAIM = Claim(
    id="capacity-and-reg",
    title="Bigger nets are better provided a strong regularizer is used; size is no regularizer",
    statement=("'The bigger the size of a neural network, the better: Provided that a strong regulator is used to "
               "regulate the weights'; 'Do not use the size of the neural network as a regularizer and use a more "
               "robust method instead. L2-Norm' (003)."),
    source="003 'Determine the number and size of layers' and its conclusion; 002 ('bigger' models overfit more)",
    lecture_number="no number: nets of 3, 6 and 20 hidden neurons, the largest smoothest once regularized",
    setup=(OVERFIT_SETUP + " (here logged eight passes at a time). Widths 16, 64, 256 (both hidden layers); "
           "each with Keras L2 on every kernel at its own best strength on the grid 1e-4, 1e-3, 1e-2 (tuned on one "
           "seed for validation accuracy on training images), and the smallest and largest also unregularized. "
           "Arms share seeds (same subsets)."),
    check='widths 16/64/256, unregularized and with L2 tuned per width: validation accuracy and gap',
    base_config={**OVERFIT, "passes_per_epoch": 8, "epochs": 5, "width_factor": 1.0, "l2": 0.0},
    arms=(
        _arm("small", False),
        _arm("large", False),
        _arm("small", True),
        _arm("middle", True),
        _arm("large", True),
    ),
    tuning=Tuning(param="l2", grid=L2_GRID, metric="val_accuracy", direction="greater"),
    expectations=(
        not_lower("l2-largest-no-worse-than-l2-smallest", "l2-large", "val_accuracy", than="l2-small", by=0.01,
                  statement="regularized, the largest net's validation accuracy is at most 1 point below the "
                            "smallest's",
                  lecture="'The bigger … the better: Provided that a strong regulator is used'",
                  size=NON_INFERIORITY),
        not_lower("l2-largest-no-worse-than-l2-middle", "l2-large", "val_accuracy", than="l2-middle", by=0.01,
                  statement="regularized, the largest net's validation accuracy is at most 1 point below the middle "
                            "one's",
                  lecture="'The bigger … the better: Provided that a strong regulator is used'",
                  size=NON_INFERIORITY),
        higher("size-is-no-regularizer", "l2-large", "val_accuracy", than="none-small", by=0.01,
               statement="the regularized largest net beats the unregularized smallest by more than 1 point",
               lecture="'Do not use the size of the neural network as a regularizer … L2-Norm'",
               size=ONE_POINT),
        higher("l2-largest-beats-l2-smallest", "l2-large", "val_accuracy", than="l2-small", by=0.01,
               statement="regularized, the largest net beats the smallest by more than 1 point (strictly better)",
               lecture="'The bigger … the better'",
               size=ONE_POINT),
        higher("unregularized-gap-grows-with-width", "none-large", "gap", than="none-small", by=0.02,
               statement="unregularized, the largest net's train − validation gap exceeds the smallest's by more "
                         "than 2 points",
               lecture="'models that are bigger … are more likely to overfit' (002)",
               size=ours("002 gives no number for 'more likely to overfit': 2 points of gap, the margin the dropout "
                         "claim uses for a real change in the gap, fixed beforehand")),
        higher("l2-helps-the-largest", "l2-large", "val_accuracy", than="none-large", by=0.005,
               statement="L2 raises the largest net's validation accuracy by more than 0.5 point",
               lecture="'a strong regulator is used to regulate the weights'",
               size=ours("no number in the lecture: half a point of validation accuracy, a small but real gain, "
                         "fixed beforehand")),
    ),
    budgets={
        "smoke": Budget(overrides=OVERFIT_SMOKE, note="200 images, 2 epochs: pipeline check only"),
        "quick": Budget(note="the shared overfitting setup (1000 images, 40 passes), widths 16, 64, 256; "
                             "1 tuning seed per grid value"),
        "full": Budget(overrides=OVERFIT_FULL,
                       note="the shared full setup (6000 images of CIFAR-10 if its archive is here, else "
                            "Fashion-MNIST; 3 hidden layers; 40 epochs), widths 64, 256, 1024; 1 tuning seed "
                            "(a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="validation-accuracy", kind="bar", metric="val_accuracy",
                 title="Final validation accuracy per width, unregularized and with tuned L2 (mean, 95% CI)",
                 ylabel="validation accuracy"),
        PlotSpec(name="gap", kind="bar", metric="gap", title="Train − validation accuracy gap (mean, 95% CI)",
                 ylabel="accuracy gap"),
        PlotSpec(name="validation-loss", kind="series", metric="val_loss_curve",
                 title="Validation loss per logged epoch (mean, min–max over seeds)",
                 xlabel="logged epoch (8 passes over the 1000 images)", ylabel="validation loss"),
    ),
    summary_metrics=("hidden_width", "train_accuracy", "val_accuracy", "gap", "val_loss", "best_val_loss"),
    primary=("l2-largest-no-worse-than-l2-smallest", "l2-largest-no-worse-than-l2-middle"),
)
