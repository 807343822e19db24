"""Keras 3: keras.layers.Conv2D, channels_last, on whichever backend KERAS_BACKEND selects."""

from __future__ import annotations

import dataclasses

import numpy as np

from harness.adapter_api import ConvApi, NotExpressible, hwio, nchw, nhwc
from harness.case import Case, Padding

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


def _layer(case: Case, padding: str):
    import keras

    return keras.layers.Conv2D(
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


def _apply(layer, case: Case, x, w, b):
    import keras

    layer.build(x.shape)
    layer.set_weights([hwio(w)] + ([] if b is None else [b]))
    y = layer(keras.ops.convert_to_tensor(x, dtype=case.dtype))
    return nchw(keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")))


def conv2d(case: Case, x, w, b, device: str) -> np.ndarray:
    import keras

    padding = _padding(case)
    with keras.device(device):
        return _apply(_layer(case, padding), case, nhwc(x), w, b)


PADDED = "keras.layers.ZeroPadding2D + keras.layers.Conv2D"


def _explicit(case: Case) -> tuple[tuple[int, int], tuple[int, int]]:
    if case.padding.kind in ("same", "same_lower"):
        raise NotExpressible(f"{PADDED} takes pads per side, not {case.padding.kind!r}")
    top, bottom, left, right = case.padding.pads
    return ((top, bottom), (left, right))


def padded(case: Case, x, w, b, device: str) -> np.ndarray:
    """Any explicit pads, the way Keras users write them: ZeroPadding2D, then 'valid'."""
    import keras

    pads = _explicit(case)
    with keras.device(device):
        zero_padding = keras.layers.ZeroPadding2D(
            pads, data_format="channels_last", dtype=case.dtype
        )
        xp = keras.ops.convert_to_numpy(
            keras.ops.cast(
                zero_padding(keras.ops.convert_to_tensor(nhwc(x), case.dtype)), "float64"
            )
        )
        return _apply(_layer(case, "valid"), case, xp, w, b)


def conv2d_code(case: Case, env: dict[str, str]) -> str:
    padding = _padding(case)
    return (
        "import keras\n"
        f"layer = keras.layers.Conv2D({case.out_channels}, {case.kernel}, strides={case.stride}, "
        f"padding={padding!r},\n"
        f"                            dilation_rate={case.dilation}, groups={case.groups}, "
        f"use_bias={case.bias}, dtype={case.dtype!r})\n"
        "xt = x.transpose(0, 2, 3, 1)  # NCHW -> NHWC\n"
        "layer.build(xt.shape)\n"
        "layer.set_weights([w.transpose(2, 3, 1, 0)] + ([] if b is None else [b]))  # HWIO\n"
        f"y = layer(keras.ops.convert_to_tensor(xt, dtype={case.dtype!r}))\n"
        'y = keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")).transpose(0, 3, 1, 2)\n'
    )


def padded_code(case: Case, env: dict[str, str]) -> str:
    pads = _explicit(case)
    head = conv2d_code(dataclasses.replace(case, padding=Padding("valid")), env)
    return head.replace(
        "xt = x.transpose(0, 2, 3, 1)  # NCHW -> NHWC\n",
        "xt = x.transpose(0, 2, 3, 1)  # NCHW -> NHWC\n"
        f"xt = keras.layers.ZeroPadding2D({pads}, dtype={case.dtype!r})(xt)  # (t, b), (l, r)\n"
        'xt = keras.ops.convert_to_numpy(keras.ops.cast(xt, "float64"))\n',
    )


APIS = [
    ConvApi("keras", "keras.layers.Conv2D", conv2d, conv2d_code),
    ConvApi("keras.padded", PADDED, padded, padded_code),
]
