"""TensorFlow's transposed convolution: tf.nn.conv1d_transpose, conv2d_transpose and
conv3d_transpose, served by the tf.nn adapter.

TensorFlow takes the output size itself: the case's output_shape, or the size its crop (or,
for a word, Keras's formula) implies (harness.model.transposed.implied_spatial). Filters are
[*kernel, out, in]: the case's [in, out, *kernel] with its axes reversed in pairs.
"""

from __future__ import annotations

import numpy as np

from harness.adapter_api import NotExpressible, channels_first, channels_last, kernel_last
from harness.case import Case
from harness.model.transposed import implied_spatial

APIS_BY_OP = {f"conv_transpose{r}d": f"tf.nn.conv{r}d_transpose" for r in (1, 2, 3)}


def _padding(case: Case):
    """'SAME', 'VALID', or explicit [[0, 0], *pairs, [0, 0]] (conv2d_transpose only)."""
    api = APIS_BY_OP[case.op]
    if case.groups > 1:
        raise NotExpressible(f"{api} takes no groups")
    kind = case.padding.kind
    if kind in ("valid", "same"):
        return kind.upper()
    if kind == "same_lower" or case.op != "conv_transpose2d":
        raise NotExpressible(f"{api} takes 'SAME' or 'VALID', not {case.padding}")
    return [[0, 0], *map(list, case.padding.pairs()), [0, 0]]


def _arguments(case: Case) -> dict:
    """Output shape, padding, strides and dilations as each op spells them."""
    output_shape = [case.batch, *implied_spatial(case), case.out_channels]
    steps: dict[str, int | list[int]]
    if case.op == "conv_transpose1d":
        steps = dict(strides=case.stride[0], dilations=case.dilation[0])
    elif case.op == "conv_transpose3d":
        steps = dict(strides=[1, *case.stride, 1], dilations=[1, *case.dilation, 1])
    else:
        steps = dict(strides=list(case.stride), dilations=list(case.dilation))
    return dict(output_shape=output_shape, padding=_padding(case), **steps)


def conv_transpose(case: Case, x, w, b, device: str) -> np.ndarray:
    import tensorflow as tf

    arguments = _arguments(case)
    dtype = getattr(tf, case.dtype)
    call = getattr(tf.nn, APIS_BY_OP[case.op].rsplit(".", 1)[1])
    with tf.device(device.upper()):
        y = call(tf.cast(channels_last(x), dtype), tf.cast(kernel_last(w), dtype), **arguments)
        if b is not None:
            y = tf.nn.bias_add(y, tf.cast(b, dtype))
    return channels_first(y.numpy().astype(np.float64))


def conv_transpose_code(case: Case, env: dict[str, str]) -> str:
    arguments = ", ".join(f"{k}={v!r}" for k, v in _arguments(case).items())
    return (
        "import numpy as np\n"
        "import tensorflow as tf\n"
        f"dtype = tf.{case.dtype}\n"
        "xt = tf.cast(np.moveaxis(x, 1, -1), dtype)  # channels last\n"
        "wt = tf.cast(w.transpose(*range(2, w.ndim), 1, 0), dtype)  # [*kernel, out, in]\n"
        f"y = {APIS_BY_OP[case.op]}(xt, wt, {arguments})\n"
        "if b is not None:\n"
        "    y = tf.nn.bias_add(y, tf.cast(b, dtype))\n"
        'y = np.moveaxis(y.numpy().astype("float64"), -1, 1)  # channels first\n'
    )
