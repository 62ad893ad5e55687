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
"""

import keras

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec, Tuning
from reproductions.common.data import image_split
from reproductions.common.models import cnn
from reproductions.common.training import fit_epochs, per_epoch
from reproductions.expect import higher, not_lower, ours


def make_optimizer(config):
    if config["optimizer"] == "adam":
        return keras.optimizers.Adam(learning_rate=config["learning_rate"])
    if config["optimizer"] == "sgd-momentum":  # 001: "Momentum 0.9 usually works well"
        return keras.optimizers.SGD(learning_rate=config["learning_rate"], momentum=0.9)
    raise ValueError(f"unknown optimizer {config['optimizer']!r}")


def run(config, seed, context):
    (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                         context.data_dir, flat=False, validation_pool=context.validation_pool)
    model = cnn(x.shape[1:], tuple(config["channels"]), config["kernel"], "relu",
                convs_per_stage=config["convs_per_stage"])
    fit = fit_epochs(model, x, y, (x_val, y_val), optimizer=make_optimizer(config), batch_size=config["batch_size"],
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
           "momentum 0.9, each tuned on 2^k × its customary rate, k = −2…2, by final validation accuracy on tuning "
           "seeds kept apart from the judged seeds, validated on a split of the training images; rates within 0.005 "
           "of the best are tied, and the tie goes to the lower final validation loss."),
    check='a small CNN, 6 epochs, each optimizer tuned on 2^k × its customary rate; epoch-1 and final measures',
    base_config={"dataset": "fashion-mnist", "train_size": 10000, "validation_size": 2000, "channels": (8, 16),
                 "kernel": 3, "convs_per_stage": 1, "batch_size": 50,
                 "epochs": 6, "optimizer": "adam", "learning_rate": 1e-3},
    arms=(
        Arm("adam", {"optimizer": "adam", "learning_rate": 1e-3}, "Adam, rates 2.5e-4 … 4e-3", tuned=True),
        Arm("sgd-momentum", {"optimizer": "sgd-momentum", "learning_rate": 0.02}, "SGD + momentum 0.9, rates 0.005 … 0.08",
            tuned=True),
    ),
    tuning=Tuning(param="learning_rate", grid=(0.25, 0.5, 1.0, 2.0, 4.0), metric="final_val_accuracy",
                  direction="greater", relative=True, tie_margin=0.005, tiebreak="final_val_loss",
                  tiebreak_direction="less"),
    expectations=(
        higher("adam-ahead-early-train-loss", "sgd-momentum", "epoch1_train_loss", than="adam", by=0.02,
               size=ours("our margin for a real early lead: 0.02 nats of first-epoch training loss; the lecture "
                         "says only 'seem to give faster performance' (002), no number"),
               statement="early: after the first epoch Adam's training loss is lower (by > 0.02)",
               lecture="adaptive methods 'seem to give faster performance'"),
        higher("adam-ahead-early-val-accuracy", "adam", "epoch1_val_accuracy", than="sgd-momentum", by=0.005,
               size=ours("our margin of half a point of accuracy (the tuning tie margin); the lecture gives no "
                         "number"),
               statement="early: after the first epoch Adam's validation accuracy is higher (by > 0.5 points)",
               lecture="adaptive methods 'seem to give faster performance'"),
        not_lower("sgd-level-or-ahead-at-end", "sgd-momentum", "final_val_accuracy", than="adam", by=0.005,
                  size=ours("a non-inferiority margin of half a point of accuracy, the tuning tie margin (rates "
                            "within it count as level); the lecture gives no number"),
                  statement="at the end SGD+momentum is level with Adam (not worse by more than 0.5 points) or ahead",
                  lecture="'well-tuned SGD+Momentum is very hard to beat'"),
        higher("sgd-ahead-at-end", "sgd-momentum", "final_val_accuracy", than="adam", by=0.005,
               size=ours("our margin of half a point of accuracy, the same as the level-or-ahead margin; the "
                         "lecture ('worse local minima', 002) gives no number"),
               statement="at the end SGD+momentum is ahead of Adam (by > 0.5 points)",
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
