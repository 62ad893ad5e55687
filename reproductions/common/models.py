"""Model builders shared by the claims: MLPs and small Krizhevsky- or VGG-style CNNs, with the init
suited to each activation (He for ReLU, Glorot for tanh/sigmoid) and an optional init-scale multiplier.

The logits layer computes in float32 whatever the global dtype policy (under `mixed_bfloat16` the
rest computes in bfloat16 and the softmax loss stays in float32, as Keras' mixed-precision guide
advises); under the default float32 policy this changes nothing."""

from __future__ import annotations

import keras


def initializer(activation: str, scale: float = 1.0, seed: int | None = None):
    """He for ReLU, Glorot for saturating units (truncated normal, as keras' he_normal/glorot_normal);
    `scale` multiplies the weights' standard deviation."""
    if activation == "relu":
        return keras.initializers.VarianceScaling(2.0 * scale ** 2, mode="fan_in", distribution="truncated_normal",
                                                  seed=seed)
    return keras.initializers.VarianceScaling(scale ** 2, mode="fan_avg", distribution="truncated_normal", seed=seed)


def mlp(input_dim: int, depth: int, width: int, activation: str, *, batchnorm: bool = False,
        init_scale: float = 1.0, classes: int = 10) -> keras.Model:
    """depth × [Dense(width) → (BatchNorm) → activation] → Dense(classes) logits."""
    layers = [keras.Input((input_dim,))]
    for _ in range(depth):
        layers.append(keras.layers.Dense(width, use_bias=not batchnorm,
                                         kernel_initializer=initializer(activation, init_scale)))
        if batchnorm:  # Ioffe & Szegedy: normalise the pre-activation, the bias is BN's beta
            layers.append(keras.layers.BatchNormalization())
        layers.append(keras.layers.Activation(activation))
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
            layers.append(keras.layers.Activation(activation))
        layers.append(keras.layers.MaxPooling2D(2))
    layers += [keras.layers.Flatten(), logits(classes, init_scale)]
    return keras.Sequential(layers)
