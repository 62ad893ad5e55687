"""Activation and gradient probes that work the same on the TensorFlow, JAX and PyTorch backends.

Keras 3 has no backend-neutral `grad()`, so gradients are read off one optimizer step: a
`GradientProbe` adds a zero-initialised trainable tensor to its input (the forward pass is
unchanged); after one plain-SGD step at learning rate 1 the probe holds exactly minus the gradient
of the loss with respect to that input (0 - 1·g is exact in floating point).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


class GradientProbe(keras.layers.Layer):
    """Identity in the forward pass; after `read_gradients` its weight is -dLoss/dInput."""

    def __init__(self, batch_size: int, **kwargs):
        super().__init__(**kwargs)
        self.batch_size = batch_size

    def build(self, input_shape):
        self.delta = self.add_weight(shape=(self.batch_size, *input_shape[1:]), initializer="zeros",
                                     trainable=True, name="delta")

    def call(self, inputs):
        return inputs + self.delta

    def compute_output_shape(self, input_shape):
        return input_shape


def _upstream_dot(y_true, y_pred):
    # loss = <upstream, output> per example: the top layer receives `upstream` as its gradient
    return ops.sum(y_true * y_pred, axis=-1)


def read_gradients(model: keras.Model, probes: list[GradientProbe], x: np.ndarray, upstream: np.ndarray):
    """Gradients of sum_batch <upstream, model(x)> with respect to each probed tensor, as float64.

    The model's last output is the one read out. Only the probes train in that step; every other
    weight is frozen for it. Left trainable, the weights were updated in the same step, and on
    TensorFlow the probes' gradients were then sometimes (about 1 call in 3, for a one-layer net)
    computed with the updated weights instead of the original ones. The probes keep the gradient:
    build a fresh model per measurement.
    """
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs  # as `x` is given: no structure warning
    readout = keras.Model(inputs, model.outputs[-1])
    probed = {id(p.delta) for p in probes}
    frozen = [v for v in readout.trainable_variables if id(v) not in probed]
    for variable in frozen:
        variable.trainable = False
    try:
        readout.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss=_upstream_dot)
        readout.train_on_batch(x, upstream)
    finally:
        for variable in frozen:
            variable.trainable = True
    batch = len(x)  # Keras averages the per-example loss over the batch; undo it
    return [-np.asarray(keras.ops.convert_to_numpy(p.delta), dtype="float64") * batch for p in probes]
