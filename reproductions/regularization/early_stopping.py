"""
Title: Early stopping on a validation set gives a net that generalizes better than training to the end
Claim id: early-stopping
Source: seed 000 ("Learning Curves": "Early stopping: terminate while validation set performance is better";
        "Why it works? Refer to 'Deep Learning' book, Chap 7.8", Figure 7.3: the validation loss turning up
        while the training loss keeps falling).

The lecture gives no number, only the picture of a U-shaped validation curve and the rule.

What we check. The shared overfitting setup of batch B (reproductions/common/overfitting.py: a 784-256-256-10
ReLU MLP memorising 1000 Fashion-MNIST images with Adam) trained for its whole budget (20 logged epochs of two
passes), its data loss measured after every logged epoch on two sets:

- a stopping set of 1000 images carved from the training images, disjoint from the training subset (as
  common.data.image_split carves a tuning run's validation set: validation_pool='train'): the set the rule
  watches, as a practitioner's validation set would be;
- 1000 held-out test images, which no choice sees: where the verdict is read.

The rule is Keras' own `keras.callbacks.EarlyStopping(monitor='val_loss', patience=3,
restore_best_weights=True)`, replayed on the stopping-set curve (the same callback object, fed each epoch's
stopping-set loss): it stops at the first epoch that is 3 logged epochs (6 passes, 60 steps) past the best
one, and hands back the weights of the best epoch seen. Patience 3 of 20 logged epochs is fixed beforehand: long
enough that one noisy epoch does not stop the run, short enough that the rule stops within the budget when the
curve turns up. The early-stopped net is the net at that restored epoch: its test loss and accuracy are read
from the per-epoch test curve (the net at the end of that epoch). Training to the end is the net after the
last epoch. One training run gives both nets, so the comparison is paired within the run.

Sub-claims (margins fixed beforehand). Primary: the early-stopped net's test loss is lower than the final
net's by more than 0.05 nats (the size dropout-overfitting calls a real change in validation loss). Secondary:
its test accuracy is no more than 1 point lower (non-inferiority); the test-image validation curve has its
minimum in the first half of training (best epoch / epochs < 0.5) and ends more than 0.05 above that minimum
(the curve turns up); the rule stops before the budget in most seeds (rate > 0.5, binomial).

Seeds at quick: 7 (were 5), in the open (issue 32's decidability test, 2026-12-08, before any run at 7):
rule-stops-before-the-end, in its secondary family of four, is judged by a sign or binomial test whose smallest p at
5 seeds, 4 × 2^-5 = 0.125 after Holm, could not reach α = 0.045 whatever the runs gave; at 7 seeds it is 4 × 2^-7 =
0.031. Nothing else changed.
"""

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import load_cifar10, load_fashion_mnist, subset_index
from reproductions.common.evaluation import EpochValidation, logits_of, softmax_metrics
from reproductions.common.overfitting import OVERFIT, OVERFIT_FULL, OVERFIT_SETUP, OVERFIT_SMOKE, overfit_mlp
from reproductions.common.training import TrainTimer, capped_schedule, compile_softmax, per_epoch
from reproductions.expect import at_least, at_most, ours, rate_at_least

PATIENCE = 3  # logged epochs (2 passes each) without a new best stopping-set loss


def stopping_split(config, seed, data_dir):
    """(train, stopping, test), each (x, y): the seeded class-balanced training subset and the stopping set
    exactly as common.data.image_split(validation_pool='train') draws them (the stopping set first, from all
    training images; the training subset from the rest), and the held-out test subset image_split draws with
    validation_pool='test'; all three standardized with the training subset's pixel mean and std, as rows."""
    if config["dataset"] == "fashion-mnist":
        (x_all, y_all), (x_test, y_test) = load_fashion_mnist(data_dir)
    elif config["dataset"] == "cifar10":
        (x_all, y_all), (x_test, y_test) = load_cifar10(data_dir)
    else:
        raise ValueError(f"unknown dataset {config['dataset']!r}")
    stopping_size = config["stopping_size"] or len(y_test)
    held = subset_index(y_all, stopping_size, seed + 1)
    rest = np.setdiff1d(np.arange(len(y_all)), held)
    train = rest if config["train_size"] is None else rest[subset_index(y_all[rest], config["train_size"], seed)]
    test = (np.arange(len(y_test)) if config["validation_size"] is None
            else subset_index(y_test, config["validation_size"], seed + 1))
    x_train = x_all[train].reshape(len(train), -1).astype("float32") / 255.0
    mean, std = x_train.mean(), x_train.std()

    def rows(images):
        return (images.reshape(len(images), -1).astype("float32") / 255.0 - mean) / std

    return (((x_train - mean) / std, y_all[train].astype("int32")),
            (rows(x_all[held]), y_all[held].astype("int32")),
            (rows(x_test[test]), y_test[test].astype("int32")))


def early_stopping_epochs(losses, patience, model):
    """Replay Keras' EarlyStopping(monitor='val_loss', patience) on a per-epoch loss curve: (epoch it stops
    at, epoch whose weights it restores), both 1-based; it stops at the last epoch when patience never runs out.
    The callback's own bookkeeping is used (restore_best_weights off: the weights are left alone)."""
    rule = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, mode="min")
    rule.set_model(model)
    model.stop_training = False
    rule.on_train_begin()
    stopped = len(losses)
    for epoch, loss in enumerate(losses):
        rule.on_epoch_end(epoch, {"val_loss": float(loss)})
        if model.stop_training:
            stopped = epoch + 1
            break
    model.stop_training = False
    return stopped, rule.best_epoch + 1


def run(config, seed, context):
    (x, y), (x_stop, y_stop), (x_test, y_test) = stopping_split(config, seed, context.data_dir)
    model = overfit_mlp(config, x.shape[1], seed=seed)
    passes = int(config["passes_per_epoch"])
    tiled_x, tiled_y = (np.tile(x, (passes, 1)), np.tile(y, passes)) if passes > 1 else (x, y)
    steps, epochs, steps_per_epoch = capped_schedule(len(tiled_x), config["batch_size"], int(config["epochs"]),
                                                     context.step_cap)
    if steps_per_epoch is not None:  # a shape check: validation reads at most step_cap batches
        cap = context.step_cap * config["batch_size"]
        x_stop, y_stop, x_test, y_test = x_stop[:cap], y_stop[:cap], x_test[:cap], y_test[:cap]
    compile_softmax(model, keras.optimizers.Adam(config["learning_rate"]), steps)
    timer = TrainTimer(len(tiled_x) if steps_per_epoch is None else steps_per_epoch * config["batch_size"])
    stopping, test = EpochValidation(x_stop, y_stop), EpochValidation(x_test, y_test)
    history = model.fit(tiled_x, tiled_y, batch_size=config["batch_size"], epochs=epochs,
                        steps_per_epoch=steps_per_epoch, shuffle=True, verbose=0,
                        callbacks=[timer, stopping, test]).history
    seen = x if context.step_cap is None else x[: context.step_cap * config["batch_size"]]
    train_loss, train_accuracy = softmax_metrics(logits_of(model, seen), y[: len(seen)])

    n = len(test.loss)
    stopped, restored = early_stopping_epochs(stopping.loss, int(config["patience"]), model)
    test_loss = np.where(np.isfinite(test.loss), test.loss, np.inf)
    best_test_epoch = int(np.argmin(test_loss)) + 1
    final_loss, final_accuracy = float(test.loss[-1]), float(test.accuracy[-1])
    stopped_loss, stopped_accuracy = float(test.loss[restored - 1]), float(test.accuracy[restored - 1])
    scalars = {
        "train_accuracy": train_accuracy, "train_loss": train_loss,
        "val_loss": final_loss, "val_accuracy": final_accuracy, "gap": train_accuracy - final_accuracy,
        "best_val_loss": float(test_loss.min()), "best_epoch": float(best_test_epoch),
        "best_epoch_fraction": best_test_epoch / n, "val_loss_rise": final_loss - float(test_loss.min()),
        "stopping_best_epoch": float(int(np.argmin(stopping.loss)) + 1),
        "stopped_epoch": float(stopped), "restored_epoch": float(restored),
        "stopped_before_end": float(stopped < n),
        "early_stopped_val_loss": stopped_loss, "early_stopped_val_accuracy": stopped_accuracy,
        "val_loss_saved": final_loss - stopped_loss, "val_accuracy_change": stopped_accuracy - final_accuracy,
        "epochs_logged": float(n), **timer.scalars()}
    series = {"val_loss_curve": per_epoch(test.loss), "val_accuracy_curve": per_epoch(test.accuracy),
              "stopping_loss_curve": per_epoch(stopping.loss), "train_loss_curve": per_epoch(history["loss"]),
              # the test-image loss up to the epoch the rule stops at: where each seed's curve ends is its stop
              "val_loss_until_stop": per_epoch(test.loss[:stopped])}
    return ArmResult(scalars=scalars, series=series,
                     notes=(f"stops at {stopped}/{n}, restores {restored}: test loss {stopped_loss:.3f} vs final "
                            f"{final_loss:.3f}, accuracy {stopped_accuracy:.3f} vs {final_accuracy:.3f}"))


CLAIM = Claim(
    id="early-stopping",
    title="Early stopping on a validation set gives a net that generalizes better than training to the end",
    statement=("'Early stopping: terminate while validation set performance is better' (000, 'Learning Curves'; "
               "Goodfellow et al., Deep Learning, 7.8: the validation loss turns up while the training loss falls)."),
    source="000 'Learning Curves' (Figure 7.3; 'Deep Learning' book, Chap. 7.8)",
    lecture_number="no number: the picture of a U-shaped validation loss curve",
    setup=(OVERFIT_SETUP + ". Each logged epoch the data loss is also measured on a stopping set of 1000 "
           "training images disjoint from the training subset. Keras' EarlyStopping(monitor='val_loss', "
           f"patience={PATIENCE}, restore_best_weights=True) is replayed on the stopping-set curve; the early-stopped "
           "net is the net at the restored epoch, read on the test-image curve, against the net after the last epoch."),
    check="Keras' EarlyStopping replayed on a stopping set carved from the training images; test loss and accuracy at the restored epoch against the end",
    base_config={**OVERFIT, "stopping_size": 1000, "patience": PATIENCE},
    arms=(Arm("overfit-mlp", {}, "the shared MLP, trained for the whole budget, validated on both sets"),),
    expectations=(
        at_least("early-stopped-lower-test-loss", "overfit-mlp", "val_loss_saved", 0.05, null=0.0,
                 statement="the early-stopped net's held-out loss is lower than the final net's by more than "
                           "0.05 nats",
                 lecture="'terminate while validation set performance is better'",
                 size=ours("the lecture gives no number: 0.05 nats, the size the dropout claim calls a real change "
                           "in validation loss, fixed beforehand")),
        at_least("early-stopped-accuracy-no-lower", "overfit-mlp", "val_accuracy_change", -0.01,
                 statement="the early-stopped net's held-out accuracy is at most 1 point below the final net's",
                 lecture="stopping early loses nothing the validation set would show",
                 size=ours("a non-inferiority margin: 1 point of held-out accuracy, fixed beforehand")),
        at_most("val-loss-minimum-in-first-half", "overfit-mlp", "best_epoch_fraction", 0.5, null=1.0,
                statement="the held-out loss curve has its minimum in the first half of training",
                lecture="Figure 7.3: the validation loss is lowest well before training ends",
                size=ours("the figure has no number: 'well before the end' read as the first half of training")),
        at_least("val-loss-turns-up", "overfit-mlp", "val_loss_rise", 0.05, null=0.0,
                 statement="the final held-out loss lies more than 0.05 above its minimum (the curve turns up)",
                 lecture="Figure 7.3: the U-shaped validation curve",
                 size=ours("the figure has no number: a rise of 0.05 nats, the size the dropout claim calls a real "
                           "change in validation loss")),
        rate_at_least("rule-stops-before-the-end", "overfit-mlp", "stopped_before_end", 0.5, null=0.0,
                      statement=f"the rule (patience {PATIENCE}) stops before the budget in most seeds",
                      lecture="'terminate while …'",
                      size=ours("the lecture gives no rate: our 'stops early in most seeds', more than half")),
    ),
    budgets={
        "smoke": Budget(overrides={**OVERFIT_SMOKE, "stopping_size": 200},
                        note="200 images, 2 epochs: pipeline check only"),
        "quick": Budget(seeds=7, note="the shared overfitting setup: 1000 images, 40 passes; 1000 stopping images; 7 "
                                 "seeds (decidable: a secondary family of four)"),
        "full": Budget(overrides={**OVERFIT_FULL, "stopping_size": None},
                       note="the shared full setup: 3×1024 MLP on 6000 images (CIFAR-10 if its archive is here, "
                            "else Fashion-MNIST), 40 epochs; a stopping set as large as the test set, carved from "
                            "the training images; the whole test set held out (a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="validation-loss", kind="series", metric="val_loss_curve",
                 title="Held-out (test-image) loss per logged epoch (mean, min–max over seeds)",
                 xlabel="logged epoch (2 passes over the 1000 images)", ylabel="held-out loss"),
        PlotSpec(name="validation-loss-until-stop", kind="series", metric="val_loss_until_stop",
                 title="Held-out loss up to the epoch the rule stops at (a seed's curve ends at its stop)",
                 xlabel="logged epoch (2 passes over the 1000 images)", ylabel="held-out loss"),
        PlotSpec(name="stopping-set-loss", kind="series", metric="stopping_loss_curve",
                 title="Stopping-set loss per logged epoch, the curve the rule watches",
                 xlabel="logged epoch (2 passes over the 1000 images)", ylabel="stopping-set loss"),
        PlotSpec(name="restored-epoch", kind="bar", metric="restored_epoch",
                 title="Epoch whose weights early stopping restores (mean, 95% CI)", ylabel="logged epoch"),
    ),
    summary_metrics=("stopped_epoch", "restored_epoch", "best_epoch", "early_stopped_val_loss", "val_loss",
                     "early_stopped_val_accuracy", "val_accuracy", "train_accuracy"),
    primary=("early-stopped-lower-test-loss",),
)
