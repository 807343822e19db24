"""TensorFlow: tf.nn.conv1d, tf.nn.conv2d and tf.nn.conv3d, channels-last input (or
channels-first where the variant asks: adapters/tf_common.py) and [*kernel, in, out] filters;
the tf.nn adapter serves tf.nn.conv*_transpose too (adapters/tf_transpose.py) and tf.nn's
pooling (adapters/tf_pool.py)."""

from __future__ import annotations

import numpy as np

from adapters import tf_pool, tf_transpose
from adapters.tf_common import (
    bias_format,
    data_format,
    explicit,
    full,
    laid_out,
    layout_code,
    read_back,
)
from harness.adapter_api import ConvApi, NotExpressible, by_family, code_by_family, kernel_last
from harness.case import Case

FRAMEWORK = "tensorflow"
REQUIRES = "tensorflow"

APIS_BY_OP = {f"conv{r}d": f"tf.nn.conv{r}d" for r in (1, 2, 3)}


def version() -> str:
    import tensorflow as tf

    return tf.__version__


def devices() -> list[str]:
    import tensorflow as tf

    return ["cpu"] + [f"gpu:{i}" for i in range(len(tf.config.list_logical_devices("GPU")))]


def _padding(case: Case, env=None):
    """'SAME', 'VALID', or explicit pads on every axis where the API takes them (2-d)."""
    kind, api = case.padding.kind, APIS_BY_OP[case.op]
    if kind == "same_lower":
        raise NotExpressible(f"{api} has no 'same_lower'")
    if kind in ("valid", "same"):
        return kind.upper()
    if case.op != "conv2d":  # conv1d and conv3d take 'SAME' or 'VALID' only
        raise NotExpressible(f"{api} takes 'SAME' or 'VALID', not explicit pads")
    return explicit(case, env)


def _arguments(case: Case, env=None) -> dict:
    """Stride, dilation and layout as each op spells them."""
    layout = dict(data_format=data_format(case.rank, env))
    if case.op == "conv1d":
        return dict(stride=case.stride[0], dilations=case.dilation[0], **layout)
    if case.op == "conv3d":  # five entries, batch and channels 1
        steps = dict(strides=case.stride, dilations=case.dilation)
        return {k: full(list(v), 1, 1, env) for k, v in steps.items()} | layout
    return dict(strides=list(case.stride), dilations=list(case.dilation), **layout)


def conv(case: Case, x, w, b, device: str) -> np.ndarray:
    import tensorflow as tf

    if case.family == "pool":
        with tf.device(device.upper()):
            y = tf_pool.pool(tf, case, tf.cast(laid_out(x), getattr(tf, case.dtype)))
        return read_back(y.numpy().astype(np.float64))

    padding = _padding(case)
    dtype = getattr(tf, case.dtype)
    call = getattr(tf.nn, case.op)
    with tf.device(device.upper()):
        y = call(
            tf.cast(laid_out(x), dtype),
            tf.cast(kernel_last(w), dtype),
            padding=padding,
            **_arguments(case),
        )
        if b is not None:
            y = tf.nn.bias_add(y, tf.cast(b, dtype), data_format=bias_format())
    return read_back(y.numpy().astype(np.float64))


def conv_code(case: Case, env: dict[str, str]) -> str:
    if case.family == "pool":
        return tf_pool.pool_code(case, env)
    padding = _padding(case, env)
    arguments = ", ".join(f"{k}={v!r}" for k, v in _arguments(case, env).items())
    before, after = layout_code(env)
    return (
        "import numpy as np\n"
        "import tensorflow as tf\n"
        f"dtype = tf.{case.dtype}\n" + before + "xt = tf.cast(xt, dtype)\n"
        "wt = tf.cast(w.transpose(*range(2, w.ndim), 1, 0), dtype)  # [*kernel, in, out]\n"
        f"y = {APIS_BY_OP[case.op]}(xt, wt, padding={padding!r}, {arguments})\n"
        "if b is not None:\n"
        f"    y = tf.nn.bias_add(y, tf.cast(b, dtype), data_format={bias_format(env)!r})\n"
        'y = y.numpy().astype("float64")\n' + after
    )


APIS = [
    ConvApi(
        "tf.nn",
        {**APIS_BY_OP, **tf_transpose.APIS_BY_OP, **tf_pool.APIS_BY_OP},
        by_family(conv, conv_transpose=tf_transpose.conv_transpose),
        code_by_family(conv_code, conv_transpose=tf_transpose.conv_transpose_code),
    )
]
