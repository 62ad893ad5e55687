"""
Title: Conv output size ⌊(W − F + 2P)/S⌋ + 1, parameter-free pooling, AlexNet's layer sizes, checked in Keras
Claim id: conv-arithmetic
Source: seed 002 ("In general, the output has size w_out = ⌊(w_in + 2p − k)/s⌋ + 1"; "Notice that with certain
        strides, we may not be able to cover all of the input"; Krizhevsky et al. 2012, Figure 2: "The network's
        input is 150,528-dimensional, and the number of neurons in the network's remaining layers is given by
        253,440–186,624–64,896–64,896–43,264–4096–4096–1000"); seed 003 ("Convolution Layer: a closer look":
        7×7 input, 3×3 filter, output 5×5; step size 2: output 3×3; "Step size: 2 … It is not possible!";
        "(N − F)/stride + 1 … stride 3 ⇒ 2.33"; padding 1 → output 7×7; zero-padding (F − 1)/2 keeps the size;
        "32 → 28 → 24"; 32×32×3 with ten 5×5 filters, stride 1, pad 2 → 32×32×10 and "5×5×3 + 1 = 76 … 76×10
        = 760"; W2 = (W1 − F + 2P)/S + 1, D2 = K, F·F·D1 weights per filter and K biases; 1×1 filters = 64-d
        dot products; "Each activity map is a 26×26 layer" beside "(28×28×5)"; pooling: W2 = (W1 − F)/S + 1,
        D2 = D1, "The number of parameters is equal to zero!").

Everything here is computed, not sampled: each sub-claim is exact (every seed must satisfy it). Keras is the
referee: shapes come from real forward passes of keras.layers.ZeroPadding2D(P) → Conv2D(K, F, strides=S,
padding='valid'), parameter counts from count_params().

  1. The formula: on each seed, `random_cases` random (W, F, S, P, D1, K) layers (W up to 40, F up to 7,
     S up to 4, P up to 3) plus the lecture's examples; output side and depth against ⌊(W − F + 2P)/S⌋ + 1
     and K; parameters against (F·F·D1 + 1)·K.
  2. "It is not possible!": when (W − F + 2P)/S is not whole Keras does not refuse, it floors, and the last
     r = (W − F + 2P) mod S padded columns are never inside a window (nor, when S > F, the gaps between windows). Measured: a kernel of ones over a batch of
     one-hot input columns; a column whose image gives an all-zero output is never seen. The count of unseen
     input columns must equal the count of columns inside no window [i·S, i·S + F − 1] (max(0, r − P) when
     S ≤ F), in every case.
  3. Pooling (MaxPooling2D, AveragePooling2D): W2 = ⌊(W1 − F)/S⌋ + 1, D2 = D1, zero parameters.
  4. AlexNet's conv stack (one tower, without LRN or grouping), built in Keras: conv 96@11×11/4 → max-pool
     3/2 → conv 256@5×5 pad 2 → pool → conv 384@3×3 → conv 384@3×3 → conv 256@3×3 → pool → FC 4096 → FC 4096
     → FC 1000, on a 227×227×3 input. Its neurons per layer are 290,400–186,624–64,896–64,896–43,264–4096–
     4096–1000. Also counted: the parameters with the paper's two-GPU grouping (Conv2D groups=2 on conv2, 4
     and 5: 60,965,224, the paper's "60 million"), and without it (62,378,344).

Where the lecture (or the paper) is wrong, each its own sub-claim that FAILS:
  - 003's slide "Step size: 2 … It is not possible!" (7×7 input, 3×3 filter): stride 2 fits exactly
    ((7 − 3)/2 + 1 = 3, the lecture's own previous slide); it is stride 3 (2.33) that does not fit, as the
    formula slide that follows says. `lecture-stride-2-not-possible` FAILS; `stride-3-not-possible` holds.
  - 003's "Each activity map is a 26×26 layer" for a 5×5 filter on the 32×32 input: it is 28×28, as the
    same slide's "(28×28×5)" says. `lecture-26x26` FAILS.
  - The AlexNet paper's first-layer count 253,440: 96 maps of 55×55 are 290,400 neurons; 253,440/96 = 2,640 is
    no square, so no square map of 96 channels gives it (it is 48·55·96, 55·55·96 would be 290,400). And the
    paper's 224×224 input (its 150,528 = 224·224·3, which holds) gives 54×54 under an 11×11 stride-4 valid
    convolution, not 55×55: 227×227 (or 224 padded by 2) gives 55. `alexnet-first-layer-253440` and
    `alexnet-224-gives-55` FAIL; every other count of the paper's list holds. (With 290,400 the layers sum to
    659,272 neurons, the paper's "650,000"; with 253,440 they sum to 622,312.)
"""

import functools

import keras
import numpy as np

from reproductions.claim import Arm, ArmResult, Budget, Claim
from reproductions.expect import exact_above, exactly, from_lecture, from_paper, ours

POSITION = 5  # arithmetic first: the other architecture claims build on it

PAPER_ALEXNET = (253_440, 186_624, 64_896, 64_896, 43_264, 4096, 4096, 1000)

# Where each number comes from (issue 32): the lecture's formulas and counts, quoted from the seed files.
FORMULA_SIZE = from_lecture("In general, the output has size: w_out = ⌊(w_in + 2p − k)/s⌋ + 1 (002); "
                            "W2 = (W1 − F + 2P)/S + 1, H2 = (H1 − F + 2P)/S + 1, D2 = K (003)", seed="002, 003")
ALEXNET_SIZE = from_lecture("The network's input is 150,528-dimensional, and the number of neurons in the "
                            "network's remaining layers is given by 253,440–186,624–64,896–64,896–43,264–4096–"
                            "4096–1000", seed="002")
UNSEEN_SIZE = ours("a computed fact: 0 mismatches against our count of the input columns inside no window "
                   "[i·S, i·S + F − 1] (max(0, r − P) when S ≤ F); the lecture says only 'we may not be able to "
                   "cover all of the input' (002) and 'It is not possible!' (003), no count")
EXAMPLES_SIZE = from_lecture("stride 1 ⇒ (7 − 3)/1 + 1 = 5; stride 2 ⇒ (7 − 3)/2 + 1 = 3; Expand borders by 1 "
                             "pixel … Output 7 × 7; boundary zeroing of size (F − 1)/2 … (input size unchanged); "
                             "(32 − 5 + 2 × 2)/1 + 1 = 32; (32 → 28 → 24 → ...); (28 × 28 × 5)", seed="003")
PARAMS_SIZE = from_lecture("It has F × F × D1 weights per filter and total number of (F × F × D1) × K weights and "
                           "K bias", seed="003")
AT_224_SIZE = from_paper("Krizhevsky et al. 2012, Fig. 2 (the drawing shown in 002; its numbers are not in the "
                         "seed's text): a 224×224×3 input and 55×55 maps after the first layer's 11×11 stride-4 "
                         "filters")

# the lecture's examples (003, 002): (name, W, F, S, P, D1, K, the lecture's output side)
LECTURE_CASES = (
    ("7-3-s1", 7, 3, 1, 0, 1, 1, 5),        # 003 "Output 5×5"
    ("7-3-s2", 7, 3, 2, 0, 1, 1, 3),        # 003 "Step size: 2, Output 3×3"
    ("7-3-s1-p1", 7, 3, 1, 1, 1, 1, 7),     # 003 "Expand borders by 1 pixel … Output 7×7"
    ("32-3-p1", 32, 3, 1, 1, 3, 4, 32),     # 003 "(F−1)/2 … input size unchanged"
    ("32-5-p2", 32, 5, 1, 2, 3, 10, 32),    # 003 "(32 − 5 + 2×2)/1 + 1 = 32", 32×32×10
    ("32-7-p3", 32, 7, 1, 3, 3, 4, 32),
    ("32-5-p0", 32, 5, 1, 0, 3, 5, 28),     # 003 "32 → 28" and "(28×28×5)"
    ("28-5-p0", 28, 5, 1, 0, 3, 5, 24),     # 003 "28 → 24"
    ("7-3-s2-p1", 7, 3, 2, 1, 1, 1, None),  # 002 "pad = 1, stride = 2" on the 7×7 grid (no number given)
    ("32-1-64", 32, 1, 1, 0, 64, 32, None),  # 003 32 1×1 filters on a 64-deep input (no size given)
)
STRIDE_3 = ("7-3-s3", 7, 3, 3, 0, 1, 1, None)  # 003 "stride 3 ⇒ 2.33": not whole


def conv_case(w, f, s, p, d1, k):
    """(output side, output depth, parameters, unseen input columns) of ZeroPadding2D(p) → Conv2D(k, f, s) on a
    w×w×d1 input, from a forward pass: the kernel is all ones, the batch holds one image per input column
    (ones in that column), and a column whose image gives an all-zero output was never inside a window."""
    pad = keras.layers.ZeroPadding2D(p)
    conv = keras.layers.Conv2D(k, f, strides=s, padding="valid", kernel_initializer="ones", bias_initializer="zeros")
    images = np.zeros((w, w, w, d1), dtype="float32")
    images[np.arange(w), :, np.arange(w), :] = 1.0  # image j: column j set
    out = np.asarray(keras.ops.convert_to_numpy(conv(pad(images))))
    seen = np.abs(out).reshape(w, -1).sum(axis=1) > 0
    if out.shape[1] != out.shape[2]:
        raise AssertionError(f"non-square output {out.shape}")
    return out.shape[1], out.shape[3], conv.count_params(), int((~seen).sum())


def formula(w, f, s, p):
    return (w - f + 2 * p) // s + 1


def unseen_formula(w, f, s, p):
    """Input columns inside no window: windows cover [i·S, i·S + F − 1] of the padded input, i < the output side;
    the input is columns P … P + W − 1. When S ≤ F that is the last max(0, r − P), r = (W − F + 2P) mod S; when
    S > F the gaps between windows are unseen too."""
    seen = np.zeros(w + 2 * p, dtype=bool)
    for i in range(formula(w, f, s, p)):
        seen[i * s: i * s + f] = True
    return int((~seen[p: p + w]).sum())


def random_cases(rng, n):
    cases = []
    while len(cases) < n:
        f, s, p = int(rng.integers(1, 8)), int(rng.integers(1, 5)), int(rng.integers(0, 4))
        w = int(rng.integers(max(1, f - 2 * p), 41))
        if p < f:  # a pad as wide as the kernel sees windows of zeros only: out of the lecture's range
            cases.append((w, f, s, p, int(rng.choice([1, 3])), int(rng.integers(1, 5))))
    return cases


def pooling_checks(rng, n):
    """Mismatches of MaxPooling2D/AveragePooling2D output shapes against ⌊(W1 − F)/S⌋ + 1 and D1, and their
    total parameter count, over the lecture's cases (2/2, 3/2 on AlexNet's sizes) and `n` random ones."""
    cases = [(32, 2, 2, 10), (55, 3, 2, 96), (27, 3, 2, 256), (13, 3, 2, 256)]
    cases += [(int(rng.integers(8, 41)), int(rng.integers(1, 5)), int(rng.integers(1, 5)), int(rng.integers(1, 9)))
              for _ in range(n)]
    mismatches, params = 0, 0
    for w, f, s, d in cases:
        for layer_type in (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D):
            layer = layer_type(f, strides=s, padding="valid")
            out = np.asarray(keras.ops.convert_to_numpy(layer(np.ones((1, w, w, d), dtype="float32"))))
            mismatches += int(out.shape[1:] != (formula(w, f, s, 0), formula(w, f, s, 0), d))
            params += layer.count_params()
    return mismatches, params, 2 * len(cases)


def alexnet(side=227, grouped=False):
    """AlexNet's layers as Keras builds them (one tower; `grouped`: the paper's two GPUs as Conv2D groups=2 on
    conv2, conv4, conv5). Returns the model and the layers whose outputs are the paper's neuron counts."""
    groups = 2 if grouped else 1
    counted = [
        keras.layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1"),
        keras.layers.Conv2D(256, 5, padding="same", groups=groups, activation="relu", name="conv2"),
        keras.layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3"),
        keras.layers.Conv2D(384, 3, padding="same", groups=groups, activation="relu", name="conv4"),
        keras.layers.Conv2D(256, 3, padding="same", groups=groups, activation="relu", name="conv5"),
        keras.layers.Dense(4096, activation="relu", name="fc6"),
        keras.layers.Dense(4096, activation="relu", name="fc7"),
        keras.layers.Dense(1000, name="fc8"),
    ]
    c1, c2, c3, c4, c5, f6, f7, f8 = counted
    pool = lambda name: keras.layers.MaxPooling2D(3, strides=2, name=name)  # noqa: E731 (overlapping pooling)
    model = keras.Sequential([keras.Input((side, side, 3)), c1, pool("pool1"), c2, pool("pool2"), c3, c4, c5,
                              pool("pool5"), keras.layers.Flatten(), f6, f7, f8])
    return model, counted


def neurons(layer):
    return int(np.prod(layer.output.shape[1:]))


@functools.lru_cache(maxsize=1)
def alexnet_counts():
    """(neurons per counted layer, parameters, parameters with grouping, conv1's side on 224): deterministic,
    so built once per process (the two models allocate ~120 M weights)."""
    model, counted = alexnet(227)
    counts = tuple(neurons(layer) for layer in counted)
    params = model.count_params()
    del model, counted
    grouped = alexnet(227, grouped=True)[0].count_params()
    conv1_224 = keras.layers.Conv2D(96, 11, strides=4)
    side_224 = int(keras.ops.shape(conv1_224(np.zeros((1, 224, 224, 3), "float32")))[1])
    return counts, params, grouped, side_224


def run(config, seed, context):
    rng = np.random.default_rng(seed)
    scalars, size_errors, param_errors, unseen_errors, lecture_errors = {}, 0, 0, 0, 0
    for name, w, f, s, p, d1, k, lecture in LECTURE_CASES + (STRIDE_3,):
        side, depth, params, unseen = conv_case(w, f, s, p, d1, k)
        scalars[f"side_{name}"], scalars[f"unseen_{name}"] = float(side), float(unseen)
        scalars[f"params_{name}"] = float(params)
        if lecture is not None:
            lecture_errors += int(side != lecture)
    for w, f, s, p, d1, k in random_cases(rng, config["random_cases"]):
        side, depth, params, unseen = conv_case(w, f, s, p, d1, k)
        size_errors += int(side != formula(w, f, s, p) or depth != k)
        param_errors += int(params != (f * f * d1 + 1) * k)
        unseen_errors += int(unseen != unseen_formula(w, f, s, p))
    for name, w, f, s, p, d1, k, _ in LECTURE_CASES + (STRIDE_3,):  # the lecture's cases through the formulas too
        size_errors += int(scalars[f"side_{name}"] != formula(w, f, s, p))
        param_errors += int(scalars[f"params_{name}"] != (f * f * d1 + 1) * k)
        unseen_errors += int(scalars[f"unseen_{name}"] != unseen_formula(w, f, s, p))
    scalars.update({"size_formula_errors": float(size_errors), "param_formula_errors": float(param_errors),
                    "unseen_formula_errors": float(unseen_errors), "lecture_example_errors": float(lecture_errors),
                    "cases_checked": float(config["random_cases"] + len(LECTURE_CASES) + 1),
                    "stride_3_ratio": (7 - 3) / 3 + 1})
    mismatches, pool_params, pool_cases = pooling_checks(rng, config["random_pooling_cases"])
    scalars.update({"pooling_shape_errors": float(mismatches), "pooling_params": float(pool_params),
                    "pooling_cases": float(pool_cases)})

    counts, params, grouped, side_224 = alexnet_counts()
    scalars.update({f"alexnet_neurons_{i + 1}": float(n) for i, n in enumerate(counts)})
    scalars["alexnet_rest_errors"] = float(sum(a != b for a, b in zip(counts[1:], PAPER_ALEXNET[1:])))
    scalars["alexnet_neurons_total"] = float(sum(counts))
    scalars["alexnet_params"], scalars["alexnet_params_grouped"] = float(params), float(grouped)
    scalars["alexnet_conv1_side_224"] = float(side_224)
    scalars["alexnet_input_224"] = float(224 * 224 * 3)
    return ArmResult(scalars=scalars, notes=(
        f"{config['random_cases']} random conv layers: {size_errors} size, {param_errors} parameter, {unseen_errors} "
        f"coverage mismatches; AlexNet (227) neurons {list(counts)}; conv1 on 224: {scalars['alexnet_conv1_side_224']:.0f}"))


CLAIM = Claim(
    id="conv-arithmetic",
    title="Conv output size ⌊(W − F + 2P)/S⌋ + 1, parameter-free pooling, AlexNet's layer sizes, checked in Keras",
    statement=("'In general, the output has size w_out = ⌊(w_in + 2p − k)/s⌋ + 1'; 'It is not possible!' when it is "
               "not whole; pooling: 'The number of parameters is equal to zero!'; AlexNet: 'the number of neurons in "
               "the network's remaining layers is given by 253,440–186,624–64,896–64,896–43,264–4096–4096–1000'"),
    source="002 'Convolution: How big is the output?', AlexNet Figure 2 caption; 003 'Convolution Layer: a closer "
           "look', 'padding', 'example', 'Conclusion', 'Neuron's view', 'Integration layer: Summarization'",
    lecture_number="7×7/3×3: 5 (stride 1), 3 (stride 2), 2.33 (stride 3, 'not possible'); 760 parameters; "
                   "AlexNet 253,440–186,624–64,896–64,896–43,264–4096–4096–1000",
    setup=("One arm, no training: Keras ZeroPadding2D → Conv2D (valid) layers run forward on one-hot input columns "
           "(kernel of ones) for the lecture's examples and 50 random (W ≤ 40, F ≤ 7, S ≤ 4, P ≤ 3) layers per "
           "seed; MaxPooling2D/AveragePooling2D on the lecture's and 30 random shapes; AlexNet's layers built in "
           "Keras on a 227×227×3 input, neurons = each layer's output size, parameters = count_params()."),
    check="Keras' own shapes and counts against the formula on the lecture's and random layers, exactly; where the lecture's numbers are wrong (290,400, not 253,440)",
    base_config={"random_cases": 50, "random_pooling_cases": 30},
    arms=(Arm("structure", {}, "shapes and counts from Keras (exact)"),),
    expectations=(
        exactly("output-size-formula", "structure", "size_formula_errors", equals=0,
                statement="Keras' output side is ⌊(W − F + 2P)/S⌋ + 1 and its depth K in every case (no mismatch)",
                lecture="w_out = ⌊(w_in + 2p − k)/s⌋ + 1 (002); W2 = (W1 − F + 2P)/S + 1, D2 = K (003)",
                size=FORMULA_SIZE),
        exactly("not-whole-leaves-input-unseen", "structure", "unseen_formula_errors", equals=0,
                statement="when (W − F + 2P)/S is not whole, Keras floors and the input columns inside no window are "
                          "never seen (the last max(0, r − P), r = (W − F + 2P) mod S, when S ≤ F), in every case",
                lecture="'It is not possible!'; 'with certain strides, we may not be able to cover all of the input'",
                size=UNSEEN_SIZE),
        exact_above("stride-3-not-possible", "structure", "unseen_7-3-s3", 0.0,
                    statement="7×7 input, 3×3 filter, stride 3: one input column is left unseen (2.33 is not whole)",
                    lecture="'stride 3 ⇒ (7 − 3)/3 + 1 = 2.33'"),
        exact_above("lecture-stride-2-not-possible", "structure", "unseen_7-3-s2", 0.0,
                    statement="the slide as printed: with stride 2 the 7×7 input cannot be covered",
                    lecture="'Step size: 2 … It is not possible!' (should say 3; its own previous slide gives 3×3)"),
        exactly("lecture-examples", "structure", "lecture_example_errors", equals=0,
                statement="the lecture's output sides 5, 3, 7, 32 (pads 1, 2, 3), 28 and 24 are Keras'",
                lecture="Output 5×5, 3×3, 7×7; '(32 − 5 + 2×2)/1 + 1 = 32'; '32 → 28 → 24'; '(28×28×5)'",
                size=EXAMPLES_SIZE),
        exactly("lecture-26x26", "structure", "side_32-5-p0", equals=26,
                statement="a 5×5 filter on the 32×32 input gives 26×26 activation maps",
                lecture="'Each activity map is a 26×26 layer' (the same slide says 28×28×5)",
                size=from_lecture("Each activity map is a 26 × 26 layer of neuron output", seed="003")),
        exactly("conv-params-formula", "structure", "param_formula_errors", equals=0,
                statement="Keras' Conv2D has (F·F·D1 + 1)·K parameters in every case",
                lecture="'F×F×D1 weights per filter and total (F×F×D1)×K weights and K bias'",
                size=PARAMS_SIZE),
        exactly("lecture-760-params", "structure", "params_32-5-p2", equals=760,
                statement="ten 5×5 filters on 32×32×3 have 760 parameters",
                lecture="'5×5×3 + 1 = 76 … 76×10 = 760'",
                size=from_lecture("5 × 5 × 3 + 1 = 76 … 76 × 10 = 760", seed="003")),
        exactly("pooling-output-size", "structure", "pooling_shape_errors", equals=0,
                statement="max and average pooling give ⌊(W1 − F)/S⌋ + 1 and D2 = D1 in every case",
                lecture="W2 = (W1 − F)/S + 1, D2 = D1",
                size=from_lecture("W2 = (W1 − F)/S + 1; H2 = (H1 − F)/S + 1; D2 = D1", seed="003")),
        exactly("pooling-no-params", "structure", "pooling_params", equals=0,
                statement="pooling layers have no parameters",
                lecture="'The number of parameters is equal to zero!'",
                size=from_lecture("The number of parameters is equal to zero!", seed="003")),
        exactly("alexnet-later-layers", "structure", "alexnet_rest_errors", equals=0,
                statement="AlexNet's layers 2–8 have 186,624, 64,896, 64,896, 43,264, 4096, 4096, 1000 neurons in "
                          "Keras",
                lecture="186,624–64,896–64,896–43,264–4096–4096–1000",
                size=ALEXNET_SIZE),
        exactly("alexnet-input-150528", "structure", "alexnet_input_224", equals=150_528,
                statement="the input is 224·224·3 = 150,528-dimensional",
                lecture="'The network's input is 150,528-dimensional'",
                size=ALEXNET_SIZE),
        exactly("alexnet-first-layer-253440", "structure", "alexnet_neurons_1", equals=253_440,
                statement="AlexNet's first layer has 253,440 neurons",
                lecture="253,440 (paper and lecture; 55·55·96 = 290,400)",
                size=ALEXNET_SIZE),
        exactly("alexnet-224-gives-55", "structure", "alexnet_conv1_side_224", equals=55,
                statement="the paper's 224×224 input gives 55×55 maps under 11×11 filters at stride 4 (no padding)",
                lecture="224×224×3 input, 55×55×96 first layer (227 gives 55; 224 gives 54)",
                size=AT_224_SIZE),
    ),
    budgets={
        "smoke": Budget(overrides={"random_cases": 20, "random_pooling_cases": 5},
                        note="20 random conv layers: pipeline check only"),
        "quick": Budget(note="50 random conv layers and 30 random pooling shapes per seed"),
        "full": Budget(overrides={"random_cases": 500, "random_pooling_cases": 200},
                       note="500 random conv layers and 200 pooling shapes per seed"),
    },
    run=run,
    summary_metrics=("side_7-3-s1", "side_7-3-s2", "side_7-3-s3", "unseen_7-3-s2", "unseen_7-3-s3", "side_32-5-p0",
                     "params_32-5-p2", "params_32-1-64", "alexnet_neurons_1", "alexnet_neurons_2",
                     "alexnet_neurons_total", "alexnet_params", "alexnet_params_grouped", "alexnet_conv1_side_224",
                     "size_formula_errors", "unseen_formula_errors"),
    # the lecture's rules and AlexNet's layer sizes; the printing errors are reported apart (secondary)
    primary=("output-size-formula", "not-whole-leaves-input-unseen", "pooling-no-params", "alexnet-later-layers"),
)
