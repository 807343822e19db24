"""JAX patch extraction: jax.lax.conv_general_dilated_patches at rank 1, 2 and 3, channels
first ([N, C, *spatial], its default dimension numbers), with window strides, rhs_dilation
(the dilation) and padding 'SAME', 'SAME_LOWER', 'VALID' or (low, high) pairs. Its output is
[N, C·K, *out], channel-major (its documentation: "the C dimension ... flattened with the
filter_shape", C first); nothing is reordered. Built once, for the run and the script alike."""

from __future__ import annotations

import numpy as np

from adapters.jax.common import CODE_HEAD, array, device_map, jax_module
from harness.adapter_api import Call, Case, Served, lax_padding

API = "jax.lax.conv_general_dilated_patches"
APIS_BY_OP = {f"patches{r}d": API for r in (1, 2, 3)}


def call(case: Case) -> Call:
    return Call(
        API,
        dict(
            filter_shape=case.kernel,
            window_strides=case.stride,
            padding=lax_padding(case),
            rhs_dilation=case.dilation,
        ),
    )


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    extract = call(case)
    jax = jax_module()
    with jax.default_device(device_map()[device]):
        y = jax.jit(lambda x: extract(jax, x))(array(x, case.dtype))
    return np.asarray(y, np.float64)


def code(case: Case, env: dict[str, str]) -> str:
    return CODE_HEAD.format(dtype=case.dtype) + (
        f"y = jax.jit(lambda xt: {call(case).source('xt')})(jax.numpy.asarray(x, dtype))\n"
        'y = np.asarray(y, "float64")  # [N, C*K, *out], channel-major\n'
    )


# The refusal its conventions document, with a case that shows it (tests/test_verdicts.py).
REFUSAL_CASES = {
    "jax/patches-padded-negative": (
        "jax.lax",
        {"op": "patches1d", "input": [1, 1, 2], "kernel": 1, "padding": [[-3, 0]]},
    )
}

FAMILY = "patch"  # the operator family this module serves
SERVED = {"jax.lax": Served(APIS_BY_OP, run, code)}
