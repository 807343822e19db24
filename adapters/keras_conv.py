"""Keras 3: keras.layers.Conv1D/2D/3D (and ZeroPadding1D/2D/3D + conv for pads per side),
channels_last, on whichever backend KERAS_BACKEND selects; the keras adapter serves
Conv1DTranspose/2D/3D too (adapters/keras_transpose.py) and the pooling layers
(adapters/keras_pool.py)."""

from __future__ import annotations

import numpy as np

from adapters import keras_pool, keras_transpose
from adapters.keras_common import GIVEN_CODE, given, output
from harness.adapter_api import (
    ConvApi,
    NotExpressible,
    by_family,
    cast,
    channels_last,
    code_by_family,
)
from harness.case import Case

FRAMEWORK = "keras"
REQUIRES = "keras"

RANKS = (1, 2, 3)
LAYER = {f"conv{r}d": f"keras.layers.Conv{r}D" for r in RANKS}
PADDING_LAYER = {f"conv{r}d": f"keras.layers.ZeroPadding{r}D" for r in RANKS}
PADDED = {op: f"{PADDING_LAYER[op]} + {LAYER[op]}" for op in LAYER}


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
    if kind == "explicit" and not any(case.padding.pads):
        return "valid"
    raise NotExpressible(f"{LAYER[case.op]} takes 'valid' or 'same', not {case.padding}")


def _layer(case: Case, padding: str, w, b):
    import keras

    layer_class = getattr(keras.layers, LAYER[case.op].rsplit(".", 1)[1])
    return layer_class(
        filters=case.out_channels,
        kernel_size=case.kernel,
        strides=case.stride,
        padding=padding,
        data_format="channels_last",
        dilation_rate=case.dilation,
        groups=case.groups,
        use_bias=case.bias,
        dtype=case.dtype,
        **given(case, w, b),
    )


def conv(case: Case, x, w, b, device: str) -> np.ndarray:
    import keras

    if case.family == "pool":
        with keras.device(device):
            return output(keras_pool.pool(keras, case, channels_last(x)))

    padding = _padding(case)
    with keras.device(device):
        return output(_layer(case, padding, w, b)(cast(channels_last(x), case.dtype)))


def _explicit(case: Case):
    """ZeroPadding's argument: (low, high) in 1-d, one (low, high) pair per axis otherwise."""
    if case.padding.kind in ("same", "same_lower"):
        raise NotExpressible(f"{PADDED[case.op]} takes pads per side, not {case.padding.kind!r}")
    pairs = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * case.rank
    return pairs[0] if case.rank == 1 else tuple(pairs)


def padded(case: Case, x, w, b, device: str) -> np.ndarray:
    """Any explicit pads, the way Keras users write them: ZeroPadding, then 'valid'."""
    import keras

    pads = _explicit(case)
    padding_class = getattr(keras.layers, PADDING_LAYER[case.op].rsplit(".", 1)[1])
    with keras.device(device):
        zero_padding = padding_class(pads, data_format="channels_last", dtype=case.dtype)
        padded_input = zero_padding(cast(channels_last(x), case.dtype))
        return output(_layer(case, "valid", w, b)(padded_input))


def _code(case: Case, padding: str, before: str = "") -> str:
    return (
        "import keras\n"
        "import numpy as np\n"
        f"layer = {LAYER[case.op]}({case.out_channels}, {case.kernel}, strides={case.stride}, "
        f"padding={padding!r},\n"
        f"    dilation_rate={case.dilation}, groups={case.groups}, "
        f"use_bias={case.bias}, dtype={case.dtype!r},\n"
        f"    {GIVEN_CODE})  # the case's weights, [*kernel, in, out]\n"
        "xt = np.moveaxis(x, 1, -1)  # channels last\n"
        + before
        + f"y = layer(keras.ops.convert_to_tensor(xt, dtype={case.dtype!r}))\n"
        'y = np.moveaxis(keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")), -1, 1)\n'
    )


def conv_code(case: Case, env: dict[str, str]) -> str:
    if case.family == "pool":
        return keras_pool.pool_code(case)
    return _code(case, _padding(case))


def padded_code(case: Case, env: dict[str, str]) -> str:
    pads = _explicit(case)
    return _code(
        case,
        "valid",
        f"xt = {PADDING_LAYER[case.op]}({pads}, dtype={case.dtype!r})(xt)  # (low, high)\n",
    )


APIS = [
    ConvApi(
        "keras",
        {**LAYER, **keras_transpose.LAYER, **keras_pool.LAYER},
        by_family(conv, conv_transpose=keras_transpose.conv_transpose),
        code_by_family(conv_code, conv_transpose=keras_transpose.conv_transpose_code),
    ),
    ConvApi("keras.padded", PADDED, padded, padded_code),
]
