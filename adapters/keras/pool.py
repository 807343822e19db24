"""Keras 3 pooling: keras.layers.MaxPooling1D/2D/3D and AveragePooling1D/2D/3D, channels last,
on whichever backend KERAS_BACKEND selects. The layer is built once (`layer`), for the run and
the script alike.

'valid' and 'same' only; no ceil_mode, no dilation, and an average that never counts the
padding.
"""

from __future__ import annotations

import numpy as np

from adapters.keras._common import layers_code, run_layers
from harness.adapter_api import Call, Case, NotExpressible, Served

LAYER = {
    f"{kind}_pool{r}d": f"keras.layers.{name}Pooling{r}D"
    for kind, name in (("max", "Max"), ("avg", "Average"))
    for r in (1, 2, 3)
}


def layer(case: Case) -> Call:
    """The layer; NotExpressible for what it lacks."""
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
    arguments = dict(
        pool_size=case.kernel,
        strides=case.stride,
        padding=padding,
        data_format="channels_last",
        dtype=case.dtype,
    )
    return Call(api, arguments)


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_layers(case, x, None, None, device, layer(case))


def code(case: Case, env: dict[str, str]) -> str:
    return layers_code(case, layer(case), weights=False)


FAMILY = "pool"  # the operator family this module serves
SERVED = {"keras": Served(LAYER, run, code)}
