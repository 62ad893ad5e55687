"""
Title: Gradient check: centred differences in float64 match Keras' backprop to < 1e-7 and catch a bug
Claim id: gradient-check
Source: seed 002 ("Numerical differentiation is: Approximate. Slow. Numerically unstable. Easy to write.";
        "In summary … Automatic gradient: exact, fast, error-prone. In practice: … Almost always use analytic
        gradient, but check correctness of implementation with numerical gradient. This is called a gradient
        check."; "What's the backprop rule for max pooling? In the forward pass, store the index that took the
        max. The backprop gradient is the input gradient at that index"); seed 003 ("Numerical calculation of
        the gradient", its eval_numerical_gradient with h = 0.00001; "Numerical gradient: approximate,
        time-consuming, easy to implement! Analytical gradient: accurate, fast, possibility of error in
        implementation! … we compare the analytical gradient with the numerical gradient.").
        The pass bar, a relative error below 1e-7, is cs231n's rule of thumb (its notes: "1e-7 and less you
        should be happy"; "relative error > 1e-2 usually means the gradient is probably wrong").

The lecture's numerical gradient nudges one weight by h = 0.00001, re-evaluates the loss and divides:
(f(x + h) − f(x)) / h, a forward difference (003), and calls the result approximate and numerically unstable
(002). What a gradient check needs is an analytic gradient (here: Keras' own backprop, the "automatic
gradient" that is "exact, fast, error-prone") and a numerical one that is accurate enough to tell a correct
implementation from a wrong one.

What we check, on a toy two-layer net (4 inputs, 10 sigmoid units, 3 classes, softmax cross-entropy; the
size of the net cs231n's assignment checks by hand) and a small conv net with a 2×2 max-pool, every weight
checked:

1. Centred differences (f(x+h) − f(x−h)) / 2h in float64 at the lecture's h agree with Keras' gradients to
   a relative error below 1e-7: cs231n's |a − n| / max(|a|, |n|) taken on each weight tensor as a whole,
   ‖a − n‖ / max(‖a‖, ‖n‖), the largest over the tensors. (Its elementwise maximum is logged too, but it is
   ruled by whichever weight's gradient happens to lie near 0, where the difference's absolute round-off,
   about eps·|f|/h, is a large fraction: it grows with the number of weights checked, not with any bug.)
   The nets use sigmoid units (002's own autodiff example, y = 1/(1 + exp(−z))) and softmax on purpose:
   with no kinks the finite difference has no excuse (cs231n's notes call a kink, like ReLU's at 0, a source
   of inexactness, and 1e-4 "too high" without one). Not tanh: on JAX's CPU backend (jax 0.10) a float64
   tanh is computed to float32 accuracy (1.8e-7 relative, flat under 1e-9 nudges), and the check flags that
   at ~1e-3, a backend's doing, not the lecture's point; sigmoid, exp and log are float64-exact there.
   The max-pool is a kink too: the conv net's images are drawn (an image redrawn, deterministically, while
   it is too close) so that no pooling window's top two values are within reach of a ±h nudge, which
   provably keeps every argmax fixed.
2. The lecture's own forward difference, at the same h, is at least 100× worse (its error is O(h), the
   centred one's O(h²)).
3. In float32 the error against h = 10^0 … 10^-12 is U-shaped: a large h is off by the Taylor remainder
   (truncation), a small one by round-off (below half a unit in the last place of a weight, no nudge at
   all): the best h is inside the sweep, both ends at least 10× worse; and no h brings float32 under 1e-7
   (hence cs231n's "use double precision"). The curves are drawn for both precisions and both schemes.
4. A planted bug is caught: a hand-written sigmoid whose backward pass forgets the gate's local gradient
   σ(z)(1 − σ(z)) (it passes the upstream gradient straight through, the classic backprop bug) gives a
   relative error above 1e-2, while its forward pass is the same function.
5. Max-pool routes the gradient (002): read through a zero probe (common/probes.py) before a MaxPooling2D
   fed the conv net's own (tie-free) activations, the input gradient is nonzero only at each window's
   argmax, where it equals the upstream gradient exactly.

Every quantity is computed, not sampled: a seed draws the data and weights (all arms of a seed share them),
and each sub-claim is exact (it holds only if every seed satisfies it). Keras' gradients are read off one
eager plain-SGD step at learning rate 1 (common/gradcheck.py), the same on TensorFlow, JAX and PyTorch.
The float64 arms need Keras to compute in float64: it does on TensorFlow, on JAX only with JAX_ENABLE_X64=1
exported, and not on PyTorch (Keras 3's type promotion maps float64 to float32 off TensorFlow, and its torch
matmul computes in the promoted type). There those runs stop with that message rather than judge float32
numbers as float64 ones; the float32 arms run everywhere.
"""

import math

import keras
import numpy as np
from keras import ops

from reproductions.claim import Arm, ArmResult, Budget, Claim, PlotSpec
from reproductions.common.gradcheck import (keras_gradients, keras_numerical_gradients, loss_evaluator,
                                            precision_available, relative_error, selected, tensor_relative_error)
from reproductions.common.probes import GradientProbe, read_gradients
from reproductions.expect import count_at_most, exact_above, exact_below, from_lecture, ours

POSITION = 20
LECTURE_H = 0.00001  # 003: eval_numerical_gradient's "h = 0.00001"
GOOD = 1e-7  # cs231n: "1e-7 and less you should be happy"
WRONG = 1e-2  # cs231n: "relative error > 1e-2 usually means the gradient is probably wrong"
TENSORS = ("layer1_kernel", "layer1_bias", "layer2_kernel", "layer2_bias")  # the order of trainable_variables
MAX_REDRAWS = 50  # rounds of redrawing the images too close to a max-pool kink before giving up
# the sources of sizes shared by several sub-claims
GOOD_SOURCE = ours("cs231n's course notes, not the lecture's slides: '1e-7 and less you should be happy'; the seeds "
                   "give h = 0.00001 but no pass bar")
U_SOURCE = ours("a decade: both ends of the h sweep at least 10× above its best point, a clear U; the lecture says "
                "only 'Numerically unstable'")


class ForgetfulSigmoid(keras.layers.Layer):
    """The planted bug: sigmoid in the forward pass, but the backward pass forgets the local gradient
    σ(z)(1 − σ(z)) and hands the upstream gradient through unchanged (z + stop_gradient(σ(z) − z))."""

    def call(self, z):
        return z + ops.stop_gradient(ops.sigmoid(z) - z)


def glorot(rng, shape, fan_in, fan_out):
    """Glorot-normal weights drawn in float64 from the seed's generator (all arms of a seed share them)."""
    return rng.standard_normal(shape) * math.sqrt(2.0 / (fan_in + fan_out))


def mlp_problem(config, rng):
    n, d, hidden, classes = config["n_examples"], config["input_dim"], config["hidden"], config["classes"]
    x = rng.standard_normal((n, d))
    y = rng.integers(0, classes, n)
    weights = [glorot(rng, (d, hidden), d, hidden), 0.1 * rng.standard_normal(hidden),
               glorot(rng, (hidden, classes), hidden, classes), 0.1 * rng.standard_normal(classes)]
    return x, y, weights


def build_mlp(config, weights):
    dtype = config["dtype"]
    inputs = keras.Input((config["input_dim"],), dtype=dtype)
    z = keras.layers.Dense(config["hidden"], dtype=dtype)(inputs)
    sigmoid = (ForgetfulSigmoid(dtype=dtype) if config["bug"] == "sigmoid-backward"
               else keras.layers.Activation("sigmoid", dtype=dtype))
    model = keras.Model(inputs, keras.layers.Dense(config["classes"], dtype=dtype)(sigmoid(z)))
    model.set_weights([w.astype(dtype) for w in weights])
    return model


def build_conv(config, weights):
    """Conv 3×3 (same) → sigmoid → MaxPool 2×2 → Dense logits; also the model up to the pool's input."""
    dtype, size = config["dtype"], config["image_size"]
    inputs = keras.Input((size, size, 1), dtype=dtype)
    activations = keras.layers.Activation("sigmoid", dtype=dtype)(
        keras.layers.Conv2D(config["filters"], config["kernel"], padding="same", dtype=dtype)(inputs))
    pooled = keras.layers.Flatten(dtype=dtype)(keras.layers.MaxPooling2D(2, dtype=dtype)(activations))
    model = keras.Model(inputs, keras.layers.Dense(config["classes"], dtype=dtype)(pooled))
    model.set_weights([w.astype(dtype) for w in weights])
    return model, keras.Model(inputs, activations)


def pool_windows(a):
    """(N, H, W, C) → (N, H/2, W/2, C, 4): each 2×2 pooling window's four entries."""
    n, height, width, channels = a.shape
    return a.reshape(n, height // 2, 2, width // 2, 2, channels).transpose(0, 1, 3, 5, 2, 4).reshape(
        n, height // 2, width // 2, channels, 4)


def top_two_gaps(a):
    """Per image, the smallest gap between a pooling window's largest and second-largest value."""
    ordered = np.sort(pool_windows(a), axis=-1)
    return (ordered[..., -1] - ordered[..., -2]).reshape(len(a), -1).min(axis=1)


def conv_problem(config, rng):
    """Weights, then images, each redrawn until a ±h nudge of any weight provably keeps every one of its
    windows' argmax: a conv weight moves a pre-activation by at most h·max|x| over the image (a bias by h),
    and the sigmoid moves no output by more than its input (it is 1/4-Lipschitz), so a top-two gap above
    twice that cannot close. Returns x, y, weights, the smallest ratio of an image's gap to its bound (> 1)
    and the number of images redrawn."""
    size, f, k, classes, n = (config["image_size"], config["filters"], config["kernel"], config["classes"],
                              config["n_examples"])
    pooled = (size // 2) ** 2 * f
    weights = [glorot(rng, (k, k, 1, f), k * k, k * k * f), 0.1 * rng.standard_normal(f),
               glorot(rng, (pooled, classes), pooled, classes), 0.1 * rng.standard_normal(classes)]
    y = rng.integers(0, classes, n)
    _, features = build_conv({**config, "dtype": "float64"}, weights)
    x = rng.standard_normal((n, size, size, 1))
    redraws = 0
    for _ in range(MAX_REDRAWS):
        gaps = top_two_gaps(np.asarray(features.predict_on_batch(x), dtype="float64"))
        bounds = 2 * config["h"] * np.maximum(1.0, np.abs(x).reshape(n, -1).max(axis=1))
        close = gaps <= bounds
        if not close.any():
            return x, y, weights, float((gaps / bounds).min()), redraws
        x[close] = rng.standard_normal((int(close.sum()), size, size, 1))
        redraws += int(close.sum())
    raise RuntimeError(f"no kink-free images in {MAX_REDRAWS} rounds of redraws")


def sweep_indices(weights, per_tensor, rng):
    """cs231n's sparse check: `per_tensor` random coordinates of each weight tensor (all of a smaller one)."""
    chosen = []
    for w in weights:
        flat = rng.choice(w.size, size=min(per_tensor, w.size), replace=False)
        chosen.append([np.unravel_index(i, w.shape) for i in sorted(flat)])
    return chosen


def max_pool_routing(activations, rng):
    """The gradient through a MaxPooling2D, read through a zero probe before it (read_gradients, whose readout
    loss is Σ upstream·output, so the gradient arriving at the pool's output is `upstream` itself): for every
    window, nonzero only at the argmax, equal there to the upstream gradient. In float32 (Keras casts a
    compiled loss to float32), with float32 upstream values and a batch that is a power of two: the read is
    exact, and so is the comparison."""
    x = activations.astype("float32")
    n = len(x)
    inputs = keras.Input(x.shape[1:], dtype="float32")
    probe = GradientProbe(n, dtype="float32")
    pooled = keras.layers.MaxPooling2D(2, dtype="float32")(probe(inputs))
    model = keras.Model(inputs, keras.layers.Flatten(dtype="float32")(pooled))
    upstream = rng.standard_normal((n, x[0].size // 4)).astype("float32")
    (grad_in,) = read_gradients(model, [probe], x, upstream)
    windows, grads = pool_windows(x.astype("float64")), pool_windows(grad_in)
    expected = np.zeros_like(grads)
    arriving = upstream.astype("float64").reshape(grads.shape[:-1])  # Flatten's row-major order
    np.put_along_axis(expected, windows.argmax(axis=-1)[..., None], arriving[..., None], axis=-1)
    wrong = np.any(grads != expected, axis=-1)
    ties = np.sum(windows == windows.max(axis=-1, keepdims=True), axis=-1) > 1
    return {
        "routing_errors": float(wrong.sum()),
        "routing_windows": float(wrong.size),
        "routing_max_deviation": float(np.abs(grads - expected).max()),
        "routing_nonzero_per_window": float((grads != 0).sum() / wrong.size),
        "pool_ties": float(ties.sum()),
    }


def run(config, seed, context):
    rng = np.random.default_rng(seed)
    dtype, h = config["dtype"], config["h"]
    if not precision_available(dtype):  # judging float32 numbers as float64 ones would be a false finding
        backend = keras.backend.backend()
        why = {"jax": ": export JAX_ENABLE_X64=1", "torch": " (its type promotion computes float64 in float32)"}
        raise RuntimeError(f"Keras does not compute in {dtype} on the {backend} backend here{why.get(backend, '')}")
    scalars = {}
    if config["net"] == "conv":
        x, y, weights, kink_margin, redraws = conv_problem(config, rng)
        model, features = build_conv(config, weights)
        scalars.update(kink_margin=kink_margin, image_redraws=float(redraws))
    else:
        x, y, weights = mlp_problem(config, rng)
        model = build_mlp(config, weights)
    x = x.astype(dtype)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=dtype)
    analytic = keras_gradients(model, loss, x, y)
    evaluate = loss_evaluator(model, loss, x, y)  # one compiled forward pass per loss evaluation
    numerical = keras_numerical_gradients(model, loss, x, y, h, config["scheme"], evaluate=evaluate)
    per_tensor = [tensor_relative_error(a, n) for a, n in zip(analytic, numerical)]
    scalars.update({f"rel_error_{name}": e for name, e in zip(TENSORS, per_tensor)})
    scalars.update(
        rel_error=max(per_tensor),
        rel_error_elementwise=max(float(relative_error(a, n).max()) for a, n in zip(analytic, numerical)),
        n_params=float(sum(w.size for w in weights)),
        loss_evaluations=float(sum(w.size for w in weights) * (2 if config["scheme"] == "centred" else 1)
                               + (config["scheme"] == "forward")),
    )
    series = {}
    if config["sweep_coords"]:
        chosen = sweep_indices(weights, config["sweep_coords"], rng)
        errors = {}
        for k in range(config["sweep_k_max"] + 1):
            sparse = keras_numerical_gradients(model, loss, x, y, 10.0 ** -k, config["scheme"], chosen,
                                               evaluate=evaluate)
            errors[k] = max(tensor_relative_error(selected(a, c), selected(n, c))
                            for a, n, c in zip(analytic, sparse, chosen))
        best = min(errors, key=errors.get)
        series["rel_error_by_h"] = {k + 1: e for k, e in errors.items()}  # steps count from 1: step s is h = 10^(1-s)
        scalars.update(
            best_rel_error=errors[best],
            best_h_exponent=float(best),
            rel_error_h_largest=errors[0],
            rel_error_h_smallest=errors[config["sweep_k_max"]],
            # how far both ends of the sweep lie above its best point, in decades (the U's shallower arm)
            u_depth=min(math.log10(errors[0] / errors[best]),
                        math.log10(errors[config["sweep_k_max"]] / errors[best])),
        )
    if config["net"] == "conv":
        scalars.update(max_pool_routing(np.asarray(features.predict_on_batch(x), dtype="float64"), rng))
    return ArmResult(scalars=scalars, series=series)


def _arm(name, description, **overrides):
    return Arm(name, overrides, description)


CLAIM = Claim(
    id="gradient-check",
    title="Gradient check: centred differences in float64 match Keras' backprop to < 1e-7 and catch a bug",
    statement=(
        "'Numerical differentiation is: Approximate. Slow. Numerically unstable. Easy to write.' … 'Automatic "
        "gradient: exact, fast, error-prone.' 'In practice: … Almost always use analytic gradient, but check "
        "correctness of implementation with numerical gradient. This is called a gradient check.' Max pooling: "
        "'In the forward pass, store the index that took the max. The backprop gradient is the input gradient "
        "at that index.'"
    ),
    source="002 'Numerical differentiation', 'In summary', 'Max Pooling'; 003 'Numerical calculation of the "
           "gradient' (eval_numerical_gradient, h = 0.00001), 'Gradient Examination'",
    lecture_number="h = 0.00001 in the lecture's forward-difference eval_numerical_gradient; the pass bar "
                   "< 1e-7 and the 'probably wrong' bar > 1e-2 are cs231n's",
    setup=(
        "A toy two-layer net (4-10-3, sigmoid, softmax cross-entropy, 8 examples, Glorot weights and N(0, 0.1) "
        "biases drawn per seed) and a conv net (8×8 images, Conv 3×3×2 'same' → sigmoid → MaxPool 2×2 → "
        "Dense 3), built from Keras layers in the arm's dtype. Analytic gradient: Keras' backprop of its own "
        "softmax cross-entropy, read off one eager SGD step at learning rate 1. Numerical gradient: the "
        "lecture's eval_numerical_gradient over every weight (forward or centred difference, nudged in the "
        "arm's dtype, the loss from one compiled forward pass). Relative error ‖a − n‖ / max(‖a‖, ‖n‖) per "
        "weight tensor, the largest of the four. Error against h = 10^0 … 10^-12 on 6 random coordinates per "
        "tensor (cs231n's sparse check). No training."
    ),
    check="centred differences against Keras' float64 gradients (< 1e-7), forward differences, the float32 error against h, a planted bug, max-pool routing (exact)",
    base_config={"net": "mlp", "dtype": "float64", "scheme": "centred", "bug": "none", "h": LECTURE_H,
                 "threshold": GOOD, "n_examples": 8, "input_dim": 4, "hidden": 10, "classes": 3,
                 "image_size": 8, "filters": 2, "kernel": 3, "sweep_coords": 6, "sweep_k_max": 12},
    arms=(
        _arm("float64-centred", "float64, (f(x+h) − f(x−h)) / 2h", dtype="float64", scheme="centred"),
        _arm("float64-forward", "float64, the lecture's (f(x+h) − f(x)) / h", dtype="float64", scheme="forward"),
        _arm("float32-centred", "float32, centred difference", dtype="float32", scheme="centred"),
        _arm("float32-forward", "float32, forward difference", dtype="float32", scheme="forward"),
        _arm("planted-bug", "float64 centred, sigmoid's backward forgets σ(1 − σ)", bug="sigmoid-backward",
             sweep_coords=0),
        _arm("conv-maxpool", "float64 centred, conv → sigmoid → max-pool → dense; max-pool routing", net="conv",
             sweep_coords=0),
    ),
    expectations=(
        exact_below("centred-check-passes", "float64-centred", "rel_error", GOOD,
                    size=GOOD_SOURCE,
                    statement="in float64, centred differences at h = 1e-5 match Keras' gradients to a relative "
                              "error below 1e-7 (every weight tensor, every seed)",
                    lecture="'check correctness of implementation with numerical gradient'; pass bar < 1e-7 (cs231n)"),
        exact_above("planted-bug-caught", "planted-bug", "rel_error", WRONG,
                    size=ours("cs231n's course notes, not the lecture's slides: 'relative error > 1e-2 usually means "
                              "the gradient is probably wrong'; the seeds give no bar"),
                    statement="a backward pass that forgets the sigmoid's local gradient gives a relative error above "
                              "1e-2: the check flags it",
                    lecture="automatic gradient 'error-prone'; '> 1e-2 … probably wrong' (cs231n)"),
        count_at_most("maxpool-routes-to-argmax", "conv-maxpool", "routing_errors", 0,
                      size=from_lecture("In the forward pass, store the index that took the max … The backprop "
                                        "gradient is the input gradient at that index", seed="002"),
                      statement="max-pool's input gradient is nonzero only at each window's argmax and equals the "
                                "upstream gradient there (no window wrong)",
                      lecture="'store the index that took the max … the backprop gradient is the input gradient at "
                              "that index'"),
        exact_below("conv-check-passes", "conv-maxpool", "rel_error", GOOD,
                    size=GOOD_SOURCE,
                    statement="the same check passes through a convolution and a max-pool (kink-free inputs)",
                    lecture="pass bar < 1e-7 (cs231n)"),
        exact_above("forward-far-worse", "float64-forward", "rel_error", 2.0, than="float64-centred", scale="log10",
                    size=ours("100×, a floor well under the ~1/h = 1e5 that an O(h) error against an O(h²) one "
                              "suggests at h = 1e-5; the lecture says only 'Approximate'"),
                    statement="at the same h the lecture's forward difference is at least 100× less accurate "
                              "than the centred one (O(h) against O(h²))",
                    lecture="003's eval_numerical_gradient: (f(x+h) − f(x)) / h; 'Approximate'"),
        exact_above("float32-u-shaped-centred", "float32-centred", "u_depth", 1.0,
                    size=U_SOURCE,
                    statement="in float32 the centred error is U-shaped in h: h = 1 and h = 1e-12 both at least "
                              "10× worse than the best h, which lies inside the sweep",
                    lecture="'Numerically unstable'"),
        exact_above("float32-u-shaped-forward", "float32-forward", "u_depth", 1.0,
                    size=U_SOURCE,
                    statement="the same for the forward difference",
                    lecture="'Numerically unstable'"),
        exact_above("float32-never-passes", "float32-centred", "best_rel_error", GOOD,
                    size=GOOD_SOURCE,
                    statement="in float32 no h in the sweep brings the centred check under 1e-7 (hence double "
                              "precision)",
                    lecture="'Numerically unstable'; cs231n: 'use double precision'"),
    ),
    budgets={
        "smoke": Budget(overrides={"sweep_coords": 2}, note="2 coordinates per tensor in the sweep"),
        "quick": Budget(note="the toy nets; every weight checked at h = 1e-5, 6 per tensor in the sweep"),
        "full": Budget(overrides={"n_examples": 32, "input_dim": 32, "hidden": 50, "classes": 10,
                                  "image_size": 16, "filters": 4, "sweep_coords": 12},
                       note="a 32-50-10 net (the lecture's 50 hidden units and 10 classes) and a 16×16 conv net, "
                            "every weight checked; 12 per tensor in the sweep"),
    },
    run=run,
    plots=(
        PlotSpec(name="error-vs-h", kind="series", metric="rel_error_by_h", log_y=True, line_param="threshold",
                 title="Gradient-check relative error against the step h (mean, min–max over seeds)",
                 xlabel="s, where h = 10^(1−s): s = 1 is h = 1, s = 6 the lecture's 1e-5, s = 13 is 1e-12",
                 ylabel="relative error (largest over weight tensors)"),
        PlotSpec(name="error-at-lecture-h", kind="bar", metric="rel_error", log_y=True,
                 title="Relative error at the lecture's h = 1e-5, every weight (mean, 95% CI over seeds)",
                 ylabel="relative error (largest over weight tensors)",
                 reference={"1e-7: good (cs231n)": GOOD, "1e-2: probably wrong (cs231n)": WRONG}),
    ),
    summary_metrics=("rel_error", "rel_error_layer1_kernel", "rel_error_layer2_kernel", "rel_error_elementwise",
                     "best_rel_error", "best_h_exponent", "u_depth", "routing_errors", "loss_evaluations"),
    # the lecture's gradient check: it passes on a correct implementation, flags a wrong one; max-pool's routing
    primary=("centred-check-passes", "planted-bug-caught", "maxpool-routes-to-argmax"),
)
