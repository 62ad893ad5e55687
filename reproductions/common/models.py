"""Model builders shared by the claims: MLPs and small Krizhevsky- or VGG-style CNNs, with the init
suited to each activation (He for ReLU and its relatives Leaky ReLU / ELU, Glorot for tanh/sigmoid) and an
optional init-scale multiplier. 'leaky_relu' is the lecture's max(0.01x, x) (Keras' own default slope is 0.2).

The logits layer computes in float32 whatever the global dtype policy (under `mixed_bfloat16` the
rest computes in bfloat16 and the softmax loss stays in float32, as Keras' mixed-precision guide
advises); under the default float32 policy this changes nothing."""

from __future__ import annotations

import keras

LEAKY_RELU_SLOPE = 0.01  # 000/004: Leaky ReLU f(x) = max(0.01x, x)
HE_ACTIVATIONS = ("relu", "leaky_relu", "elu")  # non-saturating for x > 0: He init, as ReLU


def initializer(activation: str, scale: float = 1.0, seed: int | None = None):
    """He for ReLU (and Leaky ReLU / ELU, with ReLU's gain 2), Glorot for saturating units (truncated
    normal, as keras' he_normal/glorot_normal); `scale` multiplies the weights' standard deviation."""
    if activation in HE_ACTIVATIONS:
        return keras.initializers.VarianceScaling(2.0 * scale ** 2, mode="fan_in", distribution="truncated_normal",
                                                  seed=seed)
    return keras.initializers.VarianceScaling(scale ** 2, mode="fan_avg", distribution="truncated_normal", seed=seed)


def activation_layer(activation: str, negative_slope: float = LEAKY_RELU_SLOPE) -> keras.layers.Layer:
    """The nonlinearity as a layer: 'leaky_relu' with `negative_slope` (the lecture's 0.01 unless told), any other
    name as keras.layers.Activation(name) ('elu' is Keras' ELU with alpha 1)."""
    if activation == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=negative_slope)
    return keras.layers.Activation(activation)


def mlp(input_dim: int, depth: int, width: int, activation: str, *, batchnorm: bool = False,
        init_scale: float = 1.0, classes: int = 10) -> keras.Model:
    """depth × [Dense(width) → (BatchNorm) → activation] → Dense(classes) logits."""
    layers = [keras.Input((input_dim,))]
    for _ in range(depth):
        layers.append(keras.layers.Dense(width, use_bias=not batchnorm,
                                         kernel_initializer=initializer(activation, init_scale)))
        if batchnorm:  # Ioffe & Szegedy: normalise the pre-activation, the bias is BN's beta
            layers.append(keras.layers.BatchNormalization())
        layers.append(activation_layer(activation))
    layers.append(logits(classes, init_scale))
    return keras.Sequential(layers)


def logits(classes: int = 10, init_scale: float = 1.0) -> keras.layers.Dense:
    """The classifier: Dense logits (Glorot), in float32 under any dtype policy."""
    return keras.layers.Dense(classes, kernel_initializer=initializer("linear", init_scale), dtype="float32")


def cnn(input_shape: tuple[int, ...], channels: tuple[int, ...], kernel: int, activation: str, *,
        batchnorm: bool = False, init_scale: float = 1.0, classes: int = 10, convs_per_stage: int = 1) -> keras.Model:
    """Krizhevsky-style: per stage `convs_per_stage` × [Conv(k×k) → (BatchNorm) → activation], then
    MaxPool 2×2; then Dense logits. Two 3×3 convs per stage make it VGG-style."""
    layers = [keras.Input(input_shape)]
    for width in channels:
        for _ in range(convs_per_stage):
            layers.append(keras.layers.Conv2D(width, kernel, padding="same", use_bias=not batchnorm,
                                              kernel_initializer=initializer(activation, init_scale)))
            if batchnorm:
                layers.append(keras.layers.BatchNormalization())
            layers.append(activation_layer(activation))
        layers.append(keras.layers.MaxPooling2D(2))
    layers += [keras.layers.Flatten(), logits(classes, init_scale)]
    return keras.Sequential(layers)
