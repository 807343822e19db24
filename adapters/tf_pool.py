"""TensorFlow pooling: tf.nn.max_pool1d/2d/3d and tf.nn.avg_pool1d/2d/3d, channels last (or
first, as the variant asks: adapters/tf_common.py). Imported by adapters/tf_conv.py, whose
tf.nn adapter serves these operators too.

'SAME' and 'VALID' everywhere; explicit pads where the call takes them (max_pool1d and
max_pool2d); no ceil_mode, no dilation, and an average that never counts the padding.
"""

from __future__ import annotations

from adapters.tf_common import data_format, explicit, layout_code
from harness.adapter_api import NotExpressible
from harness.case import Case

APIS_BY_OP = {
    f"{kind}_pool{r}d": f"tf.nn.{kind}_pool{r}d" for kind in ("max", "avg") for r in (1, 2, 3)
}
EXPLICIT = ("max_pool1d", "max_pool2d")  # the ops whose padding takes pads on every axis


def arguments(case: Case, env=None) -> dict:
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
    return dict(
        ksize=list(case.kernel),
        strides=list(case.stride),
        padding=padding,
        data_format=data_format(case.rank, env),
    )


def pool(tf, case: Case, xt):
    """The call on a tensor in the variant's layout."""
    return getattr(tf.nn, case.op)(xt, **arguments(case))


def pool_code(case: Case, env: dict[str, str]) -> str:
    call = ", ".join(f"{k}={v!r}" for k, v in arguments(case, env).items())
    before, after = layout_code(env)
    return (
        "import numpy as np\n"
        "import tensorflow as tf\n" + before + f"xt = tf.cast(xt, tf.{case.dtype})\n"
        f"y = {APIS_BY_OP[case.op]}(xt, {call})\n"
        'y = y.numpy().astype("float64")\n' + after
    )
