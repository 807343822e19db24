"""JAX: jax.lax.conv_general_dilated at rank 1, 2 and 3, channels-first dimension numbers
(NCW/OIW, NCHW/OIHW, NCDHW/OIDHW), or channels-last ones (NHWC/HWIO at every rank) where the
variant asks (adapters/jax_common.py), under jax.jit.

float64 needs jax_enable_x64; the adapter turns it on so a float64 case runs in
float64 (explicit float32/16 inputs keep their dtype). The transposed convolution's APIs
live in adapters/jax_transpose.py; the same adapter serves pooling through
jax.lax.reduce_window (adapters/jax_pool.py).
"""

from __future__ import annotations

import numpy as np

from adapters import jax_pool, jax_transpose
from adapters.jax_common import (
    CODE_HEAD,
    array,
    bias_axes,
    channels_first,
    device_map,
    jax_module,
    laid_out,
    layout_code,
    numbers,
)
from adapters.jax_common import devices as devices
from harness.adapter_api import ConvApi, by_family, code_by_family, lax_padding
from harness.case import Case

FRAMEWORK = "jax"
REQUIRES = "jax"
API = "jax.lax.conv_general_dilated"


def version() -> str:
    return jax_module().__version__


def conv_general_dilated(case: Case, x, w, b, device: str) -> np.ndarray:
    jax = jax_module()
    if case.family == "pool":
        jax_pool.window(case)  # what it cannot state, before compiling
        with jax.default_device(device_map()[device]):
            y = jax.jit(lambda x: jax_pool.pool(jax, case, x))(array(x, case.dtype))
        return np.asarray(y, np.float64)
    broadcast = bias_axes(case.rank)

    @jax.jit
    def conv(x, w, b):
        y = jax.lax.conv_general_dilated(
            x,
            w,
            window_strides=case.stride,
            padding=lax_padding(case),
            rhs_dilation=case.dilation,
            dimension_numbers=numbers(case.rank),
            feature_group_count=case.groups,
        )
        return y if b is None else y + b[broadcast]

    with jax.default_device(device_map()[device]):
        y = conv(
            array(laid_out(x), case.dtype),
            array(laid_out(w, kernel=True), case.dtype),
            array(b, case.dtype),
        )
    return channels_first(np.asarray(y, np.float64))


def conv_general_dilated_code(case: Case, env: dict[str, str]) -> str:
    if case.family == "pool":
        return (
            CODE_HEAD.format(dtype=case.dtype)
            + jax_pool.pool_code(case)
            + ('y = np.asarray(y, "float64")\n')
        )
    before, after = layout_code(env)
    return (
        CODE_HEAD.format(dtype=case.dtype)
        + before
        + (
            "y = jax.lax.conv_general_dilated(\n"
            "    jax.numpy.asarray(x, dtype), jax.numpy.asarray(w, dtype),\n"
            f"    window_strides={case.stride}, padding={lax_padding(case)!r},\n"
            f"    rhs_dilation={case.dilation}, feature_group_count={case.groups},\n"
            f"    dimension_numbers={numbers(case.rank, env=env)!r})\n"
            + after
            + "if b is not None:\n"
            + f"    y = y + jax.numpy.asarray(b, dtype).reshape(-1, *[1] * {case.rank})\n"
            + 'y = np.asarray(y, "float64")\n'
        )
    )


APIS = [
    ConvApi(
        "jax.lax",
        {
            **{op: API for op in ("conv1d", "conv2d", "conv3d")},
            **jax_transpose.CONV_TRANSPOSE,
            **dict.fromkeys(jax_pool.OPS, jax_pool.API),
        },
        by_family(conv_general_dilated, conv_transpose=jax_transpose.conv_transpose),
        code_by_family(conv_general_dilated_code, conv_transpose=jax_transpose.conv_transpose_code),
    ),
    ConvApi(
        "jax.lax.unflipped",
        jax_transpose.UNFLIPPED,
        jax_transpose.unflipped,
        jax_transpose.unflipped_code,
    ),
    ConvApi(
        "jax.lax.dilated", jax_transpose.DILATED, jax_transpose.dilated, jax_transpose.dilated_code
    ),
]
