"""
Title: A wider hidden layer fits the training images better (a template: copy it, then make it your claim)
Claim id: template-wider-fits-better
Source: seed 003 ("The bigger … the better"): replace with the seed file(s) and slide of YOUR claim.

This file is a claim that runs: it is not registered (its name starts with '_' and it lies outside the topic
folders), so copy it to start a new one:

    cp reproductions/_template.py reproductions/<topic>/<your_claim>.py
    # fill it in: the lecture's words, the arms, the sub-claims (reproductions/expect.py), the budgets
    reprobench run <your-claim-id> --profile smoke     # seconds: the pipeline on tiny data, never a verdict
    reprobench run <your-claim-id>                     # quick: the verdict, 5 seeds (aim for under 90 s)
    reprobench confirm <your-claim-id>                 # the same on fresh seeds: does it replicate?
    reprobench pins --from mlflow.db <your-claim-id>   # with the other sources (README, "Adding a claim")

The header is the lecture's claim in words and where it comes from, then how it is tested here, then what its
sizes rest on (the fair-test rules of DESIGN.md: a size has a source, a regime is a precondition). Keep it
readable top to bottom, like a keras-io example; teaching comments tie the code to the lecture (“# 003: …”).

Here: a one-hidden-layer ReLU MLP on 2000 Fashion-MNIST training images, 16 hidden units against 256, Adam,
the same epochs; does the wider net end at a lower training loss? The lecture gives no number, so the primary
sub-claim is the direction only (no margin beyond "lower"). A sub-claim that states a number says where it comes
from (`size=from_lecture("the words", seed="003")`, `from_paper(…)` or `ours("the reason")`, reproductions/expect.py),
and a regime the claim needs is a precondition (`preconditions=` on the Claim: a sub-claim judged first; when it
fails, what it guards reads NOT TESTABLE HERE).
"""

import keras

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_split
from reproductions.common.evaluation import fit_validated
from reproductions.common.models import mlp
from reproductions.common.training import per_epoch
from reproductions.expect import higher, lower


def run(config, seed, context):
    """One arm × seed: build, train, measure. Pure Keras 3 (no backend import), so it runs on every backend."""
    (x, y), validation = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                     context.data_dir, validation_pool=context.validation_pool)
    model = mlp(x.shape[1], depth=1, width=config["width"], activation="relu")
    fit = fit_validated(model, x, y, validation, optimizer=keras.optimizers.Adam(config["learning_rate"]),
                        batch_size=config["batch_size"], epochs=config["epochs"], step_cap=context.step_cap)
    history = fit.history
    return ArmResult(
        scalars={"final_train_loss": float(history["loss"][-1]), "final_val_accuracy": history["val_accuracy"][-1],
                 **fit.throughput},
        series={"train_loss_curve": per_epoch(history["loss"])},
        notes=f"{config['width']} units: training loss {history['loss'][-1]:.4f}")


CLAIM = Claim(
    id="template-wider-fits-better",
    title="A wider hidden layer fits the training images better (template)",
    statement="'The bigger … the better' (003), read as: more hidden units, lower training loss at equal epochs.",
    source="003 (replace: the seed file and slide of your claim)",
    check="training loss of a 16- and a 256-unit ReLU MLP after 5 epochs on 2000 images",
    setup="Fashion-MNIST, 2000 training images (standardized), validated on 1000 held-out images; one hidden ReLU "
          "layer of 16 or 256 units, Adam 1e-3, batch 100, 5 epochs.",
    base_config={"dataset": "fashion-mnist", "train_size": 2000, "validation_size": 1000, "width": 16,
                 "learning_rate": 1e-3, "batch_size": 100, "epochs": 5},
    arms=(
        Arm("narrow", {"width": 16}, "16 hidden units"),
        Arm("wide", {"width": 256}, "256 hidden units"),
    ),
    expectations=(
        lower("wide-fits-better", "wide", "final_train_loss", than="narrow", by=0.0,
              statement="the 256-unit net ends at a lower training loss than the 16-unit one",
              lecture="'The bigger … the better' (003)"),
        higher("wide-validates-better", "wide", "final_val_accuracy", than="narrow", by=0.0,
               statement="and at a higher validation accuracy"),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 200, "validation_size": 100, "epochs": 1},
                        note="200 images, 1 epoch: pipeline check only"),
        "quick": Budget(note="2000 images, 5 epochs"),
        "full": Budget(overrides={"train_size": None, "validation_size": None, "epochs": 20},
                       note="all 60000 training images, validated on the 10000 test images, 20 epochs"),
    },
    run=run,
    plots=(PlotSpec(name="training-loss", kind="series", metric="train_loss_curve", log_y=True,
                    title="Training loss after each epoch (mean, min–max over seeds)", xlabel="epoch",
                    ylabel="training loss"),),
    summary_metrics=("final_train_loss", "final_val_accuracy"),
    primary=("wide-fits-better",),
)
