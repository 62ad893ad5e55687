"""
Title: ReLU converges much faster than sigmoid/tanh (e.g. 6x); don't use sigmoid
Claim id: relu-vs-saturating
Source: seeds 000 and 003 (activation functions: ReLU "Converges much faster than sigmoid/tanh in
        practice (e.g. 6x)"; "In practice: Use ReLU … Don't use sigmoid"); Krizhevsky et al. 2012, Fig. 1.
        000's Leaky ReLU slide: "Leaky ReLU f(x) = max(0.01x, x) - Does not saturate - Computationally
        efficient - Converges much faster than sigmoid/tanh in practice! (e.g. 6x) - will not “die”."
        ELU (000, 003, 004) gets its formula only, "x if x ≥ 0, α(e^x − 1) if x < 0", and 000's "In practice:
        … Try out Leaky ReLU / Maxout / ELU": the lecture credits Leaky ReLU, not ELU, with the 6x in so
        many words; ELU is judged by the same yardstick as the alternative it lists beside Leaky ReLU.

Krizhevsky's Figure 1: a four-layer CNN on CIFAR-10 reaches 25 % training error six times faster
with ReLUs than with tanh units, each at its own best learning rate, no regularization.

We train the same Krizhevsky-style CNN (conv → pool stages, then a linear classifier) with ReLU (He
init), tanh and sigmoid (Glorot init), SGD with momentum 0.9, and count the training steps until the
training accuracy over a running window of 25 batches reaches the target. Each activation gets the
same learning-rate grid (2^k around 0.02) on its own tuning seed and is judged at its own best rate
on separate seeds. A run that never reaches the target is censored at the step budget and kept as a
bound: a pair with a censored slow arm bounds the ratio from below, with a censored fast arm from above
(judged on the bounds: benchmarks/judge.py). The primaries are the direction (the slow/fast ratio
significantly above 1); the lecture's "e.g. 6x" is judged as a secondary family.

Secondary findings (the verdict stays ReLU's against tanh and sigmoid): Leaky ReLU (slope 0.01, the
lecture's max(0.01x, x)) and ELU (alpha 1), both with He init like ReLU, tuned on the same grid by the
same rule, each judged against tanh (the direction), and against ReLU: no more than 1.5x ReLU's
steps (a non-inferiority test on log10 steps, margin log10 1.5, censored like the others; the schema
judges censored outcomes 'greater'/'less' only, so this is the side of a 'within 1.5x' equivalence that
the lecture's "same benefits" stakes: an arm faster than ReLU does not contradict it). These four are
corrected for multiplicity among themselves (a family of their own), so adding them did not change how
'tanh-faster-than-sigmoid' is judged.

Issue 32, a first step (decided before its runs; docs/fair-tests.md has the whole plan and why it is not built):
- The review found the 85 % target within a linear model's reach on these images, so the race measured how fast
  each net fits what a linear model fits too, where tanh never leaves its linear range. A **linear arm** (softmax
  regression on the pixels, tuned on the same grid by the same rule) now runs beside the nets, and a
  **precondition** guards every sub-claim: the linear model never reaches the target within the step budget, on
  any seed. Where it does, the race is NOT TESTABLE HERE, never NOT REPRODUCED.
- The primaries are the directions (ReLU faster than tanh, than sigmoid); the lecture's "e.g. 6x" is a secondary
  family sized from the lecture; "don't use sigmoid" (tanh faster than sigmoid) and Leaky ReLU / ELU faster than
  tanh are directions; "as fast as ReLU" keeps its 1.5x non-inferiority margin (ours).
- 7 seeds at quick: two censored primaries need 2^-n below α (5 seeds could never refute or establish them).
- Every tuned arm's grid extends once past an edge (Tuning.extend_edges), as issue 32's tuning rule asks.
- Not built at quick (its cost there is measured in docs/fair-tests.md: 5–25 minutes against the 4 a commissioned
  claim has): a target beyond the linear ceiling with the deeper net and a budget in which 6x can be observed,
  and the paper's N(0, 0.01²) initialisation beside ours (new arms, which would change quick's definitions).
- `full` (a GPU job, issue 36) now has a budget in which the lecture's 6x can be seen: Krizhevsky's batch of 128
  and 15,600 steps, 40 epochs of CIFAR-10, where tanh needed about 35 to his 25 % training error (Fig. 1); it was
  6000 steps of 50 images, 6 epochs, in which a 6x ratio could not be observed. The window is 78 steps, which
  divides a pass over CIFAR-10 (390 steps) and over Fashion-MNIST (468).
"""

import keras

from reproductions.claim import Arm, ArmResult, Budget, Claim, Tuning
from reproductions.common.data import image_training_set
from reproductions.common.models import cnn
from reproductions.common.training import steps_to_target_plot, target_curve_plot, train_to_target
from reproductions.expect import exact_below, faster, from_lecture, not_slower, ours

LEAKY_RELU_LECTURE = ("Leaky ReLU f(x) = max(0.01x, x): 'Does not saturate; Computationally efficient; "
                      "Converges much faster than sigmoid/tanh in practice! (e.g. 6x); will not “die”' (000)")
ELU_LECTURE = ("ELU, x if x ≥ 0, α(e^x − 1) if x < 0 (000, 003, 004), formula only; 'In practice: … Try out Leaky ReLU "
               "/ Maxout / ELU' (000): no speed is credited to ELU in so many words, Leaky ReLU's 6x is carried over")
AS_FAST_RATIO = 1.5  # "as fast as ReLU": no more than 1.5x ReLU's steps

LECTURE_RATIO = 6.0  # "e.g. 6x" (Krizhevsky 2012, Fig. 1: tanh vs ReLU)
SIX_X = from_lecture("Converges much faster than sigmoid/tanh in practice (e.g. 6x)", seed="000")
AS_FAST = ours("a non-inferiority margin: the lecture's 'same benefits' as ReLU read as fewer than 1.5x ReLU's steps; "
               "the lecture gives no number")


def run(config, seed, context):
    x, y = image_training_set(config["dataset"], config["train_size"], seed, context.data_dir, flat=False)
    if config["model"] == "linear":  # softmax regression on the pixels: what a linear model reaches
        model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Flatten(), keras.layers.Dense(10)])
    else:
        model = cnn(x.shape[1:], tuple(config["channels"]), config["kernel"], config["activation"])
    optimizer = keras.optimizers.SGD(learning_rate=config["learning_rate"], momentum=config["momentum"])
    outcome = train_to_target(model, x, y, optimizer=optimizer, batch_size=config["batch_size"],
                              window=config["window"], max_steps=config["max_steps"], target=config["target"],
                              step_cap=context.step_cap)
    return ArmResult(scalars=outcome.scalars(), series=outcome.series(), notes=outcome.summary())


CLAIM = Claim(
    id="relu-vs-saturating",
    title="ReLU converges much faster than sigmoid/tanh (e.g. 6x); don't use sigmoid",
    statement=("ReLU: 'Converges much faster than sigmoid/tanh in practice (e.g. 6x)'. 'In practice: Use ReLU. "
               "… Try out tanh but don't expect much. Don't use sigmoid.'"),
    source="000 and 003 'Activation functions' (ReLU); Krizhevsky et al. 2012, Fig. 1 (25% training error on "
           "CIFAR-10, 6x fewer epochs with ReLU than tanh)",
    lecture_number="6x fewer steps to the target with ReLU than with tanh (Krizhevsky 2012)",
    setup=("Fashion-MNIST training subset, standardized; a Krizhevsky-style CNN (conv → activation → 2×2 max-pool "
           "per stage, then a linear classifier), ReLU, Leaky ReLU (slope 0.01) and ELU (alpha 1) with He init, "
           "tanh/sigmoid with Glorot init, and softmax regression on the pixels (the linear model's reach, a "
           "precondition: it must never reach the target); SGD momentum 0.9, "
           "batch 50, no regularization. Metric: training steps until the training accuracy over a running window of "
           "25 batches reaches the target; censored at the step budget (kept as the budget, a lower bound), a NaN "
           "loss counts as diverged. Learning rate tuned per activation on the same 2^k grid, on tuning seeds apart "
           "from the judged seeds."),
    check='steps to 85 % running training accuracy of a small CNN, learning rate tuned per activation, if a linear model never gets there; Leaky ReLU and ELU arms as secondary findings',
    base_config={"dataset": "fashion-mnist", "train_size": 10000, "model": "cnn", "channels": (8, 16), "kernel": 3,
                 "activation": "relu", "learning_rate": 0.02,
                 "momentum": 0.9, "batch_size": 50, "window": 25, "max_steps": 1500, "target": 0.85},
    arms=(
        Arm("relu", {"activation": "relu"}, "ReLU, He init", tuned=True),
        Arm("tanh", {"activation": "tanh"}, "tanh, Glorot init", tuned=True),
        Arm("sigmoid", {"activation": "sigmoid"}, "sigmoid, Glorot init", tuned=True),
        Arm("leaky-relu", {"activation": "leaky_relu"}, "Leaky ReLU max(0.01x, x), He init", tuned=True),
        Arm("elu", {"activation": "elu"}, "ELU (alpha 1), He init", tuned=True),
        Arm("linear", {"model": "linear"}, "softmax regression on the pixels (the linear model's reach), its own best "
                                           "rate", tuned=True),
    ),
    tuning=Tuning(param="learning_rate", grid=(0.005, 0.01, 0.02, 0.04, 0.08), metric="steps_to_target",
                  direction="less", tiebreak="final_accuracy", extend_edges=1),
    expectations=(
        exact_below("target-beyond-linear-reach", "linear", "reached", 0.5,
                    size=ours("a count per seed: `reached` is 1 when the linear model reached the target, else 0; "
                              "below 0.5 on every seed means it never did"),
                    statement="precondition: a linear model (softmax regression on the pixels, at its own best rate) "
                              "never reaches the target within the step budget, on any seed",
                    lecture="the race is about nonlinear nets: a target a linear model reaches measures only what "
                            "tanh's linear range fits too (issue 32)"),
        faster("relu-faster-than-tanh", "relu", than="tanh", factor=1.0,
               statement="ReLU reaches the target in fewer steps than tanh, each at its best rate",
               lecture="'Converges much faster than sigmoid/tanh (e.g. 6x)'; Krizhevsky: 6x vs tanh"),
        faster("relu-faster-than-sigmoid", "relu", than="sigmoid", factor=1.0,
               statement="ReLU reaches the target in fewer steps than sigmoid, each at its best rate",
               lecture="'Converges much faster than sigmoid/tanh (e.g. 6x)'"),
        faster("relu-6x-faster-than-tanh", "relu", than="tanh", factor=LECTURE_RATIO, size=SIX_X,
               statement="ReLU reaches the target ≥ 6× faster than tanh (the lecture's 'e.g. 6x'), each at its best "
                         "rate",
               lecture="'Converges much faster than sigmoid/tanh in practice (e.g. 6x)'; Krizhevsky 2012, Fig. 1"),
        faster("relu-6x-faster-than-sigmoid", "relu", than="sigmoid", factor=LECTURE_RATIO, size=SIX_X,
               statement="ReLU reaches the target ≥ 6× faster than sigmoid (the lecture's 'e.g. 6x'), each at its best "
                         "rate",
               lecture="'Converges much faster than sigmoid/tanh in practice (e.g. 6x)'"),
        faster("tanh-faster-than-sigmoid", "tanh", than="sigmoid", factor=1.0,
               statement="'Don't use sigmoid': sigmoid is slower than tanh too, each at its best rate",
               lecture="'Try out tanh but don't expect much. Don't use sigmoid.'"),
        faster("leaky-relu-faster-than-tanh", "leaky-relu", than="tanh", factor=1.0,
               statement="Leaky ReLU (slope 0.01) reaches the target in fewer steps than tanh, each at its best rate",
               lecture=LEAKY_RELU_LECTURE),
        faster("elu-faster-than-tanh", "elu", than="tanh", factor=1.0,
               statement="ELU (alpha 1) reaches the target in fewer steps than tanh, each at its best rate",
               lecture=ELU_LECTURE),
        # non-inferiority: fewer than AS_FAST_RATIO × ReLU's steps, censored like the others
        not_slower("leaky-relu-as-fast-as-relu", "leaky-relu", than="relu", factor=AS_FAST_RATIO,
                   size=AS_FAST,
                   statement="Leaky ReLU needs fewer than 1.5× ReLU's steps to the target, each at its best rate: as "
                             "fast as ReLU",
                   lecture=LEAKY_RELU_LECTURE),
        not_slower("elu-as-fast-as-relu", "elu", than="relu", factor=AS_FAST_RATIO,
                   size=AS_FAST,
                   statement="ELU needs fewer than 1.5× ReLU's steps to the target, each at its best rate: as fast as "
                             "ReLU",
                   lecture=ELU_LECTURE),
    ),
    preconditions={"target-beyond-linear-reach": ()},  # guards every sub-claim
    budgets={
        "smoke": Budget(overrides={"train_size": 1000, "max_steps": 40, "window": 5},
                        note="1000 images, 40 steps: pipeline check only"),
        "quick": Budget(seeds=7, note="10k images, CNN 8-16 channels 3×3, target 85 % within 1500 steps; 1 tuning "
                                      "seed; 7 seeds (decidable: two censored primaries)"),
        "full": Budget(tuning_seeds=2,
                       overrides={"dataset": "auto", "train_size": None, "channels": (32, 32, 64), "kernel": 5,
                                  "batch_size": 128, "window": 78, "max_steps": 15600, "target": 0.9},
                       dataset_overrides={"cifar10": {"target": 0.75}},  # Krizhevsky: 25 % training error
                       note="CIFAR-10 if its archive is here (target 75 %: Krizhevsky's 25 % training error), else "
                            "all of Fashion-MNIST (target 90 %); Krizhevsky's 4-layer net (3 conv 5×5 32-32-64 + "
                            "classifier), batch 128, 15,600 steps (40 epochs of CIFAR-10: tanh needed ~35 to the "
                            "target in Fig. 1, so a 6x ratio can be seen); 2 tuning seeds (a GPU job)"),
    },
    run=run,
    plots=(
        target_curve_plot(title="Training accuracy (window of 25 batches) at each arm's best rate; runs stop at the "
                                "target"),
        steps_to_target_plot(title="Steps to the target accuracy (censored runs count as the budget)"),
    ),
    summary_metrics=("steps_to_target", "censored", "diverged", "final_accuracy"),
    # 'Converges much faster than sigmoid/tanh': ReLU against each
    primary=("relu-faster-than-tanh", "relu-faster-than-sigmoid"),
    # the Leaky ReLU / ELU findings (issue 20) are Holm-corrected among themselves, so that adding them leaves
    # 'tanh-faster-than-sigmoid' judged as it was before they existed (a family of one)
    families={"leaky-relu-and-elu": ("leaky-relu-faster-than-tanh", "elu-faster-than-tanh",
                                     "leaky-relu-as-fast-as-relu", "elu-as-fast-as-relu"),
              "lecture-6x": ("relu-6x-faster-than-tanh", "relu-6x-faster-than-sigmoid")},
)
