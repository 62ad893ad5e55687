"""Adversarial examples, backend-neutrally: the input gradient of a classifier's loss and the fast gradient sign method.

Goodfellow et al. (2015) perturb an input along the sign of the loss gradient with respect to the input,

    x' = x + ε · sign(∇x J(θ, x, y)),

the fast gradient sign method (FGSM): the worst perturbation of L∞ size ε for the net's linearization.

Keras 3 has no backend-neutral `grad()`. `InputGradients` reads the gradient off one optimizer step, like
common.probes: a frozen copy of the model behind a zero `GradientProbe` on its input, so one plain-SGD step at
learning rate 1 on the loss sum <u, logits> leaves minus the gradient in the probe. With u = softmax(z) − onehot(y),
the gradient of the softmax cross-entropy with respect to the logits z, that is the gradient of the cross-entropy
with respect to the input. The copy and its one-step training function are built once and reused (the weights
are copied in at each call), so a net being trained can be attacked every epoch for the cost of a forward and a
backward pass. The copy is frozen (`trainable = False`): the step moves the probe alone, and batch norm in the
copy uses its moving averages, as the model does at test time.

Inputs here are standardized images; ε is declared in pixel units of [0, 1] images and converted with
`pixel_range` (the standardized values of a black and a white pixel), and perturbed images are clipped to it,
so every perturbed input is still an image.
"""

from __future__ import annotations

import keras
import numpy as np

from reproductions.common.probes import GradientProbe


def _upstream_dot(y_true, y_pred):
    # the loss <u, logits> per example: the logits receive `u` as their gradient
    return keras.ops.sum(y_true * y_pred, axis=-1)


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64."""
    z = np.asarray(logits, dtype="float64")
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


class InputGradients:
    """dJ/dx of the softmax cross-entropy J of a logits model, per example, for the model's current weights.

    `chunk` is the probe's batch: inputs are read `chunk` rows at a time (the last chunk padded with rows whose
    upstream gradient is zero). Nets with Dropout are refused: the copy would drop units in its training step.
    """

    def __init__(self, model: keras.Model, chunk: int = 1000):
        if any(isinstance(layer, keras.layers.Dropout) for layer in model.layers):
            raise ValueError("InputGradients reads the inference-mode gradient: a net with Dropout is not supported")
        self.model = model
        self.chunk = int(chunk)
        self.copy = keras.models.clone_model(model)
        self.copy.trainable = False
        inputs = keras.Input(model.input_shape[1:])
        self.probe = GradientProbe(self.chunk)
        self.readout = keras.Model(inputs, self.copy(self.probe(inputs)))
        self.readout.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss=_upstream_dot)
        self._zeros = np.zeros(tuple(self.probe.delta.shape), dtype=self.probe.delta.dtype)

    def logits(self, x: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(keras.ops.convert_to_numpy(self.model(x[i:i + self.chunk], training=False)),
                                          dtype="float64") for i in range(0, len(x), self.chunk)])

    def upstream(self, x: np.ndarray, y: np.ndarray, logits: np.ndarray | None = None) -> np.ndarray:
        """softmax(z) − onehot(y): the cross-entropy's gradient with respect to the logits z."""
        z = self.logits(x) if logits is None else logits
        u = softmax_rows(z)
        u[np.arange(len(y)), np.asarray(y).astype(int)] -= 1.0
        return u

    def __call__(self, x: np.ndarray, y: np.ndarray, logits: np.ndarray | None = None) -> np.ndarray:
        """The input gradient of each example's cross-entropy (float64, the shape of x)."""
        self.copy.set_weights(self.model.get_weights())
        upstream = self.upstream(x, y, logits).astype("float32")
        out = np.zeros(x.shape, dtype="float64")
        for start in range(0, len(x), self.chunk):
            xs, us = x[start:start + self.chunk], upstream[start:start + self.chunk]
            n = len(xs)
            if n < self.chunk:  # pad: rows with a zero upstream gradient get a zero input gradient
                xs = np.concatenate([xs, np.zeros((self.chunk - n,) + xs.shape[1:], dtype=xs.dtype)])
                us = np.concatenate([us, np.zeros((self.chunk - n,) + us.shape[1:], dtype=us.dtype)])
            self.probe.delta.assign(self._zeros)
            self.readout.train_on_batch(xs, us)
            # Keras averages the loss over the batch; the step leaves -mean gradient: undo both
            delta = np.asarray(keras.ops.convert_to_numpy(self.probe.delta), dtype="float64")
            out[start:start + n] = -delta[:n] * self.chunk
        return out


def pixel_range(x_train: np.ndarray) -> tuple[float, float]:
    """(black, white): the standardized values of pixel 0 and pixel 1 in images standardized as (x − m) / s,
    read as the training images' minimum and maximum (exact when they hold a black and a white pixel, as every
    Fashion-MNIST and CIFAR-10 training subset does). One pixel-range unit is white − black = 1 / s."""
    return float(np.min(x_train)), float(np.max(x_train))


def fgsm(x: np.ndarray, gradient: np.ndarray, epsilon: float, clip: tuple[float, float] | None = None) -> np.ndarray:
    """x + ε · sign(gradient), clipped to `clip` = (low, high) if given, in x's dtype."""
    out = np.asarray(x, dtype="float64") + epsilon * np.sign(gradient)
    if clip is not None:
        out = np.clip(out, *clip)
    return out.astype(np.asarray(x).dtype)


def sign_noise(x: np.ndarray, epsilon: float, rng: np.random.Generator,
               clip: tuple[float, float] | None = None) -> np.ndarray:
    """x + ε · (independent random signs): random noise of the same L∞ size as an FGSM step (the control)."""
    return fgsm(x, rng.choice(np.array([-1.0, 1.0]), size=np.shape(x)), epsilon, clip)


def flipped_fraction(clean_predictions: np.ndarray, perturbed_predictions: np.ndarray, labels: np.ndarray) -> float:
    """Among the examples classified correctly before the perturbation, the share whose prediction changed."""
    correct = np.asarray(clean_predictions) == np.asarray(labels)
    if not correct.any():
        return float("nan")
    return float(np.mean(np.asarray(perturbed_predictions)[correct] != np.asarray(clean_predictions)[correct]))
