"""Keras 3: keras.layers.Conv2D, channels_last, on whichever backend KERAS_BACKEND selects."""

from __future__ import annotations

import numpy as np

from harness.adapter_api import ConvApi, NotExpressible, hwio, nchw, nhwc
from harness.case import Case

FRAMEWORK = "keras"
REQUIRES = "keras"


def version() -> str:
    import keras

    return keras.__version__


def devices() -> list[str]:
    import keras

    backend = keras.backend.backend()
    gpus = 0
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = len(tf.config.list_logical_devices("GPU"))
    elif backend == "jax":
        import jax

        gpus = len([d for d in jax.devices() if d.platform == "gpu"])
    elif backend == "torch":
        import torch

        gpus = torch.cuda.device_count()
    return ["cpu"] + [f"gpu:{i}" for i in range(gpus)]


def _padding(case: Case) -> str:
    kind = case.padding.kind
    if kind in ("valid", "same"):
        return kind
    if kind == "explicit" and case.padding.pads == (0, 0, 0, 0):
        return "valid"
    raise NotExpressible(f"keras.layers.Conv2D takes 'valid' or 'same', not {case.padding}")


def conv2d(case: Case, x, w, b, device: str) -> np.ndarray:
    import keras

    padding = _padding(case)
    with keras.device(device):
        layer = keras.layers.Conv2D(
            filters=case.out_channels,
            kernel_size=case.kernel,
            strides=case.stride,
            padding=padding,
            data_format="channels_last",
            dilation_rate=case.dilation,
            groups=case.groups,
            use_bias=case.bias,
            dtype=case.dtype,
        )
        layer.build(nhwc(x).shape)
        layer.set_weights([hwio(w)] + ([] if b is None else [b]))
        y = layer(keras.ops.convert_to_tensor(nhwc(x), dtype=case.dtype))
    return nchw(keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")))


APIS = [ConvApi("keras", "keras.layers.Conv2D", conv2d)]
