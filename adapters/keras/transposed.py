"""Keras 3's transposed convolution: keras.layers.Conv1DTranspose/2D/3D, on whichever backend
KERAS_BACKEND selects.

Keras takes 'valid' or 'same' and an output_padding (None when the case gives none: Keras's
own default size); kernels are [*kernel, out, in]. The layer is built once (`layer`), for the
run and the script alike.
"""

from __future__ import annotations

import numpy as np

from adapters.keras._common import layers_code, run_layers
from harness.adapter_api import Call, Case, NotExpressible, Served

LAYER = {f"conv_transpose{r}d": f"keras.layers.Conv{r}DTranspose" for r in (1, 2, 3)}


def layer(case: Case) -> Call:
    api = LAYER[case.op]
    if case.padding.kind not in ("valid", "same"):
        raise NotExpressible(f"{api} takes 'valid' or 'same', not {case.padding}")
    if case.groups > 1:
        raise NotExpressible(f"{api} takes no groups")
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes output_padding, not an output size")
    arguments = dict(
        filters=case.out_channels,
        kernel_size=case.kernel,
        strides=case.stride,
        padding=case.padding.kind,
        output_padding=case.output_padding or None,
        data_format="channels_last",
        dilation_rate=case.dilation,
        use_bias=case.bias,
        dtype=case.dtype,
    )
    return Call(api, arguments)


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_layers(case, x, w, b, device, layer(case))


def code(case: Case, env: dict[str, str]) -> str:
    return layers_code(case, layer(case))


FAMILY = "conv_transpose"  # the operator family this module serves
SERVED = {"keras": Served(LAYER, run, code)}
