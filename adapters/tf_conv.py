"""TensorFlow: tf.nn.conv2d, NHWC input and HWIO filters."""

from __future__ import annotations

import numpy as np

from harness.adapter_api import ConvApi, NotExpressible, hwio, nchw, nhwc
from harness.case import Case

FRAMEWORK = "tensorflow"
REQUIRES = "tensorflow"


def version() -> str:
    import tensorflow as tf

    return tf.__version__


def devices() -> list[str]:
    import tensorflow as tf

    return ["cpu"] + [f"gpu:{i}" for i in range(len(tf.config.list_logical_devices("GPU")))]


def _padding(case: Case):
    kind = case.padding.kind
    if kind == "same_lower":
        raise NotExpressible("tf.nn.conv2d has no 'same_lower'")
    if kind in ("valid", "same"):
        return kind.upper()
    top, bottom, left, right = case.padding.pads
    return [[0, 0], [top, bottom], [left, right], [0, 0]]


def conv2d(case: Case, x, w, b, device: str) -> np.ndarray:
    import tensorflow as tf

    padding = _padding(case)
    dtype = getattr(tf, case.dtype)
    with tf.device(device.upper()):
        y = tf.nn.conv2d(
            tf.cast(nhwc(x), dtype),
            tf.cast(hwio(w), dtype),
            strides=list(case.stride),
            padding=padding,
            dilations=list(case.dilation),
        )
        if b is not None:
            y = tf.nn.bias_add(y, tf.cast(b, dtype))
    return nchw(y.numpy().astype(np.float64))


def conv2d_code(case: Case, env: dict[str, str]) -> str:
    padding = _padding(case)
    return (
        "import tensorflow as tf\n"
        f"dtype = tf.{case.dtype}\n"
        "xt = tf.cast(x.transpose(0, 2, 3, 1), dtype)  # NCHW -> NHWC\n"
        "wt = tf.cast(w.transpose(2, 3, 1, 0), dtype)  # OIHW -> HWIO\n"
        f"y = tf.nn.conv2d(xt, wt, strides={list(case.stride)}, padding={padding!r}, "
        f"dilations={list(case.dilation)})\n"
        "if b is not None:\n"
        "    y = tf.nn.bias_add(y, tf.cast(b, dtype))\n"
        'y = y.numpy().astype("float64").transpose(0, 3, 1, 2)  # NHWC -> NCHW\n'
    )


APIS = [ConvApi("tf.nn", "tf.nn.conv2d", conv2d, conv2d_code)]
