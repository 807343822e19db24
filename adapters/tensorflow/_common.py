"""What the TensorFlow family modules share: the layout their calls are stated in, the bias
added after a convolution, and a convolution's run and script around its call.

TensorFlow's calls default to channels-last ('NWC', 'NHWC', 'NDHWC'), and the untagged variant
states them so, moving the case's arrays there and the output back.
CONVHARNESS_TF_CHANNELS_FIRST=1 states every call channels-first instead ('NCW', 'NCHW',
'NCDHW', data_format=...), on the case's arrays as they are: where TensorFlow picks other
kernels (oneDNN's), or refuses the layout. The per-axis lists a call takes (strides,
dilations, ksize, explicit pads, output shapes) put the batch and channel entries where the
layout has them.
"""

from __future__ import annotations

import os

import numpy as np

from harness.adapter_api import Call, Case, kernel_last
from harness.adapter_api import channels_first as first
from harness.adapter_api import channels_last as last

CHANNELS_FIRST = "CONVHARNESS_TF_CHANNELS_FIRST"
FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


def channels_first(env=None) -> bool:
    return (os.environ if env is None else env).get(CHANNELS_FIRST) == "1"


def data_format(rank: int, env=None) -> str:
    return FORMATS[rank][channels_first(env)]


def bias_add(env=None) -> Call:
    """tf.nn.bias_add, with its spelling of the layout."""
    return Call("tf.nn.bias_add", dict(data_format="NC..." if channels_first(env) else "N...C"))


def laid_out(x: np.ndarray) -> np.ndarray:
    """A channels-first case array in the layout the calls are stated in."""
    return x if channels_first() else last(x)


def read_back(y: np.ndarray) -> np.ndarray:
    """An output in that layout, channels-first."""
    return y if channels_first() else first(y)


def full(spatial: list, batch, channels, env=None) -> list:
    """A per-axis list over every axis of the layout, the batch and channel entries given."""
    if channels_first(env):
        return [batch, channels, *spatial]
    return [batch, *spatial, channels]


def explicit(case, env=None) -> list[list[int]]:
    """Explicit pads as the calls take them: [low, high] on every axis, zero on N and C."""
    return full([list(pair) for pair in case.padding.pairs()], [0, 0], [0, 0], env)


def layout_code(env: dict[str, str]) -> tuple[str, str]:
    """A repro's lines moving x to the layout, and the output back."""
    if channels_first(env):
        return "xt = x  # channels first\n", ""
    return (
        "xt = np.moveaxis(x, 1, -1)  # channels last\n",
        "y = np.moveaxis(y, -1, 1)  # channels first\n",
    )


def run_conv(case: Case, call: Call, x, w, b, device: str) -> np.ndarray:
    """A convolution's `call` on the case's arrays in the layout, its filters [*kernel, ...],
    then the bias; read back channels-first."""
    import tensorflow as tf

    dtype = getattr(tf, case.dtype)
    with tf.device(device.upper()):
        y = call(tf, tf.cast(laid_out(x), dtype), tf.cast(kernel_last(w), dtype))
        if b is not None:
            y = bias_add()(tf, y, tf.cast(b, dtype))
    return read_back(y.numpy().astype(np.float64))


def conv_code(case: Case, env: dict[str, str], call: Call, kernel: str) -> str:
    """The script of run_conv; `kernel` names the filters' axes in a comment."""
    before, after = layout_code(env)
    return (
        "import numpy as np\n"
        "import tensorflow as tf\n"
        f"dtype = tf.{case.dtype}\n" + before + "xt = tf.cast(xt, dtype)\n"
        f"wt = tf.cast(w.transpose(*range(2, w.ndim), 1, 0), dtype)  # {kernel}\n"
        f"y = {call.source('xt', 'wt')}\n"
        "if b is not None:\n"
        f"    y = {bias_add(env).source('y', 'tf.cast(b, dtype)')}\n"
        'y = y.numpy().astype("float64")\n' + after
    )
