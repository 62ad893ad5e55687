"""
Title: Softmax loss at small init is ln(C) ≈ 2.30 for 10 classes; cranking L2 to 1e3 raises it; SVM loss is C − 1
Claim id: initial-loss
Source: seeds 000, 001, 002, 003 ("Is the loss reasonable?" / "checking the value of the cost
        function"), the babysitting recipe of cs231n; seed 003 "Multiclass SVM cost function".

The lecture's sanity check: initialise a two-layer net with W = 0.0001·randn, compute the loss with
regularization off and it prints 2.30261216167, "loss ~2.3, 'correct' for 10 classes" (= ln 10,
since tiny weights make every class equally likely). Crank the regularization up to 1e3 and it
prints 3.06859716482: "loss went up, good (sanity check)".

The lecture's net was CIFAR-10 shaped (3072 inputs, 50 hidden, 10 classes) with the cs231n
convention loss = data loss + 0.5·reg·ΣW². Its jump, 0.766, is then predictable: 0.5·1e3·(1e-4)²
times the number of weights (3072·50 + 50·10 = 154,100) is 0.7705. We check ln(C) on real
Fashion-MNIST (784-50-10), the jump's direction there, and the lecture's own number on a
CIFAR-shaped net fed Gaussian inputs (at this init the loss does not depend on the inputs).

Seed 003 asks the same question of the multiclass SVM loss, L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + 1):
"Normally, at the starting moment, the values of w are initialized with small random values and
therefore all scores are almost zero. In this case, what is the value of the cost function?" With every
score ≈ 0 each of the C − 1 wrong classes contributes max(0, 0 − 0 + 1) = 1: the loss is C − 1 = 9 for
10 classes. We compute that loss (Weston–Watkins, margin Δ = 1, no regularization) in float64 from the
same runs' class scores, a secondary sub-claim: the claim's headline is the softmax check of the
babysitting recipe; the SVM question comes from 003's loss-function slides. Keras has no loss of this
form: its CategoricalHinge is max(0, 1 + max_{j≠y} s_j − s_y), one term for the strongest wrong class
instead of a sum over all of them, so at this init it is ≈ 1, not C − 1; we show it beside ours.
"""

import math

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import flatten_standardize, load_fashion_mnist, seeded_subset, synthetic_classification
from reproductions.expect import from_lecture, higher, near, ours

POSITION = 10  # the first check of the babysitting recipe

LN_10 = math.log(10)
C_MINUS_1 = 10 - 1  # the multiclass SVM loss at small init, 10 classes (003)
LECTURE_REG0 = 2.30261216167
LECTURE_REG1E3 = 3.06859716482
# the sources of the targets (the tolerances around them, 0.005 and 0.01, are ours)
LN_10_SOURCE = from_lecture('2.30261216167 … loss ~2.3. "correct" for 10 classes', seed="000, 001, 004")
C_MINUS_1_SOURCE = from_lecture("L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + 1) … all scores are almost zero. In this "
                                "case, what is the value of the cost function?", seed="003")


def load_inputs(config, seed, context):
    if config["data"] == "fashion-mnist":
        (x_train, y_train), _ = load_fashion_mnist(context.data_dir)
        x, y = seeded_subset(x_train, y_train, config["n_examples"], seed)
        x, _, _ = flatten_standardize(x)  # 000/003: "X -= np.mean(X, axis=0)"
        return x, y.astype("int32")
    if config["data"] == "gaussian":
        return synthetic_classification(config["n_examples"], config["input_dim"], config["classes"], seed)
    raise ValueError(f"unknown data {config['data']!r}")


def build_two_layer_net(input_dim, config):
    """cs231n's init_two_layer_model: W = scale·randn, b = 0; L2 as 0.5·reg·ΣW² on both weight matrices."""
    init = keras.initializers.RandomNormal(mean=0.0, stddev=config["init_scale"])
    l2 = keras.regularizers.L2(0.5 * config["reg"]) if config["reg"] else None
    return keras.Sequential([
        keras.Input((input_dim,)),
        keras.layers.Dense(config["hidden"], activation="relu", kernel_initializer=init, kernel_regularizer=l2),
        keras.layers.Dense(config["classes"], kernel_initializer=init, kernel_regularizer=l2),  # class scores
    ])


def run(config, seed, context):
    x, y = load_inputs(config, seed, context)
    model = build_two_layer_net(x.shape[1], config)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    keras_loss = float(model.evaluate(x, y, batch_size=len(x), verbose=0))
    # The same loss in float64, term by term, to show where the jump comes from.
    scores = np.asarray(model.predict(x, batch_size=len(x), verbose=0), dtype="float64")
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    data_loss = float(-log_probs[np.arange(len(y)), y].mean())
    # 003's multiclass SVM loss on the same scores: Σ_{j≠y} max(0, s_j − s_y + 1), averaged over the examples
    rows = np.arange(len(y))
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    hinge_loss = float(margins.sum(axis=1).mean())
    # Keras' CategoricalHinge, a different loss: max(0, 1 + max_{j≠y} s_j − s_y) (≈ 1 at this init)
    onehot = np.eye(config["classes"], dtype="float32")[y]
    keras_hinge = float(keras.ops.convert_to_numpy(
        keras.losses.CategoricalHinge()(onehot, scores.astype("float32"))))
    kernels = [np.asarray(layer.kernel.numpy(), dtype="float64") for layer in model.layers]
    reg_loss = 0.5 * config["reg"] * sum(float((k ** 2).sum()) for k in kernels)
    n_weights = sum(k.size for k in kernels)
    return ArmResult(scalars={
        "initial_loss": data_loss + reg_loss,
        "keras_loss": keras_loss,
        "data_loss": data_loss,
        "reg_loss": reg_loss,
        "expected_reg_loss": 0.5 * config["reg"] * config["init_scale"] ** 2 * n_weights,
        "n_weights": float(n_weights),
        "ln_classes": math.log(config["classes"]),
        "hinge_loss": hinge_loss,
        "keras_categorical_hinge": keras_hinge,
        "classes_minus_1": float(config["classes"] - 1),
    })


CLAIM = Claim(
    id="initial-loss",
    title="Softmax loss at small init is ln(C) ≈ 2.30 for 10 classes; cranking L2 to 1e3 raises it; SVM loss is C − 1",
    statement=(
        "'2.30261216167 … loss ~2.3. \"correct\" for 10 classes' (regularization off); with the "
        "regularization cranked up to 1e3: '3.06859716482 ← loss went up, good. (sanity check)'. Multiclass SVM "
        "loss: 'at the starting moment, the values of w are initialized with small random values and therefore all "
        "scores are almost zero. In this case, what is the value of the cost function?' (C − 1)"
    ),
    source=("000 'checking the value of the cost function'; 001/002/003 'Is the Loss Reasonable?'; 003 'Multiclass SVM "
            "cost function'"),
    lecture_number=("2.30261216167 at reg 0; 3.06859716482 at reg 1e3 (CIFAR-10 net 3072-50-10); SVM loss C − 1 = 9 "
                    "(003 asks it, the answer follows from 'all scores are almost zero')"),
    setup=(
        "Two-layer net (Dense 50 ReLU → Dense 10), W = 1e-4·randn, zero biases, softmax cross-entropy plus "
        "0.5·reg·ΣW² (the cs231n convention), evaluated once at initialisation, no training. Fashion-MNIST arms: "
        "784-50-10 on a seeded, class-balanced subset (standardized). CIFAR-shape arms: 3072-50-10 on unit "
        "Gaussian inputs with random labels, the lecture's shapes. On the same scores, 003's multiclass SVM loss "
        "Σ_{j≠y} max(0, s_j − s_y + 1) (no regularization) in float64, and Keras' CategoricalHinge (a different loss: "
        "the strongest wrong class only) beside it."
    ),
    check="a two-layer net evaluated at init on Fashion-MNIST and at the lecture's CIFAR shapes",
    base_config={"data": "fashion-mnist", "input_dim": 784, "n_examples": 10000, "hidden": 50, "classes": 10,
                 "init_scale": 1e-4, "reg": 0.0},
    arms=(
        Arm("fmnist-reg0", {"data": "fashion-mnist", "reg": 0.0}, "Fashion-MNIST 784-50-10, reg off"),
        Arm("fmnist-reg1e3", {"data": "fashion-mnist", "reg": 1e3}, "Fashion-MNIST 784-50-10, reg 1e3"),
        Arm("cifar-shape-reg0", {"data": "gaussian", "input_dim": 3072, "reg": 0.0}, "3072-50-10, reg off"),
        Arm("cifar-shape-reg1e3", {"data": "gaussian", "input_dim": 3072, "reg": 1e3}, "3072-50-10, reg 1e3"),
    ),
    expectations=(
        near("loss-is-ln-c", "fmnist-reg0", "initial_loss", LN_10, tolerance=0.005,
             size=LN_10_SOURCE,
             statement="at W = 1e-4·randn the loss is ln(10) = 2.3026 (within 0.005) on Fashion-MNIST",
             lecture="2.30261216167"),
        near("loss-is-ln-c-cifar-shape", "cifar-shape-reg0", "initial_loss", LN_10, tolerance=0.005,
             size=LN_10_SOURCE,
             statement="the same on the lecture's CIFAR-shaped net",
             lecture="2.30261216167"),
        higher("regularization-raises-loss", "fmnist-reg1e3", "initial_loss", than="fmnist-reg0", by=0.05, null=None,
               size=ours("0.05 nats, a quarter of the jump the cs231n penalty 0.5·reg·ΣW² predicts on this 784-50-10 "
                         "net (0.5·1e3·(1e-4)²·39,700 weights = 0.199); the lecture's +0.766 (3.0686 − 2.3026) is at "
                         "3072 inputs"),
               statement="cranking L2 to 1e3 raises the initial loss (by more than 0.05) on Fashion-MNIST",
               lecture="3.0686 − 2.3026 = +0.766 ('loss went up, good')"),
        near("lecture-number-at-reg-1e3", "cifar-shape-reg1e3", "initial_loss", LECTURE_REG1E3, tolerance=0.02,
             size=from_lecture("3.06859716482 … loss went up, good. (sanity check)", seed="000, 001, 004"),
             statement="at the lecture's shapes and reg 1e3 the loss is the lecture's 3.0686 (within 0.02)",
             lecture="3.06859716482"),
        near("hinge-loss-is-c-minus-1", "fmnist-reg0", "hinge_loss", C_MINUS_1, tolerance=0.01,
             size=C_MINUS_1_SOURCE,
             statement="at W = 1e-4·randn the multiclass SVM loss is C − 1 = 9 (within 0.01) on Fashion-MNIST",
             lecture="'all scores are almost zero. In this case, what is the value of the cost function?' "
                     "(each of the C − 1 wrong classes adds max(0, 0 − 0 + 1) = 1)"),
        near("hinge-loss-is-c-minus-1-cifar-shape", "cifar-shape-reg0", "hinge_loss", C_MINUS_1, tolerance=0.01,
             size=C_MINUS_1_SOURCE,
             statement="the same on the lecture's CIFAR-shaped net",
             lecture="C − 1 = 9"),
    ),
    budgets={
        "smoke": Budget(overrides={"n_examples": 200}, note="200 examples: pipeline check only"),
        "quick": Budget(overrides={"n_examples": 10000}, note="10k examples, one forward pass"),
        "full": Budget(overrides={"n_examples": 50000}, note="50k examples (the CIFAR-10 training-set size)"),
    },
    run=run,
    plots=(
        PlotSpec(name="initial-loss", kind="bar", metric="initial_loss",
                 title="Loss at initialisation (mean, 95% CI over seeds)", ylabel="softmax loss + 0.5·reg·ΣW²",
                 reference={"ln 10": LN_10, "lecture at reg 1e3": LECTURE_REG1E3}),
        PlotSpec(name="initial-hinge-loss", kind="bar", metric="hinge_loss",
                 title="Multiclass SVM loss at initialisation (mean, 95% CI over seeds)",
                 ylabel="multiclass SVM loss (no regularization)", reference={"C − 1": C_MINUS_1}),
    ),
    summary_metrics=("initial_loss", "data_loss", "reg_loss", "hinge_loss", "keras_categorical_hinge"),
    primary=("loss-is-ln-c", "regularization-raises-loss"),  # '~2.3 … correct for 10 classes'; 'loss went up, good'
)
