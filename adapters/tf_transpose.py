"""TensorFlow's transposed convolution: tf.nn.conv1d_transpose, conv2d_transpose and
conv3d_transpose, served by the tf.nn adapter, in the variant's layout (adapters/tf_common.py).

TensorFlow takes the output size itself: the case's output_shape, or the size its crop (or,
for a word, Keras's formula) implies (harness.model.transposed.implied_spatial). Filters are
[*kernel, out, in]: the case's [in, out, *kernel] with its axes reversed in pairs.
"""

from __future__ import annotations

import numpy as np

from adapters.tf_common import (
    bias_format,
    data_format,
    explicit,
    full,
    laid_out,
    layout_code,
    read_back,
)
from harness.adapter_api import NotExpressible, implied_spatial, kernel_last
from harness.case import Case

APIS_BY_OP = {f"conv_transpose{r}d": f"tf.nn.conv{r}d_transpose" for r in (1, 2, 3)}


def _padding(case: Case, env=None):
    """'SAME', 'VALID', or explicit pads on every axis (conv2d_transpose only)."""
    api = APIS_BY_OP[case.op]
    if case.groups > 1:
        raise NotExpressible(f"{api} takes no groups")
    kind = case.padding.kind
    if kind in ("valid", "same"):
        return kind.upper()
    if kind == "same_lower" or case.op != "conv_transpose2d":
        raise NotExpressible(f"{api} takes 'SAME' or 'VALID', not {case.padding}")
    return explicit(case, env)


def _arguments(case: Case, env=None) -> dict:
    """Output shape, padding, strides, dilations and layout as each op spells them."""
    output_shape = full(list(implied_spatial(case)), case.batch, case.out_channels, env)
    steps: dict[str, int | list[int]]
    if case.op == "conv_transpose1d":
        steps = dict(strides=case.stride[0], dilations=case.dilation[0])
    elif case.op == "conv_transpose3d":
        steps = dict(
            strides=full(list(case.stride), 1, 1, env),
            dilations=full(list(case.dilation), 1, 1, env),
        )
    else:
        steps = dict(strides=list(case.stride), dilations=list(case.dilation))
    return dict(
        output_shape=output_shape,
        padding=_padding(case, env),
        data_format=data_format(case.rank, env),
        **steps,
    )


def conv_transpose(case: Case, x, w, b, device: str) -> np.ndarray:
    import tensorflow as tf

    arguments = _arguments(case)
    dtype = getattr(tf, case.dtype)
    call = getattr(tf.nn, APIS_BY_OP[case.op].rsplit(".", 1)[1])
    with tf.device(device.upper()):
        y = call(tf.cast(laid_out(x), dtype), tf.cast(kernel_last(w), dtype), **arguments)
        if b is not None:
            y = tf.nn.bias_add(y, tf.cast(b, dtype), data_format=bias_format())
    return read_back(y.numpy().astype(np.float64))


def conv_transpose_code(case: Case, env: dict[str, str]) -> str:
    arguments = ", ".join(f"{k}={v!r}" for k, v in _arguments(case, env).items())
    before, after = layout_code(env)
    return (
        "import numpy as np\n"
        "import tensorflow as tf\n"
        f"dtype = tf.{case.dtype}\n" + before + "xt = tf.cast(xt, dtype)\n"
        "wt = tf.cast(w.transpose(*range(2, w.ndim), 1, 0), dtype)  # [*kernel, out, in]\n"
        f"y = {APIS_BY_OP[case.op]}(xt, wt, {arguments})\n"
        "if b is not None:\n"
        f"    y = tf.nn.bias_add(y, tf.cast(b, dtype), data_format={bias_format(env)!r})\n"
        'y = y.numpy().astype("float64")\n' + after
    )
