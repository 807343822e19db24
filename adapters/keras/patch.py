"""Keras 3 patch extraction: keras.ops.image.extract_patches (2-d) and extract_patches_3d
(3-d: extract_patches takes a 3-d size only from Keras 3.14.0; extract_patches_3d is the call
each release with 3-d patches has, measured on 3.13.2 to 3.15.1), channels last, on whichever
backend KERAS_BACKEND selects, with strides, dilation_rate and padding 'valid' or 'same'. Its
patches come back [N, *out, K·C], kernel-major on every backend (as tf.image.extract_patches');
the run moves the last axis to the front, never reordering the patch axis. Built once, for the
run and the script alike."""

from __future__ import annotations

import numpy as np

from adapters.keras._common import device_scope
from harness.adapter_api import (
    Call,
    Case,
    NotExpressible,
    Served,
    cast,
    channels_first,
    channels_last,
)

APIS_BY_OP = {
    "patches2d": "keras.ops.image.extract_patches",
    "patches3d": "keras.ops.image.extract_patches_3d",
}


def call(case: Case) -> Call:
    """size, strides and dilation_rate per axis, padding as the word; NotExpressible else."""
    api, kind = APIS_BY_OP[case.op], case.padding.kind
    if kind not in ("valid", "same"):
        raise NotExpressible(f"{api} takes 'valid' or 'same', not {case.padding}")
    return Call(
        api,
        dict(
            size=case.kernel,
            strides=case.stride,
            dilation_rate=case.dilation,
            padding=kind,
            data_format="channels_last",
        ),
    )


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    import keras

    extract = call(case)
    with device_scope(keras, device):
        y = extract(keras, cast(channels_last(x), case.dtype))
        return channels_first(keras.ops.convert_to_numpy(keras.ops.cast(y, "float64")))


def code(case: Case, env: dict[str, str]) -> str:
    return (
        "import keras\n"
        "import numpy as np\n"
        f"xt = keras.ops.convert_to_tensor(np.moveaxis(x, 1, -1), dtype={case.dtype!r})\n"
        f"y = {call(case).source('xt')}\n"
        "y = keras.ops.convert_to_numpy(keras.ops.cast(y, 'float64'))\n"
        "y = np.moveaxis(y, -1, 1)  # [N, K*C, *out], kernel-major\n"
    )


# The refusals its conventions document, per backend, each with a case that shows it (measured
# by tests/test_verdicts.py): rule -> (adapter, case as JSON).
REFUSAL_CASES = {
    "keras/patches-strided-dilated": (
        "keras[tensorflow]",
        {"op": "patches2d", "input": [1, 2, 9, 9], "kernel": 3, "stride": 2, "dilation": 2},
    ),
    "keras/patches-tensorflow-negative-output": (
        "keras[tensorflow]",
        {"op": "patches2d", "input": [1, 2, 3, 3], "kernel": 5},
    ),
    "keras/patches-jax-empty-output": (
        "keras[jax]",
        {"op": "patches2d", "input": [1, 2, 3, 3], "kernel": 5},
    ),
    "keras/patches-torch-kernel-exceeds-input": (
        "keras[torch]",
        {"op": "patches2d", "input": [1, 2, 3, 3], "kernel": 5},
    ),
}

FAMILY = "patch"  # the operator family this module serves
SERVED = {"keras": Served(APIS_BY_OP, run, code)}
