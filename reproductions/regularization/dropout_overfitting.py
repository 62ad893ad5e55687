"""
Title: Dropout (p = 0.5) reduces overfitting; inverted dropout leaves test time unchanged
Claim id: dropout-overfitting
Source: seeds 001, 002, 003 ("Regularization: Dropout — randomly set some neurons to zero", p = 0.5;
        inverted dropout "scale by 1/p at train time, test time unchanged"); 002 quoting Krizhevsky
        2012: "Without dropout, our network exhibits substantial overfitting"; Srivastava et al. 2014.

Srivastava et al. report MNIST test error 1.25 % with dropout on a 3×1024 ReLU net, against 1.60 % for a standard
net without dropout (Simard et al.'s 2×800 logistic net, Table 2): not a matched comparison. They tune dropout nets
apart from plain ones (appendix A: other learning rates, more epochs).

We put an MLP (784-256-256-10, ReLU) in an overfitting regime (2000 training images, Adam) and compare
dropout 0.5 on the hidden layers against none, on paired seeds. Each net gets its own learning rate (the same grid for every arm, chosen on a validation split of
the training images) and is read at its best validation epoch: the weights of the epoch with the lowest validation
loss, the checkpoint one would keep. The measures: the train − validation accuracy gap there (training accuracy
of the test-time network), the best validation loss and the validation accuracy there. The lecture's
inverted-dropout point is checked directly: with Keras' Dropout the expected training-time activation equals
the test-time one, and test time is the identity.

Issue 32's redesign (decided from the lecture, the paper and the issue before its judged runs; docs/fair-tests.md):
- Before, every arm trained 40 epochs of Adam at 3e-4 and was read at its last epoch: the plain net's optimum
  (its best validation loss) lies some 30 epochs earlier, a dropout net's later, so a shared schedule read at a
  fixed epoch tested the schedule as much as dropout. Now each arm is tuned for its rate (1e-4, 3e-4, 1e-3; a best
  value on the grid's edge extends the grid once by the next step past it) and read at its best validation epoch.
- The lecture gives no size ("substantial overfitting", 002), so the primary is the direction: dropout narrows the
  gap. Our 2-point margin becomes a secondary, labelled as ours; the final-epoch validation losses are gone (a
  fixed-epoch reading), the best validation loss and the accuracy at the best epoch stay, as directions.
- Preconditions (the regime: each net has reached its optimum within its budget): for every trained arm, the best
  validation loss improved by less than 1 % (ours) over the last quarter of its epochs, on every seed; otherwise
  the sub-claims comparing that arm read NOT TESTABLE HERE.
- The budget, 60 epochs (1200 steps), is sized from a pilot of the regime (a tuning seed, the tuning split, nothing
  judged; Xeon with AVX-512, 2026-12-07): at 40 epochs dropout 0.5 at 1e-4 and input + hidden dropout at 3e-4 were
  still improving their best validation loss (by 4.8 % and 1.3 % in the last quarter), at 60 by 0.2 % and 0.0 %.
- The small-set arms (500 images: "the gap grows as the set shrinks", and dropout there) are removed: where the
  effect holds across training-set sizes is issue 34's sweep over training images, and their runs would not fit
  the claim's time with the longer budget.

Changed for time, in the open (issue 32's bar: at most 4 minutes per commissioned claim at quick with --jobs 2 on a
2-core AVX2 machine; decided 2026-12-08 before any run of this design, a new definition hash for every sub-claim,
judged again on discovery and fresh seeds):
- The design above took 834 s of runs on a 2-core AMD EPYC with AVX2 only (about 7 minutes with --jobs 2): 30
  trained runs of a 784-512-512-10 net, 60 epochs each.
- The hidden width at quick (and smoke) is 256: 784-256-256-10. The lecture gives no width; Srivastava et al.'s
  nets are 1024 and wider, and the full profile keeps their 3×1024. With 270k weights for 2000 images the net can
  still memorise its training set, which is the overfitting regime the claim needs; a run costs about two thirds of
  the wider net's (timed alone on the AVX2 EPYC: 11.4 s against 16.9 s for 60 epochs).
- The input 0.2 + hidden 0.5 arm (Srivastava et al.'s setting, not the lecture's: the lecture's dropout is p = 0.5
  on neurons) is removed with its two sub-claims and its precondition: with its tuning it was 8 of the 30 trained
  runs.
"""


import math

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec, Tuning
from reproductions.common.data import image_split
from reproductions.common.training import BestEpoch, fit_epochs, per_epoch
from reproductions.expect import exact_below, higher, near, ours

# The lecture gives no size for the gap ("substantial overfitting", 002); Srivastava et al.'s 1.60 % -> 1.25 % (Table 2)
# compares a 2x800 logistic net without dropout with a 3x1024 ReLU net with it, not a matched pair.
GAP_SIZE = ours("our margin for a real change in the train-validation gap: 2 points of accuracy; the lecture "
                "says only 'substantial overfitting' (002) and gives no number")
CONVERGED = 0.01  # the best validation loss improved by less than 1 % over the last quarter of the epochs
CONVERGED_SIZE = ours("our threshold for 'has reached its optimum within its budget': a best validation loss still "
                      "improving by 1 % or more over the last quarter of the epochs is still falling; the pilot's "
                      "converged runs improved by 0.3 % or less, unconverged ones by 1.3 % and more")


def build(config, input_dim):
    layers = [keras.Input((input_dim,))]
    if config["input_dropout"]:
        layers.append(keras.layers.Dropout(config["input_dropout"]))
    for _ in range(config["depth"]):
        layers.append(keras.layers.Dense(config["width"], activation="relu"))
        if config["hidden_dropout"]:  # 001: "randomly set some neurons to zero", p = 0.5
            layers.append(keras.layers.Dropout(config["hidden_dropout"]))
    layers.append(keras.layers.Dense(10, dtype="float32"))  # logits in float32 under any dtype policy
    return keras.Sequential(layers)


def inverted_dropout_check(config, seed):
    """003: inverted dropout scales kept units by 1/p at train time so that test time needs no change."""
    rate, draws = config["hidden_dropout"], config["check_draws"]
    layer = keras.layers.Dropout(rate, seed=seed)
    x = np.abs(np.random.default_rng(seed).standard_normal((1, 4096))).astype("float32") + 0.1
    total, kept, scales = np.zeros_like(x, dtype="float64"), 0.0, []
    for _ in range(draws):
        y = np.asarray(keras.ops.convert_to_numpy(layer(x, training=True)), dtype="float64")
        total += y
        mask = y != 0
        kept += mask.mean()
        scales.append(float(np.median(y[mask] / x[mask])))
    expected_train = total / draws  # E[dropout(x)] over the draws
    test = np.asarray(keras.ops.convert_to_numpy(layer(x, training=False)), dtype="float64")
    # the input as the layer computes it: under mixed_bfloat16 the cast to bf16 alone moves it by up to 2^-8
    # relative, which is the precision's doing, not dropout's
    x_computed = np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(x, layer.compute_dtype)), dtype="float64")
    return ArmResult(scalars={
        "expected_train_over_test": float(expected_train.mean() / test.mean()),
        "test_time_max_abs_change": float(np.abs(test - x_computed).max()),
        "kept_fraction": kept / draws,
        "kept_unit_scale": float(np.median(scales)),
    })


def late_gain(val_loss) -> float:
    """How much the best validation loss improved over the last quarter of the epochs, relative to the best before
    it: about 0 (or below) for a net that had reached its optimum, clearly above 0 for one still improving."""
    values = np.asarray(val_loss, dtype="float64")
    cut = len(values) - len(values) // 4
    if cut < 1 or cut >= len(values):
        return math.nan
    before = values[:cut].min()
    return float((before - values[cut:].min()) / before)


def run(config, seed, context):
    if config["mode"] == "inverted-check":
        return inverted_dropout_check(config, seed)
    (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                         context.data_dir, validation_pool=context.validation_pool)
    model = build(config, x.shape[1])
    best = BestEpoch("val_loss")
    fit = fit_epochs(model, x, y, (x_val, y_val), optimizer=keras.optimizers.Adam(config["learning_rate"]),
                     batch_size=config["batch_size"], epochs=config["epochs"], step_cap=context.step_cap,
                     callbacks=[best])
    history = fit.history
    final_train_loss, final_train_accuracy = model.evaluate(x, y, batch_size=1000, verbose=0)
    best.restore()  # read at the best validation epoch: the checkpoint one would keep
    # the training accuracy of the test-time network (no dropout), as the validation's
    train_loss, train_accuracy = model.evaluate(x, y, batch_size=1000, verbose=0)
    val_loss, val_accuracy = model.evaluate(x_val, y_val, batch_size=1000, verbose=0)
    epochs = len(history["val_loss"])
    return ArmResult(
        scalars={"train_accuracy": float(train_accuracy), "train_loss": float(train_loss),
                 "val_accuracy": float(val_accuracy), "val_loss": float(val_loss),
                 "best_val_loss": float(min(history["val_loss"])), "gap": float(train_accuracy - val_accuracy),
                 "best_epoch": float(best.epoch or epochs), "best_epoch_fraction": float((best.epoch or epochs) / epochs),
                 "late_gain": late_gain(history["val_loss"]),
                 "final_train_accuracy": float(final_train_accuracy), "final_train_loss": float(final_train_loss),
                 "final_val_loss": float(history["val_loss"][-1]), **fit.throughput},
        series={"val_loss_curve": per_epoch(history["val_loss"]), "val_accuracy_curve": per_epoch(history["val_accuracy"]),
                "train_loss_curve": per_epoch(history["loss"])},
        notes=f"best epoch {best.epoch}/{epochs}: gap {train_accuracy - val_accuracy:.3f}, val loss {val_loss:.3f}")


TRAINED = ("none", "dropout-0.5")


def converged(arm: str, description: str):
    return exact_below(f"{arm}-reached-its-optimum", arm, "late_gain", CONVERGED, size=CONVERGED_SIZE,
                       statement=f"precondition: {description} has reached its best validation loss within its "
                                 "budget (it improved by less than 1 % over the last quarter of the epochs, every seed)",
                       lecture="a net read at its best validation epoch must have reached it (issue 32: converged "
                               "before it is judged)")


CLAIM = Claim(
    id="dropout-overfitting",
    title="Dropout (p = 0.5) reduces overfitting; inverted dropout leaves test time unchanged",
    statement=("'Regularization: Dropout — In each forward pass, randomly set some neurons to zero. Probability of "
               "dropping is a hyperparameter; 0.5 is common.' 'Without dropout, our network exhibits substantial "
               "overfitting' (Krizhevsky 2012). Inverted dropout: scale at train time, 'test time is unchanged'."),
    source="001 'Regularization: Dropout', 'Inverted dropout'; 002 (Krizhevsky 2012 quoted); 003 'Dropout'; "
           "Srivastava et al. 2014 (MNIST, Table 2: 1.25 % test error with dropout on a 3×1024 ReLU net; 1.60 % for a "
           "standard 2×800 net without it, not a matched pair; appendix A: dropout nets tuned apart)",
    lecture_number="no number for the gap ('substantial overfitting'); MNIST test error 1.25 % with dropout, 1.60 % for "
                   "another net without (Srivastava 2014, not a matched pair)",
    setup=("Overfitting regime: MLP 784-256-256-10 (ReLU), Adam, batch 100, 60 epochs on a class-balanced Fashion-MNIST "
           "training subset of 2000 images, validated each epoch on 1000 held-out test images. Each arm's Adam rate "
           "is tuned on the same grid (1e-4, 3e-4, 1e-3; extended once past an edge) on a validation split of the "
           "training images, by its best validation loss; each run is read at its best validation epoch (the weights "
           "of the epoch with the lowest validation loss), with the training accuracy of the test-time network "
           "(no dropout). Arms share seeds (same subset, same initial weights). The inverted-dropout check draws "
           "Keras' Dropout 200 times on a fixed positive input."),
    check="train−validation gap, best validation loss and accuracy of a 784-256-256 MLP on 2000 images, with and without "
          "dropout, each at its own Adam rate and best validation epoch; Keras' Dropout drawn directly",
    base_config={"mode": "train", "dataset": "fashion-mnist", "train_size": 2000, "validation_size": 1000, "depth": 2,
                 "width": 256, "input_dropout": 0.0, "hidden_dropout": 0.0, "learning_rate": 3e-4, "batch_size": 100,
                 "epochs": 60, "check_draws": 200},
    arms=(
        Arm("none", {}, "no dropout", tuned=True),
        Arm("dropout-0.5", {"hidden_dropout": 0.5}, "dropout 0.5 on the hidden layers", tuned=True),
        Arm("inverted-check", {"mode": "inverted-check", "hidden_dropout": 0.5}, "Keras Dropout(0.5), drawn directly"),
    ),
    tuning=Tuning(param="learning_rate", grid=(1e-4, 3e-4, 1e-3), metric="best_val_loss", direction="less",
                  extend_edges=1),
    expectations=(
        converged("none", "the net without dropout"),
        converged("dropout-0.5", "the net with dropout 0.5"),
        higher("dropout-narrows-gap", "none", "gap", than="dropout-0.5", by=0.0,
               statement="dropout 0.5 narrows the train−validation accuracy gap, each net at its own rate and its best "
                         "validation epoch",
               lecture="'Without dropout, our network exhibits substantial overfitting'"),
        higher("dropout-narrows-gap-by-2-points", "none", "gap", than="dropout-0.5", by=0.02, size=GAP_SIZE,
               statement="dropout 0.5 narrows the gap by more than 2 points (a size of ours)",
               lecture="'Without dropout, our network exhibits substantial overfitting'"),
        higher("dropout-lowers-best-val-loss", "none", "best_val_loss", than="dropout-0.5", by=0.0,
               statement="dropout 0.5 lowers the best validation loss, each net at its own rate",
               lecture="dropout as a regularizer"),
        higher("dropout-raises-val-accuracy", "dropout-0.5", "val_accuracy", than="none", by=0.0,
               statement="dropout 0.5 raises the validation accuracy at the best validation epoch",
               lecture="1.60 % → 1.25 % test error (Srivastava, not a matched pair)"),
        near("inverted-dropout-expectation", "inverted-check", "expected_train_over_test", 1.0, tolerance=0.01,
             size=ours("target a computed fact (scaling kept units by 1/p makes E[train] = test, 001/002); the "
                       "±1 % tolerance ours, several times the Monte Carlo spread of 200 draws of 4096 units"),
             statement="inverted dropout: the expected training-time activation equals the test-time one (±1 %)",
             lecture="'scale by 1/p at train time' so that test time needs no change"),
        exact_below("inverted-dropout-test-time-identity", "inverted-check", "test_time_max_abs_change", 1e-6,
                    size=ours("a computed fact: the identity changes nothing (0 exactly); 1e-6 is a float-rounding "
                              "allowance"),
                    statement="at test time dropout is the identity",
                    lecture="'test time is unchanged'"),
    ),
    preconditions={
        "none-reached-its-optimum": (
            "dropout-narrows-gap", "dropout-narrows-gap-by-2-points", "dropout-lowers-best-val-loss",
            "dropout-raises-val-accuracy"),
        "dropout-0.5-reached-its-optimum": (
            "dropout-narrows-gap", "dropout-narrows-gap-by-2-points", "dropout-lowers-best-val-loss",
            "dropout-raises-val-accuracy"),
    },
    budgets={
        "smoke": Budget(overrides={"train_size": 200, "validation_size": 200, "epochs": 4, "check_draws": 20},
                        note="200 images, 4 epochs: pipeline check only"),
        "quick": Budget(note="2000 images, 60 epochs, 1 tuning seed"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "validation_size": None, "width": 1024,
                                  "depth": 3},
                       note="Srivastava's 3×1024 ReLU net on the whole training set (CIFAR-10 if its archive is here, "
                            "else Fashion-MNIST), 60 epochs, the whole test set as validation (a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="validation-loss", kind="series", metric="val_loss_curve",
                 title="Validation loss per epoch at each arm's rate (mean, min–max over seeds)", xlabel="epoch",
                 ylabel="validation loss"),
        PlotSpec(name="gap", kind="bar", metric="gap",
                 title="Train − validation accuracy gap at the best validation epoch (mean, 95% CI)",
                 ylabel="accuracy gap"),
    ),
    summary_metrics=("train_accuracy", "val_accuracy", "gap", "best_val_loss", "best_epoch", "late_gain"),
    primary=("dropout-narrows-gap",),  # 'Without dropout, our network exhibits substantial overfitting': the direction
)
