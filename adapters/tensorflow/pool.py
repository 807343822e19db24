"""TensorFlow pooling: tf.nn.max_pool1d/2d/3d and tf.nn.avg_pool1d/2d/3d, in the variant's
layout (_common.py). The call is built once (`call`), for the run and the script alike.

'SAME' and 'VALID' everywhere; explicit pads where the call takes them (max_pool1d and
max_pool2d); no ceil_mode, no dilation, and an average that never counts the padding.
"""

from __future__ import annotations

import numpy as np

from adapters.tensorflow._common import data_format, explicit, laid_out, layout_code, read_back
from harness.adapter_api import Call, Case, NotExpressible, Served

APIS_BY_OP = {
    f"{kind}_pool{r}d": f"tf.nn.{kind}_pool{r}d" for kind in ("max", "avg") for r in (1, 2, 3)
}
EXPLICIT = ("max_pool1d", "max_pool2d")  # the ops whose padding takes pads on every axis


def call(case: Case, env=None) -> Call:
    """ksize, strides and padding as the call takes them; NotExpressible for what it lacks."""
    api, kind = APIS_BY_OP[case.op], case.padding.kind
    if case.ceil_mode:
        raise NotExpressible(f"{api} has no ceil_mode")
    if max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    if kind == "same_lower":
        raise NotExpressible(f"{api} has no 'same_lower'")
    if case.count_include_pad and kind != "valid":
        raise NotExpressible(f"{api} never counts the padding in its divisor")
    if kind == "explicit" and case.op not in EXPLICIT:
        raise NotExpressible(f"{api} takes 'SAME' or 'VALID', not explicit pads")
    padding = kind.upper() if kind != "explicit" else explicit(case, env)
    arguments = dict(
        ksize=list(case.kernel),
        strides=list(case.stride),
        padding=padding,
        data_format=data_format(case.rank, env),
    )
    return Call(api, arguments)


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    import tensorflow as tf

    pool = call(case)
    with tf.device(device.upper()):
        y = pool(tf, tf.cast(laid_out(x), getattr(tf, case.dtype)))
    return read_back(y.numpy().astype(np.float64))


def code(case: Case, env: dict[str, str]) -> str:
    pool = call(case, env)
    before, after = layout_code(env)
    return (
        "import numpy as np\n"
        "import tensorflow as tf\n" + before + f"xt = tf.cast(xt, tf.{case.dtype})\n"
        f"y = {pool.source('xt')}\n"
        'y = y.numpy().astype("float64")\n' + after
    )


FAMILY = "pool"  # the operator family this module serves
SERVED = {"tf.nn": Served(APIS_BY_OP, run, code)}
