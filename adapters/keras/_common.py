"""What the Keras family modules share: a layer built with the case's weights handed over
through its initializers, applied channels-last on the variant's device and read back
channels-first in float64, and the script that does the same. Keras is imported inside the
functions."""

from __future__ import annotations

import numpy as np

from harness.adapter_api import Call, Case, cast, channels_first, channels_last, kernel_last

# The script's initializers, the weights as run_layers hands them over ([*kernel, ...]).
GIVEN = dict(
    kernel_initializer="lambda shape, dtype=None: w.transpose(*range(2, w.ndim), 1, 0)",
    bias_initializer="lambda shape, dtype=None: b",
)


def given(case: Case, w, b) -> dict:
    """Initializers that hand the layer the case's kernel ([*kernel, ...] as Keras keeps it) and
    bias, already in the case's dtype: the layer builds with them on its first call, and draws
    no random weights to overwrite."""
    kernel, bias = cast(kernel_last(w), case.dtype), None if b is None else cast(b, case.dtype)
    return dict(
        kernel_initializer=lambda shape, dtype=None: kernel,
        bias_initializer=lambda shape, dtype=None: bias,
    )


def device_scope(keras, device: str):
    """keras.device of the harness's device name, as "cpu:0", the form keras.device documents:
    Keras 3.11.3 on JAX splits the name at ":" (measured)."""
    return keras.device(device if ":" in device else f"{device}:0")


def run_layers(case: Case, x, w, b, device: str, *layers: Call) -> np.ndarray:
    """The layers applied in turn to x, channels last; the last one is given the case's weights
    (w None: it has none)."""
    import keras

    weights = {} if w is None else given(case, w, b)
    with device_scope(keras, device):
        y = cast(channels_last(x), case.dtype)
        for layer in layers[:-1]:
            y = layer(keras)(y)
        y = layers[-1](keras, **weights)(y)
        return channels_first(keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")))


def layers_code(case: Case, *layers: Call, weights: bool = True) -> str:
    """The script of run_layers."""
    *before, last = layers
    built = last.source(**GIVEN) if weights else last.source()
    return (
        "import keras\n"
        "import numpy as np\n"
        f"layer = {built}\n"
        f"xt = keras.ops.convert_to_tensor(np.moveaxis(x, 1, -1), dtype={case.dtype!r})\n"
        + "".join(f"xt = {layer.source()}(xt)\n" for layer in before)
        + "y = layer(xt)\n"
        'y = np.moveaxis(keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")), -1, 1)\n'
    )
