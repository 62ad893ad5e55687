"""
Title: The two-layer net overfits 20 training images: train accuracy 1.00, cost 2.3026 -> ~0.003 in 200 epochs
Claim id: overfit-tiny-subset
Source: seeds 000, 001, 004 ("Tip: Make sure that you can overfit very small portion of the
        training data"); the log on seed 001, the babysitting recipe of cs231n.

Before the real training run the lecture takes the first 20 CIFAR-10 training images, turns
regularization off and runs vanilla SGD, lr 1e-3, full batch (`sample_batches = False`), for 200
epochs (200 updates) on the two-layer net of the sanity check (3072-50-10, W = 1e-4·randn, zero
biases, softmax). Its log: "Finished epoch 1 / 200: cost 2.302603, train: 0.400000" …
"Finished epoch 200 / 200: cost 0.002597, train: 1.000000" — "Very small loss, train accuracy
1.00, nice!" If the net cannot do this, something is broken.

The lecture's learning rate belongs to its inputs. cs231n's data loader (`get_CIFAR10_data`) only
subtracts the mean image from the raw 0..255 pixels ("Normalize the data: subtract the mean image"),
so a pixel's spread is about 60 and an image's squared norm millions. On standardized inputs (spread
1) the same 1e-4-scale net moves thousands of times more slowly: the first layer's gradient and its
effect on the scores each scale with the input, so lr·(input scale)² sets the pace. The headline arm
therefore is the lecture's setting in full: raw pixels minus the training set's mean image, W = 1e-4·randn,
lr 1e-3, 200 full-batch updates, 20 images drawn by the seed (the lecture took `X_train[:20]`, the
first 20 of a shuffled set: no class balancing). One arm runs the project's usual standardized inputs
at the lecture's rate, to show that the rate does not carry over (what the lecture's setting needs).

What we judge: train accuracy 1.00 after the 200 updates and the epoch-200 cost below 0.01 on every
seed (the lecture printed 0.002597); the epoch-1 cost is ln 10 (the lecture's 2.302603). Two controls
say that the fit is memorisation of the 20 inputs, not learning of the classes: with the 20 labels
shuffled among the images the net still fits all of them in the same 200 updates, and with the
inputs zeroed (every image replaced by the mean image) it cannot do better than always answering the
most frequent of the 20 labels. The cost per epoch is recorded and drawn with the lecture's printed
epochs (1–20 and 195–200) beside it. Full profile: CIFAR-10 when its archive is here (the lecture's
3072-50-10 net), else Fashion-MNIST (784-50-10) again.
"""

import functools
import math

import keras
import numpy as np

from reproductions.babysitting.initial_loss import build_two_layer_net
from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.data import load_cifar10, load_fashion_mnist, subset_index
from reproductions.expect import at_least, exact_above, exact_below, from_lecture, near, ours

POSITION = 30

LN_10 = math.log(10)
# The lecture's printed costs (seed 001): epochs 1-20, then (elided) 195-200.
LECTURE_COST = {
    1: 2.302603, 2: 2.302258, 3: 2.301849, 4: 2.301196, 5: 2.300044, 6: 2.297864, 7: 2.293595, 8: 2.285096,
    9: 2.268094, 10: 2.234787, 11: 2.173187, 12: 2.076862, 13: 1.974090, 14: 1.895885, 15: 1.820876,
    16: 1.737430, 17: 1.642356, 18: 1.535239, 19: 1.421527, 20: 1.395760,
    195: 0.002694, 196: 0.002674, 197: 0.002655, 198: 0.002635, 199: 0.002617, 200: 0.002597,
}
LECTURE_FIRST, LECTURE_LAST = LECTURE_COST[1], LECTURE_COST[200]


# ----------------------------------------------------------------------------- cs231n's inputs


@functools.lru_cache(maxsize=2)
def raw_pixels(dataset: str, data_dir=None):
    """(x_train, y_train, x_test, y_test) as flat uint8 rows (the arrays are cached, read-only) and the training
    set's mean image (float32): cs231n's get_CIFAR10_data works on these raw 0..255 pixels."""
    if dataset == "fashion-mnist":
        (x, y), (x_test, y_test) = load_fashion_mnist(data_dir)
    elif dataset == "cifar10":
        (x, y), (x_test, y_test) = load_cifar10(data_dir)
    else:
        raise ValueError(f"unknown dataset {dataset!r}")
    x, x_test = x.reshape(len(x), -1), x_test.reshape(len(x_test), -1)
    mean_image = x.mean(axis=0, dtype="float64").astype("float32")
    return x, y.astype("int32"), x_test, y_test.astype("int32"), mean_image


@functools.lru_cache(maxsize=2)
def pixel_moments(dataset: str, data_dir=None) -> tuple[float, float]:
    """The training set's pixel mean and std on the 0..1 scale (common.data's standardization, over all pixels)."""
    x = raw_pixels(dataset, data_dir)[0]
    counts = np.zeros(256, dtype="int64")  # a histogram of the uint8 pixels, a block of rows at a time
    for start in range(0, len(x), 4096):
        counts += np.bincount(x[start:start + 4096].ravel(), minlength=256)
    values = np.arange(256, dtype="float64") / 255.0
    mean = float((counts * values).sum() / counts.sum())
    std = math.sqrt(float((counts * (values - mean) ** 2).sum() / counts.sum()))
    return mean, std


def preprocess(rows: np.ndarray, inputs: str, dataset: str, data_dir=None) -> np.ndarray:
    """uint8 rows -> float32 inputs: 'mean-image' (cs231n: X -= mean_image on raw pixels), 'standardized'
    (the project's usual: 0..1 pixels, minus the pixel mean, over the pixel std) or 'zeros' (every image
    replaced by the mean image, so zero after the subtraction: inputs that carry nothing)."""
    mean_image = raw_pixels(dataset, data_dir)[4]
    if inputs == "mean-image":
        return rows.astype("float32") - mean_image
    if inputs == "standardized":
        mean, std = pixel_moments(dataset, data_dir)
        return ((rows.astype("float32") / 255.0 - mean) / std).astype("float32")
    if inputs == "zeros":
        return np.zeros(rows.shape, dtype="float32")
    raise ValueError(f"unknown inputs {inputs!r}")


def tiny_set(config, seed, data_dir=None):
    """`n_examples` training images drawn by the seed (no class balancing, like X_train[:20]), preprocessed,
    with their labels (shuffled among the images by a stream of the seed when config['labels'] says so)."""
    x, y, _, _, _ = raw_pixels(config["dataset"], data_dir)
    index = subset_index(y, config["n_examples"], seed, stratified=False)
    inputs, labels = preprocess(x[index], config["inputs"], config["dataset"], data_dir), y[index].copy()
    if config["labels"] == "shuffled":
        labels = np.random.default_rng([seed, 1]).permutation(labels)
    elif config["labels"] != "true":
        raise ValueError(f"unknown labels {config['labels']!r}")
    return inputs, labels


def cost_and_accuracy(weights, x, y) -> tuple[float, float]:
    """The two-layer net's softmax cost (float64, data term) and accuracy on (x, y), computed in numpy from its
    weights [W1, b1, W2, b2] (NaN for a diverged net)."""
    w1, b1, w2, b2 = weights
    with np.errstate(all="ignore"):
        scores = (np.maximum(x @ w1 + b1, 0.0) @ w2 + b2).astype("float64")
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-log_probs[np.arange(len(y)), y].mean()), float(np.mean(scores.argmax(axis=1) == y))


# ----------------------------------------------------------------------------- the experiment


class BatchCost(keras.metrics.Metric):
    """The softmax cost of the last batch alone (Keras' own loss log is a running mean over the epoch)."""

    def __init__(self, name="cost", **kwargs):
        super().__init__(name=name, **kwargs)
        self.value = self.add_variable(shape=(), initializer="zeros", name="value")

    def update_state(self, y_true, y_pred, sample_weight=None):
        losses = keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)
        self.value.assign(keras.ops.cast(keras.ops.mean(losses), self.value.dtype))

    def result(self):
        return self.value

    def reset_state(self):
        self.value.assign(0.0)


class BatchAccuracy(BatchCost):
    """The accuracy on the last batch alone."""

    def __init__(self, name="batch_accuracy", **kwargs):
        super().__init__(name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        predicted = keras.ops.cast(keras.ops.argmax(y_pred, axis=-1), "int32")
        right = keras.ops.equal(predicted, keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32"))
        self.value.assign(keras.ops.mean(keras.ops.cast(right, self.value.dtype)))


class PerUpdate(keras.callbacks.Callback):
    """Each update's cost and accuracy, as the metrics computed them before the update."""

    def __init__(self):
        super().__init__()
        self.cost, self.accuracy = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.cost.append(float(logs["cost"]))
        self.accuracy.append(float(logs["batch_accuracy"]))


def full_batch_sgd(model, x, y, learning_rate: float, updates: int) -> PerUpdate:
    """`updates` steps of vanilla SGD on the whole of (x, y) (cs231n's sample_batches=False, one update per
    epoch), run as one Keras epoch over the set repeated in order; returns each update's cost and accuracy."""
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[BatchCost(), BatchAccuracy()])
    record = PerUpdate()
    model.fit(np.tile(x, (updates, 1)), np.tile(y, updates), batch_size=len(x), epochs=1, shuffle=False, verbose=0,
              callbacks=[record])
    return record


def run(config, seed, context):
    x, y = tiny_set(config, seed, context.data_dir)
    model = build_two_layer_net(x.shape[1], config)
    epochs = config["epochs"] if context.step_cap is None else min(config["epochs"], context.step_cap)
    # epoch e's cost is the loss before its update, as the lecture's trainer prints it
    record = full_batch_sgd(model, x, y, config["learning_rate"], epochs)
    costs, accuracies = record.cost, record.accuracy
    # after the last update, as the lecture's 'train: 1.000000'
    loss_after, accuracy_after = cost_and_accuracy(model.get_weights(), x, y)
    majority = float(np.bincount(y).max() / len(y))
    fitted = [epoch for epoch, a in enumerate(accuracies, start=1) if a >= 1.0]
    return ArmResult(
        scalars={
            "initial_loss": float(costs[0]),
            "final_loss": float(costs[-1]),  # the cost printed at the last epoch (the lecture's 0.002597)
            "loss_after_training": loss_after,
            "train_accuracy": accuracy_after,
            "majority_share": majority,
            "accuracy_over_majority": accuracy_after - majority,
            "epochs_to_fit": float(fitted[0] if fitted else epochs + 1),  # epochs + 1: never all 20 right
            "epochs_run": float(epochs),
        },
        series={"train_loss": {e: float(v) for e, v in enumerate(costs, start=1)},
                "train_accuracy": {e: float(v) for e, v in enumerate(accuracies, start=1)}},
        notes=f"cost {costs[0]:.6f} -> {costs[-1]:.6f}, train accuracy {accuracy_after:.2f} after {epochs} epochs")


LECTURE_ARM = "lecture"

CLAIM = Claim(
    id="overfit-tiny-subset",
    title="The two-layer net overfits 20 training images: train accuracy 1.00, cost 2.3026 -> ~0.003 in 200 epochs",
    statement=(
        "'Tip: Make sure that you can overfit very small portion of the training data' — 20 examples, reg 0.0, "
        "vanilla 'sgd', lr 1e-3, full batch, 200 epochs: 'Finished epoch 1 / 200: cost 2.302603, train: 0.400000' … "
        "'Finished epoch 200 / 200: cost 0.002597, train: 1.000000'. 'Very small loss, train accuracy 1.00, nice!'"
    ),
    source="000 and 004 'Tip: Make sure that you can overfit very small portion of the training data'; 001 (the "
           "code and the log, 'Very small loss, train accuracy 1.00, nice!')",
    lecture_number="cost 2.302603 at epoch 1 -> 0.002597 at epoch 200, train accuracy 1.00 (20 CIFAR-10 images)",
    setup=(
        "The sanity check's two-layer net (Dense 50 ReLU -> Dense 10 class scores, W = 1e-4·randn, zero biases, "
        "softmax cross-entropy, no regularization), 20 training images drawn by the seed (not class-balanced), "
        "vanilla SGD at lr 1e-3 on the full batch for 200 epochs (200 updates). Inputs as in cs231n's loader: raw "
        "0..255 pixels minus the training set's mean image. Cost per epoch = the loss before that epoch's update "
        "(as the lecture's trainer prints it); train accuracy measured after the last update. Controls: the 20 "
        "labels shuffled among the images; the inputs zeroed (every image its mean image); and the project's "
        "standardized inputs (pixel std 1) at the lecture's rate. Quick: Fashion-MNIST (784-50-10); full: CIFAR-10 "
        "(3072-50-10) when its archive is here."
    ),
    check="the lecture's net, init and SGD on 20 images, 200 full-batch epochs; shuffled-label and zeroed-input controls",
    base_config={"dataset": "fashion-mnist", "n_examples": 20, "hidden": 50, "classes": 10, "init_scale": 1e-4,
                 "reg": 0.0, "learning_rate": 1e-3, "epochs": 200, "inputs": "mean-image", "labels": "true"},
    arms=(
        Arm(LECTURE_ARM, {}, "the lecture's setting: raw pixels minus the mean image, lr 1e-3, true labels"),
        Arm("shuffled-labels", {"labels": "shuffled"}, "the same, the 20 labels shuffled among the images"),
        Arm("zeroed-inputs", {"inputs": "zeros"}, "the same, every input zero (the mean image itself)"),
        Arm("standardized", {"inputs": "standardized"}, "standardized inputs (pixel std 1) at the lecture's lr 1e-3"),
    ),
    expectations=(
        exact_above("train-accuracy-1", LECTURE_ARM, "train_accuracy", 0.99,
                    size=from_lecture("Finished epoch 200 / 200: cost 0.002597, train: 1.000000 … Very small loss, "
                                      "train accuracy 1.00, nice!", seed="000, 004"),
                    statement="after 200 full-batch updates every one of the 20 images is classified right, on "
                              "every seed",
                    lecture="'train: 1.000000' at epoch 200; 'train accuracy 1.00, nice!'"),
        exact_below("cost-below-0.01", LECTURE_ARM, "final_loss", 0.01,
                    size=ours("a bound about 4× the lecture's printed epoch-200 cost 0.002597 (000, 001): its 'Very "
                              "small loss' within a factor 4, on other images (Fashion-MNIST at quick)"),
                    statement="the cost at epoch 200 is below 0.01 on every seed ('very small loss')",
                    lecture="'cost 0.002597' at epoch 200; 'Very small loss'"),
        near("initial-cost-ln10", LECTURE_ARM, "initial_loss", LN_10, tolerance=0.005,
             size=from_lecture("Finished epoch 1 / 200: cost 2.302603", seed="000, 001, 002, 003, 004"),
             statement="the cost at epoch 1 (before any update) is ln 10 = 2.3026 within 0.005",
             lecture="'cost 2.302603' at epoch 1"),
        exact_above("shuffled-labels-still-fit", "shuffled-labels", "train_accuracy", 0.99,
                    size=ours("the lecture's 'train: 1.000000' carried over to a control it does not run: above 0.99 "
                              "of 20 images is all 20 right"),
                    statement="memorisation: with the 20 labels shuffled among the images the net still classifies "
                              "all 20 'right' after the same 200 updates, on every seed",
                    lecture="(a control: the lecture fits 20 images; a fit of 20 is memorisation)"),
        exact_below("zeroed-inputs-cannot-fit", "zeroed-inputs", "accuracy_over_majority", 0.025,
                    size=ours("half of one image's share of the 20 (0.05): with nothing to memorise the net cannot "
                              "beat the majority label by a whole image"),
                    statement="with every input zero the net does no better than always answering the most "
                              "frequent of the 20 labels (train accuracy minus that label's share below half an "
                              "image, 0.025), on every seed",
                    lecture="(a control: without the inputs there is nothing to memorise)"),
        at_least("standardized-lr-too-low", "standardized", "final_loss", 2.0,
                 size=ours("not in the lecture: a cost above 2.0, within 0.3 of its start ln 10 = 2.30, means the net "
                           "has barely begun to fit in 200 updates (the lecture's arm ends at 0.0026)"),
                 statement="the lecture's lr 1e-3 is tied to its raw-pixel inputs: on standardized inputs (pixel "
                           "std 1 instead of ~90) the cost is still above 2.0 after 200 updates",
                 lecture="(not in the lecture: its inputs were raw pixels minus the mean image)"),
    ),
    budgets={
        "smoke": Budget(overrides={"epochs": 20}, note="20 epochs instead of 200: pipeline check only"),
        "quick": Budget(note="Fashion-MNIST (784-50-10), the lecture's 20 images × 200 full-batch epochs"),
        "full": Budget(overrides={"dataset": "auto"},
                       note="CIFAR-10 (the lecture's 3072-50-10 net) when its archive is here, else Fashion-MNIST; "
                            "20 images × 200 full-batch epochs, as the lecture"),
    },
    run=run,
    plots=(
        PlotSpec(name="cost-per-epoch", kind="series", metric="train_loss", log_y=True,
                 title="Cost per epoch on 20 images (full batch, lr 1e-3); dashed: the lecture's printed epochs",
                 xlabel="epoch (one full-batch update each)", ylabel="softmax cost (log scale)",
                 reference={LECTURE_ARM: [LECTURE_COST.get(epoch, math.nan) for epoch in range(1, 201)]}),
        PlotSpec(name="train-accuracy", kind="bar", metric="train_accuracy",
                 title="Train accuracy on the 20 images after 200 updates", ylabel="accuracy",
                 reference={"lecture": 1.0}),
    ),
    summary_metrics=("initial_loss", "final_loss", "train_accuracy", "epochs_to_fit", "majority_share"),
    # 'Very small loss, train accuracy 1.00, nice!'
    primary=("train-accuracy-1", "cost-below-0.01"),
)
