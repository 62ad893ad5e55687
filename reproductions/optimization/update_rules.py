"""
Title: SGD + momentum beats plain SGD; Nesterov; AdaGrad's rate fades, RMSProp's does not; Adam's bias correction
Claim id: update-rules
Source: seed 001 ("Learning rates and updates: SGD + Momentum > SGD; Momentum 0.9 usually works well");
        seed 003 ("Updating parameters", "Momentum method", "Nestrov's momentum method", "AdaGrad method",
        "RMSProp Method", "Adam Method").

The lecture's words and numbers:
- 003 draws a cost "with a steep slope in the vertical direction and a gentle slope in the horizontal
  direction", where gradient descent's progress "will be very slow" horizontally with "irregular
  movements" vertically, and says of momentum (mu "usually 0.5, 0.9 or 0.99"): "although we cross the
  target, this method generally converges faster than the Gradient descent"; 001: "SGD + Momentum > SGD",
  "Momentum 0.9 usually works well".
- Nesterov's momentum takes the gradient at the look-ahead point, rewritten as
  `x += -mu * v_prev + (1 + mu) * v`; the lecture gives no claim of its own beyond presenting it.
- AdaGrad: `cache += dx**2; x += -lr * dx / (sqrt(cache) + 1e-7)`, and the question "What happens to the
  learning rate over a long period of time?" (it decays towards zero); RMSProp's leaky cache
  `cache = decay_rate * cache + (1 - decay_rate) * dx**2` is the fix.
- Adam: "The reason for correcting the biases is that m and v are zero at the beginning and it takes some
  time to reach a suitable value" (`mb = m / (1 - beta1**t)`, `vb = v / (1 - beta2**t)`).
No number in the lecture is measured; its numbers are settings (mu = 0.9, eps = 1e-7).

What we check, each with Keras' own optimizers (keras.optimizers.SGD(momentum=, nesterov=), Adagrad,
RMSprop, Adam), and why:
1. The lecture's own picture, exactly: the ill-conditioned bowl f = ½(x² + κy²), κ = 100 (steep vertically,
   gentle horizontally), from a seeded start on the unit circle, the closed-form gradient fed to
   `optimizer.apply`. Each of plain SGD, SGD + momentum 0.9 and Nesterov momentum 0.9 runs at every rate of
   the same log grid 2^(-k/2) (k = 0…24, 1 down to 2.4e-4) and is judged at its best one: the steps to reach
   f < 1e-6. All rates run side by side as rows of one variable: for these three rules the update is linear
   in `lr * gradient`, so the rate multiplies the gradient and the optimizer runs at rate 1 (the same float32
   product Keras forms). A deterministic computation: exact checks (momentum strictly fewer steps than SGD;
   Nesterov no more than classical momentum) on every seed's start.
2. The same net claim in practice, statistically (the primary with 1): a one-hidden-layer ReLU MLP on 2000
   Fashion-MNIST images, minibatch 50, 3 epochs, plain SGD against SGD + momentum 0.9, each at its best rate
   on the same relative grid ×(1/4, 1/2, 1, 2, 4) around its customary rate (SGD 0.1; momentum 0.01, the same
   step in the small-rate limit, lr/(1 − mu)). The outcome is the training loss of the last epoch (Keras'
   average over that epoch): an optimizer's speed, the lecture's point, not generalization. The grid is run
   inside each arm × seed run on the same data and initial weights (one compiled model; the weights and the
   optimizer's state reset per rate) instead of with the suite's `Tuning` on separate seeds: the best of 5
   rates on the judged seed is the same selection for both arms, and 5 rates × 2 arms × separate tuning seeds
   would not fit the quick budget. Claimed: momentum's loss at least 10 % lower (log10 ratio < log10 0.9).
3. AdaGrad against RMSProp over "a long period of time": the effective rate lr / (sqrt(cache) + eps) (the
   geometric mean over the two coordinates, read from the optimizer's own accumulator) over 500 steps on
   the same bowl with Gaussian gradient noise (σ = 1 per coordinate, seeded), the model of minibatch noise
   that keeps gradients from dying out, near the bottom (a seeded start at distance 0.01, where the true
   gradient is no larger than the noise): the long late phase of training. (On the noiseless bowl the
   gradients vanish geometrically, AdaGrad's cache converges and its rate levels off above zero: the
   lecture's question presumes gradients that persist, as in minibatch training. From the unit circle
   instead, the first steep gradients, up to 100 vertically, fill the vertical cache at once and it barely
   grows in 500 steps: AdaGrad's rate there is fixed low from the start, the same fault seen sooner.)
   AdaGrad starts with cache 0 as in the lecture (initial_accumulator_value=0; Keras' default is 0.1).
   Checked: AdaGrad's rate never rises (exact: its cache only grows), and from step 10 to step 500 it falls
   at least √10× more than RMSProp's (log10 ratio < −0.5), while RMSProp's keeps at least half its value.
4. Adam's bias correction: the same Keras Adam with and without it. Without it is Keras' Adam with its
   step counter started at 2^20, where beta**t is 0 in float32 and both corrections are 1: exactly the
   lecture's uncorrected update `x += -lr * m / (sqrt(v) + eps)` from m = v = 0. The first update is lr per
   coordinate with correction and (1 − β1)/√(1 − β2) · lr = 3.162 lr without (β1 = 0.9, β2 = 0.999): exact
   checks; the series shows the uncorrected step's excess under a constant gradient over the first 50 steps
   (it rises to 6.5× by step 10 before v catches up: "it takes some time to reach a suitable value").

Opinion, no number: "Momentum 0.9 usually works well" (we use 0.9; that 0.9 beats other values is not
tested); Nesterov's advantage is not claimed by the lecture, so its check is "no worse". Untestable here:
"usually" across problems.
"""

import math

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_training_set
from reproductions.common.models import mlp
from reproductions.common.sgd_runs import reset_optimizer
from reproductions.common.training import capped_schedule, compile_softmax
from reproductions.expect import at_least, count_at_most, exact_below, exact_near, from_lecture, lower, ours

POSITION = 10  # the update rules before the comparisons that use them

ADAM_BETA_1, ADAM_BETA_2 = 0.9, 0.999
UNCORRECTED_FIRST_STEP = (1 - ADAM_BETA_1) / math.sqrt(1 - ADAM_BETA_2)  # 3.1623: m/√v after one step from 0
NO_CORRECTION_START = 2 ** 20  # Keras Adam's step counter: beta**(t+1) underflows to 0 in float32
SERIES_EVERY = 5  # quadratic loss curves: one point every 5 steps


# --- the ill-conditioned bowl f = ½(x² + κy²) ---------------------------------------------------------------

def bowl_start(seed: int) -> np.ndarray:
    angle = np.random.default_rng(seed).uniform(0.0, 2 * math.pi)
    return np.array([math.cos(angle), math.sin(angle)], dtype="float32")


def bowl_loss(points: np.ndarray, kappa: float) -> np.ndarray:
    points = points.astype("float64")
    return 0.5 * (points[..., 0] ** 2 + kappa * points[..., 1] ** 2)


def bowl_gradient(points: np.ndarray, kappa: float) -> np.ndarray:
    return (points * np.array([1.0, kappa], dtype="float32")).astype("float32")


def sgd_family(optimizer: str) -> keras.optimizers.Optimizer:
    """At rate 1: the grid's rate multiplies the gradient (the update is linear in lr × gradient)."""
    if optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=1.0)
    if optimizer == "sgd-momentum":  # 001: "Momentum 0.9 usually works well"
        return keras.optimizers.SGD(learning_rate=1.0, momentum=0.9)
    if optimizer == "sgd-nesterov":
        return keras.optimizers.SGD(learning_rate=1.0, momentum=0.9, nesterov=True)
    raise ValueError(f"not an SGD-family optimizer: {optimizer!r}")


def steps_to_target(config, seed: int, step_cap=None) -> dict:
    """Every rate of the grid side by side from the seed's start; the first step at which any reaches the
    target is the best rate's steps to target (the run stops there). Censored at max_steps."""
    kappa, target = float(config["kappa"]), float(config["target"])
    rates = np.array([2.0 ** (-k / 2) for k in range(config["quadratic_grid_size"])], dtype="float32")
    max_steps = config["bowl_max_steps"] if step_cap is None else min(config["bowl_max_steps"], step_cap)
    variable = keras.Variable(np.tile(bowl_start(seed), (len(rates), 1)), dtype="float32")
    optimizer = sgd_family(config["optimizer"])
    optimizer.build([variable])
    losses = [bowl_loss(np.asarray(keras.ops.convert_to_numpy(variable.value)), kappa)]
    best = None
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, max_steps + 1):
            points = np.asarray(keras.ops.convert_to_numpy(variable.value))
            optimizer.apply([keras.ops.convert_to_tensor(bowl_gradient(points, kappa) * rates[:, None])], [variable])
            loss = bowl_loss(np.asarray(keras.ops.convert_to_numpy(variable.value)), kappa)
            losses.append(loss)
            reached = np.flatnonzero(loss < target)
            if reached.size:
                best = int(reached[np.argmin(loss[reached])])
                break
    history = np.array(losses)
    steps = len(losses) - 1
    if best is None:  # censored: the rate with the lowest final loss
        final = np.where(np.isfinite(history[-1]), history[-1], np.inf)
        best = int(np.argmin(final))
    curve = {t: float(history[t, best]) for t in sorted({1, *range(SERIES_EVERY, steps + 1, SERIES_EVERY), steps})
             if t >= 1}
    censored = not history[steps, best] < target
    return {"scalars": {"quad_steps": float(steps), "quad_censored": float(censored),
                        "quad_best_rate": float(rates[best]),
                        "quad_best_rate_on_edge": float(best in (0, len(rates) - 1))},
            "series": {"quad_loss_curve": curve}}


def effective_rates(config, seed: int, step_cap=None) -> dict:
    """AdaGrad or RMSProp near the bottom of the bowl (a seeded start at `adaptive_radius`, where the gradient
    is no larger than the noise) with Gaussian gradient noise: the effective rate lr / (√cache + eps) read from
    the optimizer's own cache after each step, as the geometric mean over the two coordinates."""
    kappa, lr, sigma = float(config["kappa"]), float(config["adaptive_rate"]), float(config["gradient_noise"])
    steps = config["adaptive_steps"] if step_cap is None else min(config["adaptive_steps"], step_cap)
    if config["optimizer"] == "adagrad":  # the lecture's cache starts at 0 (Keras' default is 0.1)
        optimizer = keras.optimizers.Adagrad(learning_rate=lr, initial_accumulator_value=0.0, epsilon=1e-7)
    else:  # the lecture's decay_rate: Keras' rho, 0.9
        optimizer = keras.optimizers.RMSprop(learning_rate=lr, rho=0.9, epsilon=1e-7)
    variable = keras.Variable(float(config["adaptive_radius"]) * bowl_start(seed)[None, :], dtype="float32")
    optimizer.build([variable])
    cache = [v for v in optimizer.variables if v is not optimizer.iterations and v is not optimizer._learning_rate][0]
    noise = np.random.default_rng(seed + 1).standard_normal((steps, 1, 2)).astype("float32") * sigma
    rates, losses = [], []
    for step in range(steps):
        points = np.asarray(keras.ops.convert_to_numpy(variable.value))
        optimizer.apply([keras.ops.convert_to_tensor(bowl_gradient(points, kappa) + noise[step])], [variable])
        # Keras divides by sqrt(cache + eps) (the lecture: sqrt(cache) + eps; the same to 1e-7 of the cache)
        root = np.sqrt(np.asarray(keras.ops.convert_to_numpy(cache.value), dtype="float64") + 1e-7)
        rates.append(float(np.exp(np.mean(np.log(lr / root)))))
        losses.append(float(bowl_loss(np.asarray(keras.ops.convert_to_numpy(variable.value)), kappa)[0]))
    rates = np.array(rates)
    first = rates[min(config["adaptive_first_step"], steps) - 1]
    rises = np.diff(rates) / rates[:-1]
    marks = sorted({1, *range(SERIES_EVERY, steps + 1, SERIES_EVERY), steps})
    return {"scalars": {"rate_ratio": float(rates[-1] / first), "rate_largest_rise": float(rises.max(initial=0.0)),
                        "final_rate": float(rates[-1]), "adaptive_final_loss": losses[-1]},
            "series": {"effective_rate_curve": {t: float(rates[t - 1]) for t in marks},
                       "noisy_loss_curve": {t: losses[t - 1] for t in marks}}}


def adam_bias_correction(config, seed: int) -> dict:
    """Keras Adam with its bias correction and with none (its counter started at 2^20): the first update in
    units of lr on the bowl from the seed's start, and under a constant gradient the uncorrected step's
    ratio to the corrected one at each of the first `adam_steps` steps."""
    lr = float(config["adam_rate"])
    kappa = float(config["kappa"])

    def adam(corrected: bool):
        optimizer = keras.optimizers.Adam(learning_rate=lr, beta_1=ADAM_BETA_1, beta_2=ADAM_BETA_2, epsilon=1e-7)
        variable = keras.Variable(bowl_start(seed), dtype="float32")
        optimizer.build([variable])
        if not corrected:
            optimizer.iterations.assign(NO_CORRECTION_START)
        return optimizer, variable

    first = {}
    for corrected in (True, False):
        optimizer, variable = adam(corrected)
        before = np.asarray(keras.ops.convert_to_numpy(variable.value)).copy()
        optimizer.apply([keras.ops.convert_to_tensor(bowl_gradient(before, kappa))], [variable])
        moved = np.abs(np.asarray(keras.ops.convert_to_numpy(variable.value), dtype="float64") - before) / lr
        first[corrected] = float(np.mean(moved))
    gradient = np.random.default_rng(seed + 2).standard_normal(2).astype("float32")  # a constant gradient
    (opt_c, var_c), (opt_u, var_u) = adam(True), adam(False)
    ratio = {}
    for step in range(1, config["adam_steps"] + 1):
        deltas = []
        for optimizer, variable in ((opt_c, var_c), (opt_u, var_u)):
            before = np.asarray(keras.ops.convert_to_numpy(variable.value), dtype="float64")
            optimizer.apply([keras.ops.convert_to_tensor(gradient)], [variable])
            deltas.append(np.abs(np.asarray(keras.ops.convert_to_numpy(variable.value), dtype="float64") - before))
        ratio[step] = float(np.mean(deltas[1] / deltas[0]))
    return {"scalars": {"first_step_corrected": first[True], "first_step_uncorrected": first[False],
                        "peak_uncorrected_ratio": max(ratio.values())},
            "series": {"uncorrected_step_ratio": ratio}}


# --- the small net: plain SGD against SGD + momentum 0.9 ----------------------------------------------------

def net_optimizer(config) -> keras.optimizers.Optimizer:
    momentum = {"sgd": 0.0, "sgd-momentum": 0.9}[config["optimizer"]]
    return keras.optimizers.SGD(learning_rate=float(config["learning_rate"]), momentum=momentum)


def train_net(config, seed: int, context) -> dict:
    """The MLP trained at each rate of the arm's relative grid from the same initial weights (one compiled
    model; weights and optimizer state reset per rate); the outcome at the rate with the lowest final loss."""
    x, y = image_training_set(config["dataset"], config["train_size"], seed, context.data_dir, flat=True)
    steps, epochs, steps_per_epoch = capped_schedule(len(x), config["batch_size"], config["epochs"], context.step_cap)
    model = mlp(x.shape[1], 1, config["hidden"], "relu")
    optimizer = net_optimizer(config)
    compile_softmax(model, optimizer, steps)
    initial = model.get_weights()
    rates = [float(config["learning_rate"]) * m for m in config["rate_grid"]]
    runs = []
    for rate in rates:
        model.set_weights(initial)
        reset_optimizer(optimizer, rate)  # a fresh optimizer: no momentum, step 0, this rate
        history = model.fit(x, y, batch_size=config["batch_size"], epochs=epochs, steps_per_epoch=steps_per_epoch,
                            shuffle=True, verbose=0).history
        losses = [float(v) if math.isfinite(v) else math.inf for v in history["loss"]]
        runs.append((losses[-1], rate, losses, [float(a) for a in history["accuracy"]]))
    best = min(range(len(runs)), key=lambda i: runs[i][0])
    final, rate, losses, accuracy = runs[best]
    return {"scalars": {"final_train_loss": final, "final_train_accuracy": accuracy[-1], "best_rate": rate,
                        "best_rate_on_edge": float(best in (0, len(rates) - 1)),
                        **{f"final_train_loss_at_x{m:g}": r[0] for m, r in zip(config["rate_grid"], runs)}},
            "series": {"train_loss_curve": {e: v for e, v in enumerate(losses, start=1)}}}


def run(config, seed, context):
    parts = []
    if config["optimizer"] in ("sgd", "sgd-momentum", "sgd-nesterov"):
        parts.append(steps_to_target(config, seed, context.step_cap))
    if config["optimizer"] in ("sgd", "sgd-momentum"):
        parts.append(train_net(config, seed, context))
    if config["optimizer"] in ("adagrad", "rmsprop"):
        parts.append(effective_rates(config, seed, context.step_cap))
    if config["optimizer"] == "adam":
        parts.append(adam_bias_correction(config, seed))
    scalars = {k: v for part in parts for k, v in part["scalars"].items()}
    series = {k: v for part in parts for k, v in part["series"].items()}
    notes = ", ".join(f"{k} {scalars[k]:.4g}" for k in ("quad_steps", "final_train_loss", "best_rate", "rate_ratio",
                                                          "first_step_uncorrected") if k in scalars)
    return ArmResult(scalars=scalars, series=series, notes=notes)


TENTH_LOWER = 0.9  # a loss ratio: a 10 % lower loss

CLAIM = Claim(
    id="update-rules",
    title="SGD + momentum beats plain SGD; Nesterov; AdaGrad's rate fades, RMSProp's does not; Adam's bias correction",
    statement=("'SGD + Momentum > SGD', 'Momentum 0.9 usually works well' (001); momentum 'generally converges faster "
               "than the Gradient descent'; Nesterov's momentum; AdaGrad: 'What happens to the learning rate over a "
               "long period of time?', RMSProp's leaky cache; Adam: 'The reason for correcting the biases is that m "
               "and v are zero at the beginning and it takes some time to reach a suitable value' (003)."),
    source="001 'Learning rates and updates'; 003 'Updating parameters', 'Momentum method', 'Nestrov's momentum "
           "method', 'AdaGrad method', 'RMSProp Method', 'Adam Method'",
    lecture_number="no measured number; the lecture's settings: mu = 0.9 ('usually 0.5, 0.9 or 0.99'), eps = 1e-7, "
                   "beta1 = 0.9 and beta2 = 0.999 (Keras' defaults, the Adam paper's)",
    setup=("Bowl f = ½(x² + 100y²) from a seeded start on the unit circle, Keras optimizers applied to the "
           "closed-form gradient: SGD, SGD + momentum 0.9 and Nesterov 0.9 each at its best rate of 2^(−k/2), "
           "k = 0…24, judged by "
           "the steps to f < 1e-6 (at most 3000); AdaGrad (cache from 0) and RMSProp (rho 0.9) at rate 0.1 for 500 "
           "steps with N(0, 1) gradient noise from a start 0.01 from the minimum, effective rate lr/√cache from "
           "the optimizer's state; Keras Adam with "
           "and without bias correction (counter started at 2^20). Net: 1-hidden-layer ReLU MLP (64 units), 2000 "
           "Fashion-MNIST training images, batch 50, 3 epochs, plain SGD (rates 0.025…0.4) against SGD + momentum "
           "0.9 (0.0025…0.04), each at its lowest last-epoch training loss on its grid, same data and initial "
           "weights per seed."),
    check="the ill-conditioned bowl ½(x² + 100y²) with Keras' optimizers (steps to 1e-6, exact); plain SGD against momentum 0.9 on an MLP, each at its best rate; AdaGrad's and RMSProp's effective rate over 500 noisy steps; Adam's first step with and without correction (exact)",
    base_config={"optimizer": "sgd", "kappa": 100.0, "target": 1e-6, "bowl_max_steps": 3000, "quadratic_grid_size": 25,
                 "adaptive_rate": 0.1, "adaptive_steps": 500, "adaptive_radius": 0.01, "adaptive_first_step": 10,
                 "gradient_noise": 1.0,
                 "adam_rate": 1e-3, "adam_steps": 50,
                 "dataset": "fashion-mnist", "train_size": 2000, "hidden": 64,
                 "batch_size": 50, "epochs": 3, "learning_rate": 0.1, "rate_grid": (0.25, 0.5, 1.0, 2.0, 4.0)},
    arms=(
        Arm("sgd", {"optimizer": "sgd", "learning_rate": 0.1},
            "plain SGD: the bowl at its best grid rate; the net at its best of 0.025…0.4"),
        Arm("sgd-momentum", {"optimizer": "sgd-momentum", "learning_rate": 0.01},
            "SGD + momentum 0.9: the bowl at its best grid rate; the net at its best of 0.0025…0.04"),
        Arm("sgd-nesterov", {"optimizer": "sgd-nesterov"}, "Nesterov momentum 0.9 on the bowl at its best grid rate"),
        Arm("adagrad", {"optimizer": "adagrad"}, "AdaGrad (cache from 0), rate 0.1, on the noisy bowl"),
        Arm("rmsprop", {"optimizer": "rmsprop"}, "RMSProp (rho 0.9), rate 0.1, on the noisy bowl"),
        Arm("adam", {"optimizer": "adam"}, "Keras Adam with and without bias correction: first steps"),
    ),
    expectations=(
        lower("momentum-lower-net-loss", "sgd-momentum", "final_train_loss", than="sgd", ratio=TENTH_LOWER,
              statement="on the small net, SGD + momentum 0.9 at its best rate ends with a training loss at "
                        "least 10 % lower than plain SGD at its best rate",
              lecture="'SGD + Momentum > SGD'; 'Momentum 0.9 usually works well' (001)",
              size=ours("a size the lecture never gives ('SGD + Momentum > SGD' has no number): a 10 % lower loss, "
                        "chosen as a gain worth having")),
        exact_below("momentum-fewer-steps-bowl", "sgd-momentum", "quad_steps", 0.0, than="sgd",
                    statement="on the ill-conditioned bowl, momentum 0.9 at its best rate reaches f < 1e-6 in fewer "
                              "steps than plain SGD at its best rate (every seed's start)",
                    lecture="'this method generally converges faster than the Gradient descent' (003)"),
        count_at_most("nesterov-no-slower-bowl", "sgd-nesterov", "quad_steps", 0, than="sgd-momentum",
                      statement="on the bowl, Nesterov momentum needs no more steps than classical momentum (both "
                                "0.9, each at its best rate)",
                      lecture="Nesterov's 'predicted' gradient at the look-ahead point (003; no claim of size)",
                      size=ours("a computed fact's bare direction: Nesterov's steps minus momentum's at most 0 (an "
                                "integer count, 0.5 the count tolerance); the lecture claims nothing for Nesterov, "
                                "so only 'no worse'")),
        exact_below("adagrad-rate-never-rises", "adagrad", "rate_largest_rise", 1e-9,
                    statement="AdaGrad's effective rate lr/√cache never rises from one step to the next",
                    lecture="'cache += dx ** 2' (003)",
                    size=ours("a computed fact: a cache that only grows gives a rate that never rises; 1e-9 is a "
                              "float rounding allowance on the relative step-to-step change")),
        lower("adagrad-rate-fades-vs-rmsprop", "adagrad", "rate_ratio", than="rmsprop", by=0.5, scale="log10",
              statement="from step 10 to step 500 with persistent gradient noise, AdaGrad's effective rate falls "
                        "at least √10× more than RMSProp's",
              lecture="'What happens to the learning rate over a long period of time?' (003)",
              size=ours("a size the lecture never gives (it only asks the question): half a decade (√10×) more fall "
                        "than RMSProp's, chosen as a fall clearly beyond noise")),
        at_least("rmsprop-rate-holds", "rmsprop", "rate_ratio", ratio=0.5,
                 statement="RMSProp's effective rate at step 500 keeps at least half its value at step 10",
                 lecture="RMSProp's leaky cache 'cache = decay_rate * cache + (1 - decay_rate) * dx ** 2' (003)",
                 size=ours("a bound the lecture never gives: 'keeps at least half its value', our reading of a rate "
                           "that does not fade")),
        exact_near("adam-first-step-corrected", "adam", "first_step_corrected", 1.0, tolerance=1e-3,
                   statement="with bias correction Adam's first update is lr per coordinate (mb/√vb = ±1)",
                   lecture="'mb = m / (1 - beta1**t)', 'vb = v / (1 - beta2**t)' (003)",
                   size=from_lecture("mb = m / (1 - beta1 ** t) # correct bias; vb = v / (1 - beta2 ** t) # correct "
                                     "bias; x += -learning_rate * mb / (np.sqrt(vb) + 1e-7)", seed="003")),
        exact_near("adam-first-step-uncorrected", "adam", "first_step_uncorrected", UNCORRECTED_FIRST_STEP,
                   tolerance=1e-3,
                   statement="without it the first update is (1 − β1)/√(1 − β2) = 3.162 lr: m and v start at zero and "
                             "v lags further",
                   lecture="'m and v are zero at the beginning and it takes some time to reach a suitable "
                           "value' (003)",
                   size=ours("a computed fact: the lecture's uncorrected update 'x += -learning_rate * m / "
                             "(np.sqrt(v) + 1e-7)' (003) one step from m = v = 0 moves (1 − β1)/√(1 − β2) lr = 3.162 "
                             "lr at Keras' default β1 = 0.9, β2 = 0.999 (the lecture gives no betas); 1e-3 is float32 "
                             "rounding")),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "epochs": 2, "bowl_max_steps": 300, "adaptive_steps": 50,
                                   "adam_steps": 5},
                        note="500 images, 2 epochs, short bowl runs: pipeline check only"),
        "quick": Budget(note="bowl: up to 3000 steps, 500 noisy steps; net: 2000 images, 3 epochs, 5 rates"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "hidden": 256, "batch_size": 100,
                                  "epochs": 10, "adaptive_steps": 5000},
                       note="net: the whole training set (CIFAR-10 if its archive is here, else Fashion-MNIST), 256 "
                            "hidden units, batch 100, 10 epochs, 5 rates per arm; 5000 noisy AdaGrad/RMSProp steps"),
    },
    run=run,
    plots=(
        PlotSpec(name="bowl-loss", kind="series", metric="quad_loss_curve", log_y=True,
                 title="Loss on the bowl ½(x² + 100y²) at each rule's best rate (mean, min–max over starts)",
                 xlabel="step", ylabel="f(x, y)"),
        PlotSpec(name="net-training-loss", kind="series", metric="train_loss_curve", log_y=True,
                 title="Net: training loss per epoch at each optimizer's best rate", xlabel="epoch",
                 ylabel="training loss"),
        PlotSpec(name="effective-rate", kind="series", metric="effective_rate_curve", log_y=True,
                 title="Effective rate lr/√cache under gradient noise: AdaGrad fades, RMSProp holds",
                 xlabel="step", ylabel="effective rate (geometric mean over coordinates)"),
        PlotSpec(name="adam-uncorrected-excess", kind="series", metric="uncorrected_step_ratio",
                 title="Adam without bias correction: its step over the corrected one, constant gradient",
                 xlabel="step", ylabel="step ratio (uncorrected / corrected)",
                 reference={"adam": [UNCORRECTED_FIRST_STEP]}, reference_label="(1 − β1)/√(1 − β2) at step 1"),
    ),
    summary_metrics=("quad_steps", "quad_best_rate", "quad_best_rate_on_edge", "final_train_loss", "best_rate",
                     "best_rate_on_edge", "rate_ratio", "first_step_uncorrected"),
    primary=("momentum-lower-net-loss", "momentum-fewer-steps-bowl"),
)
