"""
Title: At the best learning rate, the first layer's update/weight ratio is ~1e-3 to 1e-2
Claim id: update-ratio
Source: seed 001 ("Track the ratio of weight updates / weight magnitudes": "ratio between the values and
        updates: ~0.0002 / 0.02 = 0.01 (about okay); want this to be somewhere around 0.01 - 0.001 or so");
        seed 003 ("The ratio of the change of weights to the size of the weights": the code prints
        update_scale / param_scale "# want ~1e-3"; "A desirable ratio is around 0.001 or more").

The lecture's babysitting rule: with W the first layer's weights and the simple SGD update
ΔW = −learning_rate·dW, watch ‖ΔW‖/‖W‖ per step; a healthy run sits around 1e-3 to 1e-2. The two seeds
give two bands for the same slide: 001 says 0.001–0.01, 003 says "around 0.001 or more". We judge them
separately, so the report says which one the data support.

What we check. The rule is a claim about the rate that trains well: the ratio there should land in the
band. So each seed sweeps the learning rate, fixed before any run: 1e-4 … 1 in half-decades (9 rates),
each from the same initial weights and through the same batches (the lecture's two-layer net, 784-50-10
ReLU, plain SGD, batch 100, a fixed number of steps). At every step we measure ‖ΔW‖/‖W‖ of the first
layer's kernel exactly as 003's code does (the norm of the actual update over the norm of the weights
before it), and average it over the steps after the first tenth of training. The seed's best rate is the
one with the highest final validation accuracy (ties: the lower validation loss) on images held out from
the training images (so the choice never sees the test images; the ratio itself is read off training
steps). A rate whose loss turns NaN/inf is diverged and cannot be best. Because "the ratio at this seed's
best rate" needs every rate, one run per seed trains the whole sweep (arm `sgd-sweep`): the best rate is
chosen per seed, with no tuning machinery and no choice made after seeing the ratio.

Sub-claims: at the best rate log10(ratio) is within 0.5 of −2.5 (the 001 band [1e-3, 1e-2]); it is above
−3 (003's "0.001 or more"); both are the lecture's headline. Secondary: for plain SGD ΔW = −lr·dW, so the
ratio grows about linearly with the rate (log-log slope within 0.2 of 1 over the rates that did not
diverge: a sanity check on the measurement, the gradient and weight norms change only slowly with the
rate); and the best rate lies inside the sweep, not on its edge (a check of the design).
"""

import math

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_split
from reproductions.common.evaluation import logits_of, softmax_metrics
from reproductions.common.models import mlp
from reproductions.expect import at_least, exact_near, from_lecture, near, ours

POSITION = 50  # its place in the babysitting topic

RATES = tuple(10.0 ** (k / 2) for k in range(-8, 1))  # 1e-4, 3.2e-4, …, 0.32, 1: fixed before any run
BAND_001 = (1e-3, 1e-2)  # "somewhere around 0.01 - 0.001 or so"
FLOOR_003 = 1e-3  # "around 0.001 or more"


def _kernel(model):
    return np.asarray(keras.ops.convert_to_numpy(model.layers[0].kernel), dtype="float64")


def _norm(array):
    """Frobenius norm, elementwise (np.linalg.norm's BLAS dot fights the backend's threads for the cores)."""
    return math.sqrt(float(np.sum(np.square(array))))


def train_at_rate(model, initial, optimizer, rate, x, y, order, batch_size):
    """Plain SGD from `initial` through the batches `order` (index arrays); per step ‖ΔW‖/‖W‖ of the first
    layer's kernel, its update's and weights' RMS. Stops at a non-finite loss (diverged)."""
    model.set_weights(initial)
    optimizer.learning_rate.assign(rate)
    before = _kernel(model)
    ratios, update_rms, weight_rms = [], [], []
    diverged = False
    for index in order:
        loss = model.train_on_batch(x[index], y[index], return_dict=True)["loss"]
        after = _kernel(model)
        if not math.isfinite(float(loss)) or not np.all(np.isfinite(after)):
            diverged = True
            break
        update = after - before
        ratios.append(_norm(update) / _norm(before))  # 003: update_scale / param_scale
        update_rms.append(float(np.sqrt(np.mean(update ** 2))))
        weight_rms.append(float(np.sqrt(np.mean(before ** 2))))
        before = after
    return ratios, update_rms, weight_rms, diverged


def run(config, seed, context):
    # the best rate is a choice: it is made on images held out from the training images, never the test set
    (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                         context.data_dir, validation_pool="train")
    steps = config["steps"] if context.step_cap is None else min(config["steps"], context.step_cap)
    batch = config["batch_size"]
    rng = np.random.default_rng(seed)
    per_pass = len(x) // batch
    order = [rng.permutation(len(x))[:per_pass * batch].reshape(per_pass, batch) for _ in range(-(-steps // per_pass))]
    order = np.concatenate(order)[:steps]  # the same batches, in the same order, at every rate

    model = mlp(x.shape[1], 1, config["hidden"], "relu")  # 001/003: the two-layer net (one hidden layer)
    optimizer = keras.optimizers.SGD(learning_rate=float(RATES[0]))  # 003: "update = -learning_rate*dW"
    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    initial = model.get_weights()
    skip = int(config["skip_fraction"] * steps)

    rates = tuple(config["rates"])
    table = []
    for rate in rates:
        ratios, update_rms, weight_rms, diverged = train_at_rate(model, initial, optimizer, rate, x, y, order, batch)
        val_loss, val_accuracy = (math.inf, math.nan) if diverged else softmax_metrics(logits_of(model, x_val), y_val)
        kept = slice(skip, None) if len(ratios) > skip else slice(None)
        table.append({
            "rate": rate, "diverged": diverged, "val_loss": val_loss, "val_accuracy": val_accuracy,
            "ratio": float(np.mean(ratios[kept])) if ratios and not diverged else math.nan,
            "update_rms": float(np.mean(update_rms[kept])) if ratios and not diverged else math.nan,
            "weight_rms": float(np.mean(weight_rms[kept])) if ratios and not diverged else math.nan,
            "history": ratios,
        })

    alive = [i for i, row in enumerate(table) if not row["diverged"] and math.isfinite(row["val_accuracy"])]
    if not alive:
        raise RuntimeError("every learning rate diverged")
    best = max(alive, key=lambda i: (table[i]["val_accuracy"], -table[i]["val_loss"]))  # rule fixed beforehand
    chosen = table[best]
    log_rate = np.log10([table[i]["rate"] for i in alive])
    log_ratio = np.log10([table[i]["ratio"] for i in alive])
    slope = float(np.polyfit(log_rate, log_ratio, 1)[0]) if len(alive) >= 2 else math.nan

    series = {
        "ratio_by_rate": {i + 1: row["ratio"] for i, row in enumerate(table) if not row["diverged"]},
        "val_accuracy_by_rate": {i + 1: row["val_accuracy"] for i, row in enumerate(table) if not row["diverged"]},
        "ratio_history_at_best": {step: value for step, value in enumerate(chosen["history"], start=1)},
    }
    scalars = {
        "ratio_at_best": chosen["ratio"],
        "best_rate": chosen["rate"],
        "best_rate_index": float(best + 1),  # 1 … len(rates)
        "best_val_accuracy": chosen["val_accuracy"],
        "best_val_loss": chosen["val_loss"],
        "update_rms_at_best": chosen["update_rms"],
        "weight_rms_at_best": chosen["weight_rms"],
        "ratio_slope": slope,
        "diverged_rates": float(sum(row["diverged"] for row in table)),
        "steps": float(steps),
    }
    notes = (f"best rate {chosen['rate']:.3g} (val acc {chosen['val_accuracy']:.3f}), ratio there "
             f"{chosen['ratio']:.2e}; slope {slope:.2f}")
    return ArmResult(scalars=scalars, series=series, notes=notes)


CLAIM = Claim(
    id="update-ratio",
    title="At the best learning rate, the first layer's update/weight ratio is ~1e-3 to 1e-2",
    statement=("'Track the ratio of weight updates / weight magnitudes: … ratio between the values and updates: "
               "~0.0002 / 0.02 = 0.01 (about okay); want this to be somewhere around 0.01 - 0.001 or so' (001). "
               "'print update_scale / param_scale # want ~1e-3' … 'A desirable ratio is around 0.001 or more' (003)."),
    source="001 'Track the ratio of weight updates / weight magnitudes'; 003 'The ratio of the change of weights to "
           "the size of the weights'",
    lecture_number="0.0002 / 0.02 = 0.01 'about okay'; want 0.001–0.01 (001); want ~1e-3, 'around 0.001 or more' (003)",
    setup=("Per seed, one run sweeps the learning rate 1e-4 … 1 in half-decades (9 rates, fixed beforehand), each "
           "from the same initial weights through the same batches: the lecture's two-layer net (784-50-10, ReLU, He "
           "init), plain SGD (ΔW = −lr·dW), batch 100, a fixed number of steps, on a seeded class-balanced "
           "Fashion-MNIST subset (standardized). Each step's ‖ΔW‖/‖W‖ of the first layer's kernel (003's "
           "update_scale / param_scale), averaged after the first tenth of the steps. The seed's best rate: the "
           "highest final validation accuracy (ties: lower validation loss) on 1000 images held out from the "
           "training images; a rate whose loss turns NaN/inf is diverged and cannot be best."),
    check='‖ΔW‖/‖W‖ of the first layer over a rate sweep, at the best rate',
    base_config={"dataset": "fashion-mnist", "train_size": 5000, "validation_size": 1000, "hidden": 50,
                 "batch_size": 100, "steps": 250, "rates": RATES, "skip_fraction": 0.1},
    arms=(
        Arm("sgd-sweep", {}, "plain SGD over the 9 rates, the seed's best rate read off its validation accuracy"),
    ),
    expectations=(
        near("ratio-in-the-001-band", "sgd-sweep", "ratio_at_best", -2.5, tolerance=0.5, scale="log10",
             size=from_lecture("want this to be somewhere around 0.01 - 0.001 or so", seed="001"),
             statement="at the seed's best rate the mean ratio ‖ΔW‖/‖W‖ lies in [1e-3, 1e-2] (log10 within "
                       "0.5 of −2.5)",
             lecture="'somewhere around 0.01 - 0.001 or so'; 0.0002 / 0.02 = 0.01 'about okay' (001)"),
        at_least("ratio-at-least-the-003-floor", "sgd-sweep", "ratio_at_best", ratio=FLOOR_003,
                 size=from_lecture("print update_scale / param_scale # want ~1e-3 … A desirable ratio is around 0.001 "
                                   "or more.", seed="003"),
                 statement="at the seed's best rate the mean ratio is above 1e-3",
                 lecture="'want ~1e-3'; 'A desirable ratio is around 0.001 or more' (003)"),
        near("ratio-linear-in-rate", "sgd-sweep", "ratio_slope", 1.0, tolerance=0.2,
             size=ours("slope 1 is what 003's 'update = -learning_rate*dW' gives if dW and W change only slowly with "
                       "the rate; 0.2 is our allowance for that drift"),
             statement="the ratio grows about linearly with the learning rate (log-log slope within 0.2 of 1, "
                       "over the rates that did not diverge)",
             lecture="003's code: update = −learning_rate·dW"),
        exact_near("best-rate-inside-the-sweep", "sgd-sweep", "best_rate_index", 5.0, tolerance=3.0,
                   size=ours("a design check: rate index 5 ± 3 (2 … 8 of 9) excludes only the sweep's two edge rates, "
                             "1e-4 and 1"),
                   statement="the best rate is inside the sweep (neither 1e-4 nor 1), so the ratio is read at a "
                             "rate that was tuned, not at the range's edge",
                   lecture="'this best cross-validation result is worrying' when it sits on the edge (001)"),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "validation_size": 200, "steps": 10,
                                   "rates": (1e-3, 1e-2, 1e-1)},
                        note="500 images, 3 rates, 10 steps: pipeline check only"),
        "quick": Budget(note="5000 images, 250 steps of batch 100 (5 epochs) per rate, 9 rates per seed"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "steps": 2450},
                       note="the whole training set less 1000 held-out validation images (49,000 / 1000 on "
                            "CIFAR-10, as cs231n: a 3072-50-10 net), 2450 steps of batch 100 (5 epochs: the "
                            "lecture's coarse stage) per rate"),
    },
    run=run,
    plots=(
        PlotSpec(name="ratio-by-rate", kind="series", metric="ratio_by_rate", log_y=True,
                 title="Mean ‖ΔW‖/‖W‖ (first layer) per learning rate; lecture's band 1e-3 … 1e-2",
                 xlabel="rate index (1 = 1e-4, 3 = 1e-3, 5 = 1e-2, 7 = 0.1, 9 = 1)", ylabel="update / weight ratio"),
        PlotSpec(name="validation-accuracy-by-rate", kind="series", metric="val_accuracy_by_rate",
                 title="Final validation accuracy per learning rate (the best one is the seed's best rate)",
                 xlabel="rate index (1 = 1e-4, 3 = 1e-3, 5 = 1e-2, 7 = 0.1, 9 = 1)", ylabel="validation accuracy"),
        PlotSpec(name="ratio-history", kind="series", metric="ratio_history_at_best", log_y=True,
                 title="‖ΔW‖/‖W‖ per SGD step at the seed's best rate", xlabel="SGD step",
                 ylabel="update / weight ratio"),
        PlotSpec(name="ratio-at-best", kind="bar", metric="ratio_at_best", log_y=True,
                 title="Mean ratio at the seed's best rate (mean, 95% CI); the lecture's band",
                 ylabel="update / weight ratio", reference={"001: 0.01": 1e-2, "001/003: 0.001": 1e-3}),
    ),
    summary_metrics=("ratio_at_best", "best_rate", "best_val_accuracy", "update_rms_at_best", "weight_rms_at_best",
                     "ratio_slope"),
    primary=("ratio-in-the-001-band", "ratio-at-least-the-003-floor"),
)
