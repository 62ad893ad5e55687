"""
Title: Zero or constant init: every hidden unit computes and learns the same thing; random init breaks the tie
Claim id: zero-init-symmetry
Source: seed 003 ("Initializing the weights": "Question: What happens if all the weights are
        initialized to zero?"), seed 004 ("4. Weight Initialization": "초기값을 0으로 하면 모든 뉴런은
        동일한 일을 하게 돼 / 모든 gradient의 값이 같게 될 것 -> 의미 x", i.e. with all-zero initial
        values every neuron does the same thing, all gradients are the same: meaningless).

The lecture asks the question and answers it in words: with a symmetric start every neuron of a
layer computes the same output, receives the same gradient and so takes the same update; the
symmetry is never broken, and the layer acts as one unit however wide it is. The remedy it gives
next is "small random numbers".

We train the same MLP (784-100-100-10, tanh, SGD with momentum, a few hundred steps on a
Fashion-MNIST subset) from three starts: all weights zero, all weights the constant 0.01 (the
lecture's 0.01 scale without its randomness; it keeps the first layer's pre-activations of order 1,
so the constant start is not also a saturated one), and random Xavier weights (randn/sqrt(fan_in)).
Biases start at zero everywhere. After training, the identical-unit detector
(reproductions/common/units.py) compares each hidden layer's units, each one's incoming weights and
bias: from a constant start they must all be equal (an exact check: max pairwise L∞ difference
below 1e-4 of the layer's weight scale; on the TensorFlow CPU backend they are bitwise equal, which
`bitwise_identical` records), while Xavier's units stay all distinct (the control that the detector
can tell). The all-zero start has a further subtlety the lecture's words cover: tanh(0) = 0, so
the output layer's weight gradient h·δ is 0 and so is the gradient sent back (δ·W = 0); the hidden
weights and biases never move from exactly zero and only the output biases learn, i.e. the net
learns the class prior and predicts one class for every image. Statistically, the random start
beats either symmetric start in test accuracy by a wide margin (> 0.3, decided from first
principles: a constant start leaves one effective tanh unit per layer, a scalar feature, and the
zero start is at chance, 0.1, while a random MLP reaches ~0.8 here).
"""

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import image_split
from reproductions.common.training import fit_epochs, per_epoch
from reproductions.common.units import layer_symmetry
from reproductions.expect import count_at_most, exact_above, exact_below, exact_near, from_lecture, higher, ours

POSITION = 20

RELATIVE_TOLERANCE = 1e-4  # units equal within 1e-4 × the layer's max |w|: ~1000 float32 ulps, 4 orders
# of magnitude below the separation of random units (relative L∞ distance of order 1)
WIDE_MARGIN = 0.3  # test-accuracy advantage of the random start, "a wide margin"
CHANCE = 0.1  # ten balanced classes


def kernel_initializer(init: str, constant: float):
    if init == "zero":
        return keras.initializers.Zeros()
    if init == "constant":
        return keras.initializers.Constant(constant)
    if init == "xavier":  # 003: W = np.random.randn(fan_in, fan_out) / np.sqrt(fan_in)
        return keras.initializers.VarianceScaling(1.0, mode="fan_in", distribution="untruncated_normal")
    raise ValueError(f"unknown init {init!r}")


def build(config, input_dim):
    """depth × Dense(width, tanh) → Dense(10) logits, every kernel from the arm's init, biases zero."""
    layers = [keras.Input((input_dim,))]
    for i in range(config["depth"]):
        layers.append(keras.layers.Dense(config["width"], activation=config["activation"], name=f"hidden_{i + 1}",
                                         kernel_initializer=kernel_initializer(config["init"], config["constant"])))
    layers.append(keras.layers.Dense(10, name="logits", dtype="float32",
                                     kernel_initializer=kernel_initializer(config["init"], config["constant"])))
    return keras.Sequential(layers)


def _numpy(variable):
    return np.asarray(keras.ops.convert_to_numpy(variable), dtype="float64")


def run(config, seed, context):
    (x, y), (x_val, y_val) = image_split(config["dataset"], config["train_size"], config["validation_size"], seed,
                                         context.data_dir, validation_pool=context.validation_pool)
    model = build(config, x.shape[1])
    fit = fit_epochs(model, x, y, (x_val, y_val),
                     optimizer=keras.optimizers.SGD(config["learning_rate"], momentum=config["momentum"]),
                     batch_size=config["batch_size"], epochs=config["epochs"], step_cap=context.step_cap)
    history = fit.history
    hidden = [layer for layer in model.layers if layer.name.startswith("hidden_")]
    layers = [layer_symmetry(_numpy(layer.kernel), _numpy(layer.bias), RELATIVE_TOLERANCE) for layer in hidden]
    nonzero = sum(int(np.count_nonzero(_numpy(v))) for layer in hidden for v in (layer.kernel, layer.bias))
    predictions = np.argmax(keras.ops.convert_to_numpy(model(x_val, training=False)), axis=1)
    steps = range(1, len(layers) + 1)
    scalars = {
        "test_accuracy": float(history["val_accuracy"][-1]),
        "test_loss": float(history["val_loss"][-1]),
        "train_loss": float(history["loss"][-1]),
        # the layer least like a symmetric one decides: the largest spread, the most distinct units
        "max_relative_spread": max(s["relative_spread"] for s in layers),
        "distinct_units": max(s["distinct"] for s in layers),
        "distinct_units_bitwise": max(s["distinct_bitwise"] for s in layers),
        "bitwise_identical": float(all(s["distinct_bitwise"] == 1 for s in layers)),
        # the layer most like a symmetric one decides: the fewest distinct units, the closest pair
        "distinct_fraction": min(s["distinct"] / s["units"] for s in layers),
        "min_relative_distance": min(s["relative_min_distance"] for s in layers),
        "hidden_nonzero_weights": float(nonzero),
        "distinct_predictions": float(len(np.unique(predictions))),
        **fit.throughput,
    }
    return ArmResult(
        scalars=scalars,
        series={"val_accuracy_curve": per_epoch(history["val_accuracy"]), "train_loss_curve": per_epoch(history["loss"]),
                "distinct_units_per_layer": {i: s["distinct"] for i, s in zip(steps, layers)},
                "relative_spread_per_layer": {i: s["relative_spread"] for i, s in zip(steps, layers)}},
        notes=f"test accuracy {scalars['test_accuracy']:.3f}, {scalars['distinct_units']:.0f} distinct units "
              f"(bitwise {scalars['distinct_units_bitwise']:.0f})")


REMEDY_LECTURE = ("'모든 뉴런은 동일한 일을 하게 돼 … 의미 x' (every neuron does the same thing: meaningless); "
                  "the remedy: 'small random numbers'")


CLAIM = Claim(
    id="zero-init-symmetry",
    title="Zero or constant init: every hidden unit computes and learns the same thing; random init breaks the tie",
    statement=("'Question: What happens if all the weights are initialized to zero?' (003). '초기값을 0으로 하면 모든 "
               "뉴런은 동일한 일을 하게 돼 / 모든 gradient의 값이 같게 될 것 -> 의미 x' (004: with zero initial values "
               "every neuron does the same thing; all gradients are the same; meaningless). 'First idea: small random "
               "numbers' (003)."),
    source="003 'Initializing the weights' (the zero-init question, then 'small random numbers'); 004 '4. Weight "
           "Initialization'",
    lecture_number="no number: every neuron identical (a statement of symmetry)",
    setup=("MLP 784-100-100-10 (tanh hidden layers), all kernels from the arm's init, biases zero; SGD momentum 0.9, "
           "lr 0.01, batch 50, 5 epochs of a 3000-image class-balanced Fashion-MNIST subset (300 steps), validated "
           "on 1000 held-out test images. After training, each hidden layer's units (incoming weights + bias) are "
           "compared by common/units.py: max pairwise L∞ difference relative to the layer's max |w|, and the number "
           f"of distinct units within {RELATIVE_TOLERANCE:g} of that scale (and bitwise). Arms share seeds (same "
           "subset, same batch order)."),
    check='the hidden units of a trained MLP from zero/constant init are identical (exact); random init beats them by > 0.3 accuracy',
    base_config={"dataset": "fashion-mnist", "train_size": 3000, "validation_size": 1000, "depth": 2, "width": 100,
                 "activation": "tanh", "init": "xavier", "constant": 0.01, "learning_rate": 0.01, "momentum": 0.9,
                 "batch_size": 50, "epochs": 5},
    arms=(
        Arm("zero", {"init": "zero"}, "all weights 0 (biases 0)"),
        Arm("constant", {"init": "constant"}, "all weights 0.01 (biases 0)"),
        Arm("xavier", {"init": "xavier"}, "W = randn / sqrt(fan_in) (biases 0)"),
    ),
    expectations=(
        exact_below("constant-init-units-identical", "constant", "max_relative_spread", RELATIVE_TOLERANCE,
                    statement="after training from a constant init (0.01), every hidden layer's units are identical "
                              f"(max pairwise difference of their incoming weights and bias < {RELATIVE_TOLERANCE:g} "
                              "of the layer's weight scale)",
                    lecture="'every neuron does the same thing; all gradients are the same' (004)",
                    size=ours("a float tolerance for 'identical': 1e-4 of the layer's max |w| (~1000 float32 ulps, 4 "
                              "orders below random units' separation); the lecture states the symmetry for zero init "
                              "(004), a constant start follows by the same argument")),
        exact_below("zero-init-units-identical", "zero", "max_relative_spread", RELATIVE_TOLERANCE,
                    statement="after training from zero init, every hidden layer's units are identical (max pairwise "
                              f"difference of their incoming weights and bias < {RELATIVE_TOLERANCE:g} of the layer's "
                              "weight scale)",
                    lecture="'What happens if all the weights are initialized to zero?' (003)",
                    size=from_lecture("초기값을 0으로 하면 모든 뉴런은 동일한 일을 하게 돼 / 모든 gradient의 값이 같게 될 것 -> 의미 x", seed="004")),
        # random-beats-constant first: its baseline is the placebo arm (a constant start varies by seed; a zero
        # start's accuracy is always 0.1)
        higher("random-beats-constant", "xavier", "test_accuracy", than="constant", by=WIDE_MARGIN,
               statement=f"random (Xavier) init beats constant (0.01) init by a wide margin (> {WIDE_MARGIN} test "
                         "accuracy)",
               lecture=REMEDY_LECTURE,
               size=ours("a 'wide margin' fixed from first principles (a constant start leaves one effective tanh "
                         "unit per layer, zero init sits at chance 0.1, a random MLP reaches ~0.8 here); '의미 x' "
                         "(004) gives no number")),
        higher("random-beats-zero", "xavier", "test_accuracy", than="zero", by=WIDE_MARGIN,
               statement=f"random (Xavier) init beats zero init by a wide margin (> {WIDE_MARGIN} test accuracy)",
               lecture=REMEDY_LECTURE,
               size=ours("a 'wide margin' fixed from first principles (a constant start leaves one effective tanh "
                         "unit per layer, zero init sits at chance 0.1, a random MLP reaches ~0.8 here); '의미 x' "
                         "(004) gives no number")),
        count_at_most("zero-init-hidden-weights-stay-zero", "zero", "hidden_nonzero_weights", 0,
                      statement="from zero init with tanh, no hidden weight or bias ever moves from 0 (tanh(0) = 0: "
                                "the gradients reaching them are exactly 0)",
                      lecture="the sharpest case of 'all gradients are the same'",
                      size=ours("a computed fact: tanh(0) = 0, so the output weights' gradient h·δ and the gradient "
                                "sent back δ·W are exactly 0: no hidden weight or bias moves")),
        count_at_most("zero-init-predicts-one-class", "zero", "distinct_predictions", 1,
                      statement="from zero init the net learns only the output biases: it predicts one class for "
                                "every test image",
                      lecture="'의미 x' (meaningless)",
                      size=ours("a computed fact: with every hidden activation 0 only the output biases learn, so "
                                "every image gets the same logits: one class")),
        exact_above("random-init-units-distinct", "xavier", "distinct_fraction", 0.999,
                    statement="control: after training from Xavier init every hidden unit is distinct (the detector "
                              "tells random units apart)",
                    lecture="'small random numbers' break the symmetry",
                    size=ours("a control: every unit distinct; 0.999 lies below 1 by less than one unit in 1000 "
                              "(widths 100 and 500)")),
        exact_near("zero-init-at-chance", "zero", "test_accuracy", CHANCE, tolerance=0.02,
                   statement="zero init stays at chance accuracy (0.1 ± 0.02; one class "
                             "predicted on balanced test images gives 0.1 exactly)",
                   lecture="'의미 x' (meaningless)",
                   size=ours("chance for ten balanced classes is 0.1 (a computed fact: one class predicted on "
                             "balanced test images scores 0.1); ±0.02 is our allowance for the held-out images' "
                             "class shares")),
    ),
    budgets={
        "smoke": Budget(overrides={"train_size": 500, "validation_size": 200, "epochs": 2},
                        note="500 images, 2 epochs: pipeline check only"),
        "quick": Budget(note="3000 images, 100-100 tanh, 300 SGD steps"),
        "full": Budget(overrides={"dataset": "auto", "train_size": None, "validation_size": None,
                                  "width": 500, "epochs": 10},
                       note="the whole training set (CIFAR-10 if its archive is here, else Fashion-MNIST), "
                            "2 × 500 tanh units (the lecture's layer width), 10 epochs, the whole test set"),
    },
    run=run,
    plots=(
        PlotSpec(name="test-accuracy", kind="bar", metric="test_accuracy",
                 title="Test accuracy after training, per init (mean, 95% CI); chance = 0.1",
                 ylabel="test accuracy", reference={"chance": CHANCE}, reference_label="chance"),
        PlotSpec(name="distinct-units", kind="bar", metric="distinct_units", log_y=True,
                 title=f"Distinct hidden units per layer after training (within {RELATIVE_TOLERANCE:g} of the "
                       "weight scale; of 100 at quick, 500 at full)", ylabel="distinct units (most in any hidden layer)"),
        PlotSpec(name="validation-accuracy", kind="series", metric="val_accuracy_curve",
                 title="Test accuracy per epoch (mean, min–max over seeds)", xlabel="epoch", ylabel="test accuracy"),
    ),
    summary_metrics=("test_accuracy", "distinct_units", "distinct_units_bitwise", "max_relative_spread",
                     "hidden_nonzero_weights", "distinct_predictions"),
    # 'every neuron does the same thing' (exact), and it is 'meaningless' next to a random start
    primary=("constant-init-units-identical", "zero-init-units-identical", "random-beats-constant", "random-beats-zero"),
)
