"""Keras 3 pooling: keras.layers.MaxPooling1D/2D/3D and AveragePooling1D/2D/3D, channels last,
on whichever backend KERAS_BACKEND selects. Imported by adapters/keras_conv.py, whose `keras`
adapter serves these operators too.

'valid' and 'same' only; no ceil_mode, no dilation, and an average that never counts the
padding.
"""

from __future__ import annotations

from harness.adapter_api import NotExpressible, cast
from harness.case import Case

LAYER = {
    f"{kind}_pool{r}d": f"keras.layers.{name}Pooling{r}D"
    for kind, name in (("max", "Max"), ("avg", "Average"))
    for r in (1, 2, 3)
}


def settings(case: Case) -> dict:
    """The layer's arguments; NotExpressible for what it lacks."""
    api, kind = LAYER[case.op], case.padding.kind
    if case.ceil_mode:
        raise NotExpressible(f"{api} has no ceil_mode")
    if max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    if kind == "explicit" and any(case.padding.pads):
        raise NotExpressible(f"{api} takes 'valid' or 'same', not {case.padding}")
    if kind == "same_lower":
        raise NotExpressible(f"{api} has no 'same_lower'")
    if case.count_include_pad and kind == "same":
        raise NotExpressible(f"{api} never counts the padding in its divisor")
    padding = "same" if kind == "same" else "valid"
    return dict(pool_size=case.kernel, strides=case.stride, padding=padding)


def pool(keras, case: Case, xt):
    """The layer's call on a channels-last tensor."""
    layer_class = getattr(keras.layers, LAYER[case.op].rsplit(".", 1)[1])
    layer = layer_class(**settings(case), data_format="channels_last", dtype=case.dtype)
    return layer(cast(xt, case.dtype))


def pool_code(case: Case) -> str:
    call = ", ".join(f"{k}={v!r}" for k, v in settings(case).items())
    return (
        "import keras\n"
        "import numpy as np\n"
        f"layer = {LAYER[case.op]}({call}, dtype={case.dtype!r})\n"
        f"y = layer(keras.ops.convert_to_tensor(np.moveaxis(x, 1, -1), dtype={case.dtype!r}))\n"
        'y = np.moveaxis(keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")), -1, 1)\n'
    )
