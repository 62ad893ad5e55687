"""
Title: Batch norm trains faster, tolerates a 5x higher learning rate, and depends less on init
Claim id: batchnorm-speedup
Source: seed 000 ("Inception Net v2: Importance of Batch Norm — Higher accuracy and faster training
        with batch-norm"; SGD+momentum and Batch Norm as the training tricks), seed 004 (BN "reduces
        dependence on weight initialization", "can improve learning speed"); Ioffe & Szegedy 2015.

Ioffe & Szegedy report the same accuracy in 14 times fewer training steps with batch norm (Inception,
with a 5x higher learning rate), and on MNIST a 3×100 sigmoid net that reaches higher accuracy
earlier with BN.

We train a 5×256 ReLU MLP (He init) on Fashion-MNIST with plain SGD, with and without batch norm
before each activation, and count the steps until the training accuracy over a running window of
25 batches reaches the target. Three comparisons, as the issue and the paper frame them:
  1. each net at its own best rate on the same 2^k grid (fair tuning);
  2. BN at the plain net's best rate (the same rate);
  3. both at 5x the plain net's best rate, where the plain net is expected to diverge and BN to train.
Side claim (004): BN depends less on the initialization: each "init-sweep" run trains the net at
init std ×0.3 and ×3 (at the plain net's best rate) and reports its worst steps-to-target across the
two. (A spread such as |log10 ratio| would be wrong here: a net censored at both scales shows no
spread at all.) A censored run is a bound, not a value: its pairs are judged on bounds (benchmarks/judge.py).
REPRODUCED for the speed-ups needs the ratio significantly above half the paper's 14x (7x); a ratio
significantly above 1 and significantly below 7x is SMALLER EFFECT, above 1 with 7x undecided DIRECTION ONLY.

The lecture's other half, "higher accuracy" (a secondary finding, added in issue 18 with its margin fixed
before its runs): each net at its own chosen rate trains a fixed 1000 steps whatever its accuracy (no target
stops it), and its validation accuracy on 2000 held-out test images, in inference mode (BN's moving
averages), is compared on paired seeds; BN is claimed higher by more than half a point (the paper's Inception
gained 0.8 point of top-1). The other arms train exactly as before.

Issue 32's redesign (decided from the lecture and the paper before its runs; docs/fair-tests.md):
- The lecture gives no number ("faster training with batch-norm", 000), so the primary is the direction: BN
  reaches the target in fewer steps than the plain net, each at its own best rate. The paper's 14x is BN-x5
  against Inception, which also changed the rate 5x, removed dropout, cut L2 by 5, decayed faster, dropped LRN and
  shuffled and distorted otherwise (Sec. 4.2.1): not a matched comparison, so it sizes nothing here. Its matched
  comparison is BN-Baseline against Inception at the same rate, 13.3M against 31.0M steps to 72.2 % (Fig. 3):
  2.33x, the size of the same-rate secondary.
- The 5x-rate, init and accuracy findings are directions (no source gives their sizes); "in most seeds" for the
  5x-rate outcomes stays a rate of ours, labelled so.
- The paper's own MNIST setting, added: 3 fully connected hidden layers of 100 sigmoid units, weights from a small
  Gaussian (N(0, 0.01²): the paper says "small random Gaussian values", the std is ours), with and without BN, each
  at its own best rate on the same grid; BN reaches the target in fewer steps (the paper's Fig. 1a).
- 7 seeds: the largest Holm family holds three censored or binary comparisons, 3 × 2^-7 = 0.023 < 0.045.

Changed after its runs, in the open (a new definition hash for every sub-claim; judged again on fresh seeds):
- Found in all four executions of the design above (docs/verdicts-cpu.md): the paper's MNIST net never reached
  the 90 % target within 2000 steps, with or without BN, at any rate, on any seed, so mnist-bn-faster read
  INCONCLUSIVE with every pair censored: its regime was never reached, and a steps-to-target test cannot decide
  there. The paper's Fig. 1a plots test accuracy against training steps, so the MNIST comparison now reads it that
  way: each net at its own best rate trains the whole step budget (2000 steps at quick) and is validated on 2000
  held-out images; BN's validation accuracy is higher (the direction; mnist-bn-higher-accuracy replaces
  mnist-bn-faster). No target is chosen, so nothing about the comparison was picked from the numbers seen.
- Every tuned arm's grid now extends once past an edge (Tuning.extend_edges): the MNIST plain net chose 0.4, the
  grid's top, in all four executions.

Changed for time, in the open (issue 32's bar: at most 4 minutes per commissioned claim at quick with --jobs 2 on a
2-core AVX2 machine; decided 2026-12-08 before any run of this design, judged again on discovery and fresh seeds;
a new code hash, and a new definition hash for mnist-bn-higher-accuracy, whose arms' configuration changed: the
init sweep's budget is in the code, so bn-depends-less-on-init keeps its definition hash and its pins were renewed
from the new executions all the same). The design above took 4m29s of runs alone with --jobs 2 on a 2-core AMD EPYC with AVX2
only (105 runs, 469 s of training); its runs are short, so the cut is in steps, not runs:
- The init sweep trains each init scale for at most the fixed budget (1000 steps at quick, the fixed-budget arms'
  budget; it was the 2000-step budget): a net that needs more than that at its worse init is censored there, a
  lower bound the judge handles as before. (The plain net was censored at both scales, which cost 4000 steps a run.)
- The paper's MNIST nets train the same fixed budget as the 5×256 fixed-budget arms (1000 steps at quick, it was the
  2000-step budget), tuned and validated as before: both "higher accuracy" readings are now after the same budget.
At full both budgets are 6000 steps, as before.
"""

import math

import keras

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec, Tuning
from reproductions.common.data import image_split, image_training_set
from reproductions.common.evaluation import logits_of, softmax_metrics
from reproductions.common.models import cnn, mlp
from reproductions.common.training import steps_to_target_plot, target_curve_plot, train_to_target
from reproductions.expect import faster, from_paper, higher, ours, rate_at_least

MATCHED_RATIO = 31.0 / 13.3  # Ioffe & Szegedy 2015, Fig. 3: Inception 31.0M vs BN-Baseline 13.3M steps, same rate
MATCHED_SOURCE = from_paper(
    "Ioffe & Szegedy 2015, Fig. 3 and Sec. 4.2.2: Inception 31.0M vs BN-Baseline 13.3M training steps to 72.2 % "
    "accuracy, the same network and learning rate with and without batch norm: 2.33x")
MNIST_INIT_STD = 0.01  # "small random Gaussian values" (Ioffe & Szegedy 2015, Sec. 4.1): the std is ours
MAJORITY_SOURCE = ours(
    "'in most seeds' read as a majority of seeds (a rate of at least 0.5); neither the lecture nor Ioffe & Szegedy "
    "2015 gives a rate of diverged or trained runs")


def _train(config, x, y, init_scale, step_cap):
    if config["model"] == "cnn":  # the full profile: a Krizhevsky-style CNN, BN after each conv
        model = cnn(x.shape[1:], tuple(config["channels"]), config["kernel"], config["activation"],
                    batchnorm=config["batchnorm"], init_scale=init_scale)
    else:
        model = mlp(x.shape[1], config["depth"], config["width"], config["activation"],
                    batchnorm=config["batchnorm"], init_scale=init_scale)
    if config["init_std"]:  # the paper's MNIST net: every weight from N(0, std²)
        for layer in model.layers:
            if isinstance(layer, keras.layers.Dense):
                layer.kernel.assign(keras.random.normal(layer.kernel.shape, stddev=config["init_std"]))
    optimizer = keras.optimizers.SGD(learning_rate=config["learning_rate"], momentum=config["momentum"])
    # a fixed-budget arm trains its whole budget (`fixed_steps`; None: the profile's step budget): no target stops it
    fixed = not config["stop_at_target"]
    steps = (config["fixed_steps"] or config["max_steps"]) if fixed else config["max_steps"]
    return model, train_to_target(model, x, y, optimizer=optimizer, batch_size=config["batch_size"],
                                  window=config["window"], max_steps=steps,
                                  target=math.inf if fixed else config["target"],
                                  step_cap=step_cap)


def run(config, seed, context):
    fixed = not config["stop_at_target"]  # a fixed-budget arm: trained `fixed_steps` steps, then validated
    if fixed:  # the same training subset as image_training_set's, and held-out images to measure accuracy on
        (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                             context.data_dir, flat=config["model"] == "mlp",
                                             validation_pool=context.validation_pool)
    else:
        x, y = image_training_set(config["dataset"], config["train_size"], seed, context.data_dir,
                                  flat=config["model"] == "mlp")
    scales = tuple(config["init_scales"])
    if len(scales) == 1:
        model, outcome = _train(config, x, y, scales[0], context.step_cap)
        scalars = outcome.scalars()
        if fixed:  # the finished net in inference mode (BN's moving averages)
            scalars["val_loss"], scalars["val_accuracy"] = softmax_metrics(logits_of(model, x_val), y_val)
        return ArmResult(scalars=scalars, series=outcome.series(), notes=outcome.summary() + (
            f", validation accuracy {scalars['val_accuracy']:.3f}" if fixed else ""))
    # init sweep: the same net and rate at each init scale; the worst steps-to-target across scales
    # each scale trains at most the fixed budget (issue 32's time bar): a net slower than that is censored there
    swept = {**config, "max_steps": config["fixed_steps"] or config["max_steps"]}
    outcomes = [_train(swept, x, y, scale, context.step_cap)[1] for scale in scales]
    scalars = {f"steps_to_target_init_x{scale:g}": o.steps_to_target for scale, o in zip(scales, outcomes)}
    scalars.update({f"diverged_init_x{scale:g}": float(o.diverged) for scale, o in zip(scales, outcomes)})
    scalars["worst_steps_across_inits"] = max(o.steps_to_target for o in outcomes)
    scalars["reached_fraction_across_inits"] = sum(o.reached for o in outcomes) / len(outcomes)
    # the worst is a lower bound (the step budget) when some init never reached the target
    scalars["censored_across_inits"] = float(not all(o.reached for o in outcomes))
    return ArmResult(scalars=scalars, notes=", ".join(f"×{s:g}: {o.steps_to_target:.0f}" for s, o in zip(scales, outcomes)))


CLAIM = Claim(
    id="batchnorm-speedup",
    title="Batch norm trains faster, tolerates a 5x higher learning rate, and depends less on init",
    statement=("'Inception Net v2: Importance of Batch Norm — Higher accuracy and faster training with batch-norm' "
               "(000); batch norm 'reduces dependence on weight initialization' and 'can improve learning speed' (004)."),
    source="000 'Inception Net v2: Importance of Batch Norm'; 004 'Batch Normalization'; Ioffe & Szegedy 2015 "
           "(14x fewer steps with a 5x higher learning rate)",
    lecture_number="14x fewer training steps to the same accuracy (Ioffe & Szegedy 2015, with a 5x learning rate)",
    setup=("Fashion-MNIST training subset, standardized; MLP 784 → 5×[Dense 256 → (BatchNorm) → ReLU] → 10, He init "
           "(and the paper's MNIST net, 784 → 3×[Dense 100 → (BatchNorm) → sigmoid] → 10 with N(0, 0.01²) weights, "
           "each tuned on the same grid, trained for the fixed budget of 1000 steps and validated on 2000 held-out test images); "
           "plain SGD, batch 50, no regularization. Metric: training steps until the training accuracy over a running "
           "window of 25 batches reaches the target; censored at the step budget (kept as the budget, a lower bound), a "
           "NaN loss counts as diverged. `plain` and `bn` are each tuned on the same 2^k learning-rate grid (tuning seeds "
           "kept apart; extended once past an edge); the other arms run at the plain net's chosen rate or 5× it. The init-sweep arms train at init "
           "std ×0.3 and ×3 at the plain net's rate, each for at most 1000 steps, and record the worse of the two "
           "steps-to-target. The fixed-budget arms "
           "(the lecture's 'higher accuracy') train each net at its own chosen rate for 1000 steps whatever the "
           "accuracy, then measure it in inference mode on 2000 held-out test images."),
    check='steps to 90 % of a 5×256 MLP with and without BN, tuned rates, the same rate (the paper\'s matched 2.33×), 5× rates, init ×0.3/×3; validation accuracy after 1000 steps, and of the paper\'s 3×100 sigmoid net after 1000 steps',
    base_config={"dataset": "fashion-mnist", "train_size": 10000, "model": "mlp", "channels": (32, 32, 64),
                 "kernel": 5, "depth": 5, "width": 256, "activation": "relu", "batchnorm": False,
                 "learning_rate": 0.1, "momentum": 0.0, "batch_size": 50, "window": 25, "max_steps": 2000,
                 "target": 0.9, "init_scales": (1.0,), "stop_at_target": True, "fixed_steps": 1000, "validation_size": 2000,
                 "init_std": 0.0},
    arms=(
        Arm("plain", {"batchnorm": False}, "no BN, its own best rate", tuned=True),
        Arm("bn", {"batchnorm": True}, "BN, its own best rate", tuned=True),
        Arm("bn-same-rate", {"batchnorm": True}, "BN at the plain net's best rate", follows=("plain", 1.0)),
        Arm("plain-5x-rate", {"batchnorm": False}, "no BN at 5× the plain net's best rate", follows=("plain", 5.0)),
        Arm("bn-5x-rate", {"batchnorm": True}, "BN at 5× the plain net's best rate", follows=("plain", 5.0)),
        Arm("plain-init-sweep", {"batchnorm": False, "init_scales": (0.3, 3.0)},
            "no BN, init std ×0.3 and ×3, plain's rate", follows=("plain", 1.0)),
        Arm("bn-init-sweep", {"batchnorm": True, "init_scales": (0.3, 3.0)},
            "BN, init std ×0.3 and ×3, plain's rate", follows=("plain", 1.0)),
        Arm("plain-fixed-budget", {"batchnorm": False, "stop_at_target": False},
            "no BN at its best rate, a fixed number of steps whatever the accuracy, then validated",
            follows=("plain", 1.0)),
        Arm("bn-fixed-budget", {"batchnorm": True, "stop_at_target": False},
            "BN at its best rate, a fixed number of steps whatever the accuracy, then validated", follows=("bn", 1.0)),
        Arm("mnist-plain", {"model": "mlp", "depth": 3, "width": 100, "activation": "sigmoid", "batchnorm": False,
                            "init_std": MNIST_INIT_STD, "stop_at_target": False},
            "the paper's MNIST net: 3×100 sigmoid, N(0, 0.01²) init, no BN, its own best rate, the fixed budget (1000 "
            "steps at quick), then validated", tuned=True),
        Arm("mnist-bn", {"model": "mlp", "depth": 3, "width": 100, "activation": "sigmoid", "batchnorm": True,
                         "init_std": MNIST_INIT_STD, "stop_at_target": False},
            "the paper's MNIST net with BN before each sigmoid, its own best rate, the fixed budget, then validated",
            tuned=True),
    ),
    tuning=Tuning(param="learning_rate", grid=(0.025, 0.05, 0.1, 0.2, 0.4), metric="steps_to_target",
                  direction="less", tiebreak="final_accuracy", extend_edges=1),
    expectations=(
        faster("bn-faster-than-plain", "bn", than="plain", factor=1.0,
               statement="each at its own best rate, BN reaches the target in fewer steps",
               lecture="'Higher accuracy and faster training with batch-norm' (000); 'can improve learning speed' (004)"),
        # the paper's matched comparison: the same net and rate, with and without BN
        faster("bn-faster-at-the-same-rate", "bn-same-rate", than="plain", factor=1.0,
               statement="at the same (plain's best) rate, BN reaches the target in fewer steps",
               lecture="'can improve learning speed' (004)"),
        faster("bn-2.3x-faster-at-the-same-rate", "bn-same-rate", than="plain", factor=MATCHED_RATIO,
               size=MATCHED_SOURCE,
               statement="at the same (plain's best) rate, BN reaches the target ≥ 2.33× faster (the paper's matched "
                         "comparison)",
               lecture="BN-Baseline vs Inception at the same rate: 13.3M vs 31.0M steps (Ioffe & Szegedy, Fig. 3)"),
        rate_at_least("plain-diverges-at-5x-rate", "plain-5x-rate", "diverged", 0.5, null=0.0,
                      statement="at 5× its best rate the plain net diverges (in most seeds)",
                      lecture="BN allows higher learning rates (Ioffe & Szegedy: 5x)",
                      size=MAJORITY_SOURCE),
        rate_at_least("bn-trains-at-5x-rate", "bn-5x-rate", "reached", 0.5, null=0.0,
                      statement="at that 5× rate the BN net still reaches the target (in most seeds)",
                      lecture="Inception-BN trained at a 5x higher rate",
                      size=MAJORITY_SOURCE),
        faster("bn-5x-rate-faster-than-plain", "bn-5x-rate", than="plain", factor=1.0,
               statement="BN at 5× the rate reaches the target in fewer steps than the plain net at its best",
               lecture="BN-x5 reached Inception's accuracy in 14x fewer steps (Ioffe & Szegedy; not a matched "
                       "comparison: a 5x rate and other changes)"),
        faster("bn-depends-less-on-init", "bn-init-sweep", than="plain-init-sweep", factor=1.0,
               metric="worst_steps_across_inits", censored_by="censored_across_inits",
               statement="at init std ×0.3 and ×3, BN's worse steps-to-target is better than the plain net's",
               lecture="BN 'reduces dependence on weight initialization' (004)"),
        higher("bn-higher-accuracy", "bn-fixed-budget", "val_accuracy", than="plain-fixed-budget", by=0.0,
               statement="after the same 1000 steps, each at its own best rate, BN's validation accuracy is higher",
               lecture="'Higher accuracy … with batch-norm' (000)"),
        higher("mnist-bn-higher-accuracy", "mnist-bn", "val_accuracy", than="mnist-plain", by=0.0,
               statement="the paper's MNIST net (3×100 sigmoid, small Gaussian init): after the same step budget, each "
                         "at its best rate, its validation accuracy is higher with BN",
               lecture="Ioffe & Szegedy 2015, Fig. 1a: test accuracy against training steps, the BN net higher "
                       "throughout"),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 1000, "max_steps": 40, "window": 5, "fixed_steps": 40,
                                   "validation_size": 200},
                        note="1000 images, 40 steps: pipeline check only"),
        "quick": Budget(seeds=7, note="10k images, target 90 % within 2000 steps; the fixed-budget arms, the MNIST "
                                      "nets and each init of the init sweep 1000 steps; validated on 2000 test images; 1 tuning seed; 7 seeds (decidable: a family of "
                                      "three censored or binary comparisons)"),
        "full": Budget(tuning_seeds=2,
                       overrides={"dataset": "auto", "train_size": None, "model": "cnn", "max_steps": 6000,
                                  "target": 0.93, "fixed_steps": 6000, "validation_size": None},
                       dataset_overrides={"cifar10": {"target": 0.75}},
                       note="CIFAR-10 if its archive is here (target 75 %), else all of Fashion-MNIST (target 93 %); "
                            "the CNN of relu-vs-saturating (3 conv 5×5 32-32-64, BN after each conv), 6000 steps; "
                            "2 tuning seeds (a GPU job)"),
    },
    run=run,
    plots=(
        target_curve_plot(title="Training accuracy (window of 25 batches); runs stop at the target"),
        steps_to_target_plot(title="Steps to the target accuracy (censored runs count as the budget)"),
        PlotSpec(name="init-sweep", kind="bar", metric="worst_steps_across_inits", log_y=True,
                 title="Worse steps-to-target across init std ×0.3 and ×3 (censored at the budget)", ylabel="steps"),
        PlotSpec(name="validation-accuracy", kind="bar", metric="val_accuracy",
                 title="Validation accuracy after a fixed budget of steps, each net at its own best rate (mean, 95% CI)",
                 ylabel="validation accuracy"),
    ),
    summary_metrics=("steps_to_target", "censored", "diverged", "final_accuracy", "worst_steps_across_inits",
                     "reached_fraction_across_inits", "val_accuracy"),
    primary=("bn-faster-than-plain",),  # 'faster training with batch-norm' (000), at each net's best rate
    families={
        "same-rate": ("bn-faster-at-the-same-rate", "bn-2.3x-faster-at-the-same-rate"),  # the matched comparison
        "higher-rate": ("plain-diverges-at-5x-rate", "bn-trains-at-5x-rate", "bn-5x-rate-faster-than-plain"),
    },
)
