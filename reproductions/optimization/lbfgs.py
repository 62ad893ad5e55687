"""
Title: Full-batch L-BFGS beats gradient descent and Adam at equal evaluations; noise (dropout) spoils it
Claim id: lbfgs
Source: seed 003 ("Quadratic optimization methods": "L-BFGS method (BFGS with limited memory)"; "in practice:
        As the default choice, Adam's method works well in most cases. If it is possible for you to update
        using all the data completely, in each iteration, try the L-BFGS method. (In this case, remember to
        disable all noise sources.)"); 002 lists "Second order methods that use the Hessian (or its
        approximation): BFGS, LBFGS".

The lecture gives advice, no number: full-batch L-BFGS is worth trying, and only without noise. We make it
two falsifiable statements on the cheapest problem that is still a neural net's training:
1. (primary) With the full batch and no noise source, scipy's L-BFGS-B reaches a lower training loss than
   full-batch gradient descent and than full-batch Adam (Keras' SGD and Adam) at an EQUAL number of
   function+gradient evaluations (100 in the quick profile): each Keras optimizer step costs one evaluation,
   and L-BFGS is cut off when it has used them (its answer is then its last accepted iterate; when it stops
   earlier, its evaluations are counted and reported). Claimed: at least 20 % lower (the other's loss at least 1.25×; log10 ratio <
   log10 0.8); a smaller edge would not make the advice worth following.
2. (secondary) "remember to disable all noise sources": the same runs with dropout (p = 0.5 after the hidden
   layer, Keras' Dropout, a fresh mask at every evaluation): L-BFGS's curvature pairs and line search see a
   different function at every call. Dropout changes the objective as well as adding noise, so the
   comparison is with Adam under the very same dropout (a stochastic method, made for noisy gradients): with
   noise L-BFGS is no longer ahead of Adam (its loss not lower by 20 %, i.e. log10 ratio > log10 0.8, the
   negation of sub-claim 1), and, more strongly, it ends behind Adam (log10 ratio > 0): the noise-free order
   reversed. (L-BFGS with dropout against L-BFGS without it is not judged: dropout raises any optimizer's
   loss on the noise-free objective, so that comparison cannot single out L-BFGS.) Every arm's outcome is
   the loss on the whole training batch without dropout (training=False).

Model and data: a one-hidden-layer MLP (196 → 32 ReLU → 10 logits, 6 634 weights) on 1000 class-balanced
Fashion-MNIST training images mean-pooled to 14 × 14, softmax cross-entropy: small enough that the full
batch is one cheap call (the pooling quarters its cost; the claim is about the optimizer, not the pixels),
a non-convex net rather than softmax regression (where L-BFGS's edge is textbook). Weights are seeded
explicitly, so every arm of a seed starts from the same weights. Every evaluation is Keras' own forward and
backward pass on the whole batch in one compiled `train_on_batch` (float32, the same on TensorFlow, JAX
and PyTorch): for gradient descent and Adam with the Keras optimizer's update in the same step; for L-BFGS
through common/flat_objective.py, which hands the loss and gradient to scipy as float64 vectors of the
flattened weights (scipy.optimize.minimize(method="L-BFGS-B", jac=True), memory 10, no tolerance stop
before the budget).
Gradient descent and Adam are each run at every rate of a half-decade log grid (GD 0.0316…3.16, Adam
3.16e-4…0.1) inside the run, and judged at the rate with the lowest final loss on the judged seed itself:
an in-sample choice that favours the baselines, so the primary's test is conservative (and 5 rates × 2
arms on separate tuning seeds would not fit the quick budget). A best rate on the grid's edge is reported.

History, in the open: the first quick run (the module's author, before any pin) had Adam's grid stop at
3.16e-2, and Adam's best rate sat on that upper edge on 3 of 11 runs: Adam may have been under-tuned, which
would overstate L-BFGS's lead. The grid was extended by one half-decade (0.1) before the runs the suite's
verdict and pins are read from (a new definition hash; `reprobench confirm` judges it again on fresh seeds).
Gradient descent's best rate never sat on its grid's edge.

Untestable here: "As the default choice, Adam's method works well in most cases" (an opinion across problems).
"""

import math

import keras
import numpy as np
import scipy.optimize

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_training_set
from reproductions.common.flat_objective import FlatObjective
from reproductions.common.sgd_runs import average_pool, reset_optimizer
from reproductions.expect import higher, lower, not_lower, ours

POSITION = 40


def training_images(config, seed: int, context):
    """The seeded class-balanced training subset, standardized, each image mean-pooled over `pool` × `pool`
    pixel blocks (2: 14 × 14 = 196 inputs, a quarter of the cost of every evaluation), flattened."""
    images, y = image_training_set(config["dataset"], config["train_size"], seed, context.data_dir, flat=False)
    return average_pool(images, int(config["pool"])), y


class BudgetSpent(Exception):
    """L-BFGS asked for one more evaluation than the budget allows."""


def build_mlp(config, input_dim: int, seed: int, dropout: float) -> keras.Model:
    """inputs → hidden ReLU (He) → (Dropout) → 10 logits (Glorot); the weights depend on the seed only."""
    layers = [keras.Input((input_dim,)),
              keras.layers.Dense(config["hidden"], activation="relu",
                                 kernel_initializer=keras.initializers.HeNormal(seed=seed))]
    if dropout:
        layers.append(keras.layers.Dropout(dropout, seed=seed + 1))
    layers.append(keras.layers.Dense(10, kernel_initializer=keras.initializers.GlorotNormal(seed=seed + 2)))
    return keras.Sequential(layers)


def run_lbfgs(objective: FlatObjective, theta0: np.ndarray, budget: int) -> tuple[np.ndarray, str]:
    """L-BFGS-B on the objective until it stops or the next evaluation would exceed `budget`; returns its
    last accepted iterate (scipy's answer when it stops by itself) and why it stopped."""
    accepted = [theta0.copy()]

    def fun(theta):
        if objective.evaluations >= budget:
            raise BudgetSpent
        return objective.value_and_grad(theta)

    def callback(intermediate_result):
        accepted.append(np.array(intermediate_result.x, copy=True))

    try:
        result = scipy.optimize.minimize(fun, theta0, jac=True, method="L-BFGS-B", callback=callback,
                                         options={"maxfun": budget, "maxiter": budget, "maxcor": 10,
                                                  "ftol": 0.0, "gtol": 0.0})
        return np.asarray(result.x), str(result.message)
    except BudgetSpent:
        return accepted[-1], "evaluation budget spent"


def run_keras_optimizer(model: keras.Model, optimizer, x, y, theta0: list, rate: float, budget: int) -> list[float]:
    """`budget` full-batch steps of a Keras optimizer from the weights `theta0`, each one compiled
    `train_on_batch` (one evaluation: the loss at the weights before the step, its gradient, the update);
    returns the loss of each evaluation."""
    model.set_weights(theta0)
    reset_optimizer(optimizer, rate)
    losses = []
    for _ in range(budget):
        loss = float(np.asarray(model.train_on_batch(x, y)))
        losses.append(loss)
        if not math.isfinite(loss):
            break
    return losses


OPTIMIZERS = {"gd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}
LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def run(config, seed, context):
    x, y = training_images(config, seed, context)
    model = build_mlp(config, x.shape[1], seed, config["dropout"])
    budget = config["evaluations"] if context.step_cap is None else min(config["evaluations"], context.step_cap)
    scalars = {}
    if config["method"] == "lbfgs":
        objective = FlatObjective(model, LOSS, x, y)
        theta0 = objective.get()
        scalars["initial_loss"] = objective.clean_loss()
        theta, message = run_lbfgs(objective, theta0, budget)
        objective.set(theta)
        history = list(objective.history)
        scalars["final_loss"] = objective.clean_loss()
        scalars["evaluations_used"] = float(objective.evaluations)
        scalars["stopped_early"] = float(objective.evaluations < budget)
        notes = f"L-BFGS: {message} after {objective.evaluations} evaluations"
    else:
        rates = [float(r) for r in config["rates"]]
        optimizer = OPTIMIZERS[config["method"]](learning_rate=rates[0])
        model.compile(optimizer=optimizer, loss=LOSS)
        theta0 = model.get_weights()
        scalars["initial_loss"] = float(np.asarray(model.test_on_batch(x, y)))
        outcomes = []
        for rate in rates:
            losses = run_keras_optimizer(model, optimizer, x, y, theta0, rate, budget)
            final = float(np.asarray(model.test_on_batch(x, y)))  # the whole batch, no dropout
            outcomes.append((final if math.isfinite(final) else math.inf, rate, losses))
        best = min(range(len(outcomes)), key=lambda i: outcomes[i][0])
        scalars["final_loss"], rate, history = outcomes[best]
        scalars["best_rate"] = rate
        scalars["best_rate_on_edge"] = float(best in (0, len(rates) - 1))
        scalars["evaluations_used"] = float(len(history))
        notes = f"best rate {rate:g}"
    curve, low = {}, math.inf
    for step, value in enumerate(history, start=1):  # the lowest loss evaluated so far
        low = min(low, value if math.isfinite(value) else math.inf)
        curve[step] = low
    return ArmResult(scalars=scalars, series={"best_loss_so_far": curve}, notes=notes)


LOWER_BY_A_QUARTER = 0.8  # a loss ratio: the other's loss a quarter above this one's (1.25×)
LEAD_SOURCE = ours("a size the lecture never gives ('try the L-BFGS method' is advice): L-BFGS's loss at most 0.8× the "
                   "other's (the other's 1.25×), chosen as the smallest edge that would make the advice worth "
                   "following")

CLAIM = Claim(
    id="lbfgs",
    title="Full-batch L-BFGS beats gradient descent and Adam at equal evaluations; noise (dropout) spoils it",
    statement=("'If it is possible for you to update using all the data completely, in each iteration, try the "
               "L-BFGS method. (In this case, remember to disable all noise sources.)' (003)"),
    source="003 'Quadratic optimization methods' (in practice); 002 'Second order methods … BFGS, LBFGS'",
    lecture_number="no number in the lecture",
    setup=("1000 class-balanced Fashion-MNIST training images (standardized, mean-pooled to 14 × 14), MLP 196 → 32 "
           "ReLU → 10, softmax "
           "cross-entropy on the whole batch at every evaluation; seeded initial weights shared by every arm of a "
           "seed. 100 function+gradient evaluations per arm: scipy L-BFGS-B (memory 10, cut off at the budget), "
           "Keras SGD (full-batch gradient descent, best of rates 0.0316…3.16) and Keras Adam (best of "
           "3.16e-4…0.1), "
           "each rate grid a half-decade apart and chosen on the judged seed. Noisy arms: the same with Dropout(0.5) "
           "after the hidden layer at every evaluation. Outcome: the whole batch's loss without dropout."),
    check="scipy's L-BFGS-B on a Keras MLP's flat weights against full-batch gradient descent and Adam (each at its best rate) at 100 evaluations; the same with dropout on",
    base_config={"dataset": "fashion-mnist", "train_size": 1000, "pool": 2, "hidden": 32, "dropout": 0.0,
                 "evaluations": 100, "method": "lbfgs", "rates": ()},
    arms=(
        Arm("lbfgs", {"method": "lbfgs"}, "scipy L-BFGS-B on the full batch, no noise"),
        Arm("gd", {"method": "gd", "rates": (0.0316, 0.1, 0.316, 1.0, 3.16)},
            "full-batch gradient descent (Keras SGD), best of 5 rates"),
        Arm("adam", {"method": "adam", "rates": (3.16e-4, 1e-3, 3.16e-3, 1e-2, 3.16e-2, 0.1)},
            "full-batch Adam (Keras), best of 6 rates"),
        Arm("lbfgs-dropout", {"method": "lbfgs", "dropout": 0.5}, "L-BFGS-B with dropout 0.5 on at every evaluation"),
        Arm("adam-dropout", {"method": "adam", "dropout": 0.5, "rates": (3.16e-4, 1e-3, 3.16e-3, 1e-2, 3.16e-2, 0.1)},
            "full-batch Adam with dropout 0.5 on at every step, best of 6 rates"),
    ),
    expectations=(
        lower("lbfgs-below-gd", "lbfgs", "final_loss", than="gd", ratio=LOWER_BY_A_QUARTER,
              statement="full batch, no noise: L-BFGS's training loss after 100 evaluations is at least 20 % "
                        "lower than gradient descent's at its best rate",
              lecture="'try the L-BFGS method' when every iteration can use all the data (003)",
              size=LEAD_SOURCE),
        lower("lbfgs-below-adam", "lbfgs", "final_loss", than="adam", ratio=LOWER_BY_A_QUARTER,
              statement="full batch, no noise: L-BFGS's training loss after 100 evaluations is at least 20 % "
                        "lower than Adam's at its best rate",
              lecture="'try the L-BFGS method' when every iteration can use all the data (003)",
              size=LEAD_SOURCE),
        not_lower("lbfgs-not-ahead-with-dropout", "lbfgs-dropout", "final_loss", than="adam-dropout",
                  ratio=LOWER_BY_A_QUARTER,
                  statement="with dropout on at every evaluation, L-BFGS is no longer 20 % below Adam (same dropout, "
                            "Adam at its best rate)",
                  lecture="'(In this case, remember to disable all noise sources.)' (003)",
                  size=ours("the negation of the noise-free lead (0.8, ours): with dropout L-BFGS no longer reaches "
                            "0.8× Adam's loss")),
        higher("lbfgs-behind-adam-with-dropout", "lbfgs-dropout", "final_loss", than="adam-dropout", ratio=1.0,
               statement="with dropout on at every evaluation, L-BFGS ends with a higher training loss than Adam "
                         "(same dropout, Adam at its best rate): the order of the noise-free runs reversed",
               lecture="'(In this case, remember to disable all noise sources.)' (003)"),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 200, "evaluations": 10},
                        note="200 images, 10 evaluations: pipeline check only"),
        "quick": Budget(note="1000 images pooled to 14 × 14, MLP 196-32-10, 100 evaluations per arm"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "pool": 1, "hidden": 128,
                                  "evaluations": 500},
                       note="the whole training set at full size (CIFAR-10 if its archive is here, else "
                            "Fashion-MNIST) as one batch, MLP with 128 hidden units, 500 evaluations per arm"),
    },
    run=run,
    plots=(
        PlotSpec(name="loss-per-evaluation", kind="series", metric="best_loss_so_far", log_y=True,
                 title="Lowest training loss evaluated so far (dropout arms: the noisy loss they see)",
                 xlabel="function+gradient evaluation", ylabel="training loss (best so far)"),
        PlotSpec(name="final-loss", kind="bar", metric="final_loss", log_y=True,
                 title="Training loss after 100 evaluations, whole batch without dropout (mean, 95% CI)",
                 ylabel="training loss"),
    ),
    summary_metrics=("final_loss", "evaluations_used", "stopped_early", "best_rate", "best_rate_on_edge",
                     "initial_loss"),
    primary=("lbfgs-below-gd", "lbfgs-below-adam"),
)
