"""TensorFlow patch extraction: tf.image.extract_patches (2-d, [N, H, W, C] input alone,
whatever the variant's layout), with sizes, strides and rates (the dilation) given on every
axis of the layout and padding 'SAME' or 'VALID' (no explicit pads, no 'same_lower'). Its
patches come back [N, out_h, out_w, K·C], kernel-major (the documentation: each patch is
"flattened" from [size_rows, size_cols, depth]); the run moves the last axis to the front as
the layout's, never reordering the patch axis. Built once, for the run and the script alike."""

from __future__ import annotations

import numpy as np

from harness.adapter_api import Call, Case, NotExpressible, Served, channels_first, channels_last

APIS_BY_OP = {"patches2d": "tf.image.extract_patches"}


def call(case: Case) -> Call:
    """sizes, strides and rates on [N, H, W, C], padding as the word; NotExpressible else."""
    api, kind = APIS_BY_OP[case.op], case.padding.kind
    if kind not in ("valid", "same"):
        raise NotExpressible(f"{api} takes 'SAME' or 'VALID', not {case.padding}")
    return Call(
        api,
        dict(
            sizes=[1, *case.kernel, 1],
            strides=[1, *case.stride, 1],
            rates=[1, *case.dilation, 1],
            padding=kind.upper(),
        ),
    )


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    import tensorflow as tf

    extract = call(case)
    with tf.device(device.upper()):
        y = extract(tf, tf.cast(channels_last(x), getattr(tf, case.dtype)))
    return channels_first(y.numpy().astype(np.float64))


def code(case: Case, env: dict[str, str]) -> str:
    return (
        "import numpy as np\n"
        "import tensorflow as tf\n"
        f"xt = tf.cast(np.moveaxis(x, 1, -1), tf.{case.dtype})  # [N, H, W, C]\n"
        f"y = {call(case).source('xt')}\n"
        'y = np.moveaxis(y.numpy().astype("float64"), -1, 1)  # [N, K*C, H, W], kernel-major\n'
    )


# The refusal its conventions document, with a case that shows it (tests/test_verdicts.py).
REFUSAL_CASES = {
    "tf/patches-negative-output": ("tf.nn", {"op": "patches2d", "input": [1, 2, 3, 3], "kernel": 5})
}

FAMILY = "patch"  # the operator family this module serves
SERVED = {"tf.nn": Served(APIS_BY_OP, run, code)}
