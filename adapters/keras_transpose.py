"""Keras 3's transposed convolution: keras.layers.Conv1DTranspose/2D/3D, served by the keras
adapter on whichever backend KERAS_BACKEND selects.

Keras takes 'valid' or 'same' and an output_padding (None when the case gives none: Keras's
own default size); kernels are [*kernel, out, in].
"""

from __future__ import annotations

import numpy as np

from adapters.keras_common import GIVEN_CODE, given, output
from harness.adapter_api import NotExpressible, cast, channels_last
from harness.case import Case

LAYER = {f"conv_transpose{r}d": f"keras.layers.Conv{r}DTranspose" for r in (1, 2, 3)}


def _settings(case: Case) -> dict:
    api = LAYER[case.op]
    if case.padding.kind not in ("valid", "same"):
        raise NotExpressible(f"{api} takes 'valid' or 'same', not {case.padding}")
    if case.groups > 1:
        raise NotExpressible(f"{api} takes no groups")
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes output_padding, not an output size")
    return dict(
        filters=case.out_channels,
        kernel_size=case.kernel,
        strides=case.stride,
        padding=case.padding.kind,
        output_padding=case.output_padding or None,
        dilation_rate=case.dilation,
        use_bias=case.bias,
        dtype=case.dtype,
    )


def conv_transpose(case: Case, x, w, b, device: str) -> np.ndarray:
    import keras

    settings = _settings(case)
    with keras.device(device):
        layer_class = getattr(keras.layers, LAYER[case.op].rsplit(".", 1)[1])
        layer = layer_class(data_format="channels_last", **settings, **given(case, w, b))
        return output(layer(cast(channels_last(x), case.dtype)))


def conv_transpose_code(case: Case, env: dict[str, str]) -> str:
    settings = ", ".join(f"{k}={v!r}" for k, v in _settings(case).items())
    return (
        "import keras\n"
        "import numpy as np\n"
        f"layer = {LAYER[case.op]}({settings},\n"
        f"    {GIVEN_CODE})  # the case's weights, [*kernel, out, in]\n"
        "xt = np.moveaxis(x, 1, -1)  # channels last\n"
        f"y = layer(keras.ops.convert_to_tensor(xt, dtype={case.dtype!r}))\n"
        'y = np.moveaxis(keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")), -1, 1)\n'
    )
