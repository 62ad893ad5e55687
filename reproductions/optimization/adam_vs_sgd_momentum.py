"""
Title: Adam is faster early; well-tuned SGD+momentum is level or ahead at the end
Claim id: adam-vs-sgd-momentum
Source: seed 002 ("the lesson from the trenches is that well-tuned SGD+Momentum is very hard to beat
        for CNNs"; "No consensus on Adam etc.: Seem to give faster performance to worse local minima");
        003 ("As the default choice, Adam's method works well in most cases"); 001 ("SGD + Momentum >
        SGD", "Momentum 0.9 usually works well"); Wilson et al. 2017.

Wilson et al.: adaptive methods progress faster early and plateau; with equal tuning SGD/momentum
match or beat them on test data. Their grid: step sizes 2^k over 5 consecutive k, extended when the
best sits at an edge.

Both optimizers train the same small Krizhevsky-style CNN for the same epochs. Each is tuned on the
same grid, 2^k × its customary rate for k = -2..2 (Adam around 1e-3, SGD+momentum 0.9 around 0.02),
by final validation accuracy on tuning seeds kept apart, validated on a split carved from the training
images (never the held-out images the verdict is read on), and judged at its best rate on paired seeds.
Rates whose median final accuracy over the tuning seeds is within half a point (0.005) of the best are
tied, and the tie goes to the lower median final validation loss.

The tie rule's history, in the open (each change is a new definition hash; the report shows it):
1. No tie rule: the best median, exact ties only. Among rates within noise of each other the choice
   was seed noise, and the early half of the verdict followed it (docs/backend-parity-cpu.md).
2. Margin 0.005, then 0.01, tie-break the lower first-epoch training loss; both set after seeing the
   judged seeds of the parity run. The 0.01 margin was twice the 0.5-point margin of the sub-claims it
   decides, and its tie-break is a judged metric (adam-ahead-early-train-loss): the rule could pick the
   rate that settled the verdict. With oneDNN off one median moved by 0.002 and the rule picked Adam
   0.002 instead of 0.004: all four sub-claims flipped (docs/onednn-parity-cpu.md).
3. Now: margin 0.005 (no wider than the 0.5-point margins of the final-accuracy sub-claims, as the
   schema requires) and the tie-break the final validation loss, which no sub-claim judges. Fixed
   before its judged runs; `reprobench confirm` judges it again on seeds no decision has seen.

The two halves of the claim are judged separately: Adam ahead early (training loss and validation
accuracy after the first epoch), and SGD+momentum level with (within half a point) or ahead of Adam
at the end. The primary sub-claims are one of each: Adam's lower training loss after the first epoch
and SGD+momentum level or ahead at the end.

Issue 32's redesign (decided from the lecture, Wilson et al. and the issue before its judged runs;
docs/fair-tests.md):
- "Well-tuned" is a tuned rate *and* a decay: both optimizers' rates now step down ×0.1 at half and at three
  quarters of the budget (the same schedule for both; the schedule is ours, the common step schedule in
  proportion to the budget: Wilson et al. decay the step size of every method they compare, adaptive ones
  included, and their SGD edge appears after it decays). Before, both trained 6 epochs at a constant rate.
- The grid extends once past an edge (Tuning.extend_edges; Wilson et al. extend their grid when the best step
  size sits at an edge). Before, Adam's chosen rate sat on the grid's edge and stayed there.
- The lecture gives no number ("seem to give faster performance", 002), so the early primary is the direction:
  Adam's training loss after the first epoch (before any decay) is lower; our 0.02-nat margin becomes a secondary
  labelled as ours. The end-level primary is a non-inferiority test, whose half-point margin is ours with its
  reason (the tuning's tie margin); "SGD ahead at the end" and "Adam ahead early on validation accuracy" are
  directions.
- The budget stays 6 epochs (1200 steps), the longest the claim's time at `quick` allows; the last quarter
  (1.5 epochs) runs at a hundredth of the rate.
"""

import keras

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec, Tuning
from reproductions.common.data import image_split
from reproductions.common.models import cnn
from reproductions.common.training import capped_schedule, fit_epochs, per_epoch
from reproductions.expect import higher, not_lower, ours


def step_decay(rate: float, total_steps: int, at: tuple, factor: float):
    """The rate times `factor` after each fraction `at` of the training steps (the same for both optimizers)."""
    boundaries = sorted({max(1, int(f * total_steps)) for f in at})
    return keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, [rate * factor ** i
                                                                          for i in range(len(boundaries) + 1)])


def make_optimizer(config, total_steps: int):
    rate = step_decay(config["learning_rate"], total_steps, tuple(config["decay_at"]), config["decay_factor"])
    if config["optimizer"] == "adam":
        return keras.optimizers.Adam(learning_rate=rate)
    if config["optimizer"] == "sgd-momentum":  # 001: "Momentum 0.9 usually works well"
        return keras.optimizers.SGD(learning_rate=rate, momentum=0.9)
    raise ValueError(f"unknown optimizer {config['optimizer']!r}")


def run(config, seed, context):
    (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                         context.data_dir, flat=False, validation_pool=context.validation_pool)
    model = cnn(x.shape[1:], tuple(config["channels"]), config["kernel"], "relu",
                convs_per_stage=config["convs_per_stage"])
    steps, epochs, steps_per_epoch = capped_schedule(len(x), config["batch_size"], config["epochs"], context.step_cap)
    optimizer = make_optimizer(config, (steps_per_epoch or steps) * epochs)
    fit = fit_epochs(model, x, y, (x_val, y_val), optimizer=optimizer, batch_size=config["batch_size"],
                     epochs=config["epochs"], step_cap=context.step_cap)
    history = fit.history
    return ArmResult(
        scalars={"epoch1_train_loss": float(history["loss"][0]), "epoch1_val_accuracy": float(history["val_accuracy"][0]),
                 "final_val_accuracy": float(history["val_accuracy"][-1]), "final_val_loss": float(history["val_loss"][-1]),
                 "final_train_loss": float(history["loss"][-1]), **fit.throughput},
        series={"val_accuracy_curve": per_epoch(history["val_accuracy"]), "train_loss_curve": per_epoch(history["loss"])},
        notes=f"epoch 1 val {history['val_accuracy'][0]:.3f}, final val {history['val_accuracy'][-1]:.3f}")


CLAIM = Claim(
    id="adam-vs-sgd-momentum",
    title="Adam is faster early; well-tuned SGD+momentum is level or ahead at the end",
    statement=("'the lesson from the trenches is that well-tuned SGD+Momentum is very hard to beat for CNNs'; "
               "'No consensus on Adam etc.: Seem to give faster performance to worse local minima' (002); "
               "'As the default choice, Adam's method works well in most cases' (003)."),
    source="002 'Optimization' (lessons from the trenches); 003 'Adam'; 001 'SGD + Momentum'; Wilson et al. 2017",
    lecture_number="no number in the lecture; Wilson et al. 2017: SGD/momentum matches or beats adaptive methods on test",
    setup=("Fashion-MNIST training subset (10k, class-balanced, standardized), validated each epoch on 2000 held-out "
           "test images; a small Krizhevsky-style CNN (conv 3×3 8 and 16 channels, each with ReLU and 2×2 max-pool, "
           "then a linear classifier), batch 50, 6 epochs, no regularization. Adam (default betas) against SGD with "
           "momentum 0.9, each rate stepped down ×0.1 at half and at three quarters of the steps; each optimizer "
           "tuned on 2^k × its customary rate, k = −2…2 (extended once past an edge), by final validation accuracy "
           "on tuning seeds kept apart from the judged seeds, validated on a split of the training images; rates "
           "within 0.005 of the best are tied, and the tie goes to the lower final validation loss."),
    check='a small CNN, 6 epochs with a step decay, each optimizer tuned on 2^k × its customary rate; epoch-1 and final '
          'measures',
    base_config={"dataset": "fashion-mnist", "train_size": 10000, "validation_size": 2000, "channels": (8, 16),
                 "kernel": 3, "convs_per_stage": 1, "batch_size": 50,
                 "epochs": 6, "optimizer": "adam", "learning_rate": 1e-3, "decay_at": (0.5, 0.75), "decay_factor": 0.1},
    arms=(
        Arm("adam", {"optimizer": "adam", "learning_rate": 1e-3}, "Adam, rates 2.5e-4 … 4e-3", tuned=True),
        Arm("sgd-momentum", {"optimizer": "sgd-momentum", "learning_rate": 0.02}, "SGD + momentum 0.9, rates 0.005 … 0.08",
            tuned=True),
    ),
    tuning=Tuning(param="learning_rate", grid=(0.25, 0.5, 1.0, 2.0, 4.0), metric="final_val_accuracy",
                  direction="greater", relative=True, tie_margin=0.005, tiebreak="final_val_loss",
                  tiebreak_direction="less", extend_edges=1),
    expectations=(
        higher("adam-ahead-early-train-loss", "sgd-momentum", "epoch1_train_loss", than="adam", by=0.0,
               statement="early: after the first epoch (before any decay) Adam's training loss is lower",
               lecture="adaptive methods 'seem to give faster performance'"),
        not_lower("sgd-level-or-ahead-at-end", "sgd-momentum", "final_val_accuracy", than="adam", by=0.005,
                  size=ours("a non-inferiority margin of half a point of accuracy, the tuning tie margin (rates "
                            "within it count as level); the lecture gives no number"),
                  statement="at the end, after the decay, SGD+momentum is level with Adam (not worse by more than 0.5 "
                            "points) or ahead",
                  lecture="'well-tuned SGD+Momentum is very hard to beat'"),
        higher("adam-ahead-early-train-loss-by-0.02", "sgd-momentum", "epoch1_train_loss", than="adam", by=0.02,
               size=ours("our margin for a real early lead: 0.02 nats of first-epoch training loss; the lecture "
                         "says only 'seem to give faster performance' (002), no number"),
               statement="early: after the first epoch Adam's training loss is lower by more than 0.02 (a size of "
                         "ours)",
               lecture="adaptive methods 'seem to give faster performance'"),
        higher("adam-ahead-early-val-accuracy", "adam", "epoch1_val_accuracy", than="sgd-momentum", by=0.0,
               statement="early: after the first epoch Adam's validation accuracy is higher",
               lecture="adaptive methods 'seem to give faster performance'"),
        higher("sgd-ahead-at-end", "sgd-momentum", "final_val_accuracy", than="adam", by=0.0,
               statement="at the end, after the decay, SGD+momentum is ahead of Adam",
               lecture="Adam goes 'to worse local minima'"),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "validation_size": 200, "epochs": 2},
                        note="500 images, 2 epochs: pipeline check only"),
        "quick": Budget(tuning_seeds=2, note="10k images, 6 epochs, 2 tuning seeds"),
        "full": Budget(tuning_seeds=2,
                       overrides={"dataset": "auto", "train_size": None, "validation_size": None,
                                  "channels": (32, 64, 128), "convs_per_stage": 2, "batch_size": 128, "epochs": 20},
                       note="the whole training set (CIFAR-10 if its archive is here, else Fashion-MNIST), a VGG-style "
                            "CNN (3 stages of two 3×3 convs, 32-64-128), batch 128, 20 epochs; 2 tuning seeds "
                            "(a GPU job)"),
    },
    run=run,
    plots=(
        PlotSpec(name="validation-accuracy", kind="series", metric="val_accuracy_curve",
                 title="Validation accuracy per epoch at each optimizer's best rate (mean, min–max over seeds)",
                 xlabel="epoch", ylabel="validation accuracy"),
        PlotSpec(name="training-loss", kind="series", metric="train_loss_curve", log_y=True,
                 title="Training loss per epoch (mean, min–max over seeds)", xlabel="epoch", ylabel="training loss"),
    ),
    summary_metrics=("epoch1_train_loss", "epoch1_val_accuracy", "final_val_accuracy", "final_val_loss"),
    primary=("adam-ahead-early-train-loss", "sgd-level-or-ahead-at-end"),
)
