"""What the Keras adapters share: the case's weights handed to a layer through its
initializers, and a layer's channels-last output read back channels-first in float64. Keras is
imported inside the functions."""

from __future__ import annotations

import numpy as np

from harness.adapter_api import cast, channels_first, kernel_last
from harness.case import Case

GIVEN_CODE = (
    "kernel_initializer=lambda shape, dtype=None: w.transpose(*range(2, w.ndim), 1, 0),\n"
    "    bias_initializer=lambda shape, dtype=None: b"
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


def output(y) -> np.ndarray:
    """A channels-last Keras tensor as a channels-first float64 array."""
    import keras

    return channels_first(keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")))
