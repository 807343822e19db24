"""Flax: flax.linen.Conv (applied under jax.jit) and flax.nnx.Conv (eager) at rank 1, 2 and 3,
channels-last input and [*kernel, in, out] kernels; ConvTranspose in adapters/flax_transpose.py;
both adapters serve pooling too (adapters/flax_pool.py)."""

from __future__ import annotations

import numpy as np

from adapters import flax_pool, flax_transpose
from adapters.jax_common import CODE_HEAD, array, device_map, jax_module, run_nnx
from adapters.jax_common import devices as devices
from harness.adapter_api import (
    ConvApi,
    by_family,
    channels_first,
    channels_last,
    code_by_family,
    kernel_last,
    lax_padding,
)
from harness.case import Case

FRAMEWORK = "flax"
REQUIRES = "flax"
OPS = ("conv1d", "conv2d", "conv3d")


def version() -> str:
    import flax

    return flax.__version__


def _settings(case: Case) -> dict:
    return dict(
        kernel_size=case.kernel,
        strides=case.stride,
        padding=lax_padding(case),
        kernel_dilation=case.dilation,
        feature_group_count=case.groups,
        use_bias=case.bias,
        dtype=case.dtype,
        param_dtype=case.dtype,
    )


def _pool(namespace, api: str, case: Case, x, device: str) -> np.ndarray:
    jax = jax_module()
    flax_pool.arguments(case, api)  # what it cannot state, before compiling
    with jax.default_device(device_map()[device]):
        xt = array(channels_last(x), case.dtype)
        y = jax.jit(lambda xt: flax_pool.pool(namespace, case, xt, api))(xt)
    return channels_first(np.asarray(y, np.float64))


def linen(case: Case, x, w, b, device: str) -> np.ndarray:
    import flax.linen

    if case.family == "pool":
        return _pool(flax.linen, LINEN[case.op], case, x, device)
    jax = jax_module()
    with jax.default_device(device_map()[device]):
        params = {"kernel": array(kernel_last(w), case.dtype)}
        if b is not None:
            params["bias"] = array(b, case.dtype)
        conv = flax.linen.Conv(features=case.out_channels, **_settings(case))
        y = jax.jit(conv.apply)({"params": params}, array(channels_last(x), case.dtype))
    return channels_first(np.asarray(y, np.float64))


def nnx(case: Case, x, w, b, device: str) -> np.ndarray:
    from flax import nnx as flax_nnx

    if case.family == "pool":
        return _pool(flax_nnx, NNX[case.op], case, x, device)
    return run_nnx(flax_nnx.Conv, case, x, kernel_last(w), b, device, _settings(case))


def _code_settings(case: Case) -> str:
    return (
        f"kernel_size={case.kernel}, strides={case.stride}, padding={lax_padding(case)!r},\n"
        f"    kernel_dilation={case.dilation}, feature_group_count={case.groups}, "
        f"use_bias={case.bias}, dtype=dtype, param_dtype=dtype"
    )


_ARRAYS = (
    "kernel = jax.numpy.asarray(w.transpose(*range(2, w.ndim), 1, 0), dtype)  # [*k, in, out]\n"
    "xt = jax.numpy.asarray(np.moveaxis(x, 1, -1), dtype)  # channels last\n"
)


def linen_code(case: Case, env: dict[str, str]) -> str:
    if case.family == "pool":
        return CODE_HEAD.format(dtype=case.dtype) + flax_pool.pool_code(case, "flax.linen")
    return (
        CODE_HEAD.format(dtype=case.dtype) + _ARRAYS + "import flax.linen\n"
        'params = {"kernel": kernel}\n'
        "if b is not None:\n"
        '    params["bias"] = jax.numpy.asarray(b, dtype)\n'
        f"conv = flax.linen.Conv(features={case.out_channels}, {_code_settings(case)})\n"
        'y = jax.jit(conv.apply)({"params": params}, xt)\n'
        'y = np.moveaxis(np.asarray(y, "float64"), -1, 1)  # channels first\n'
    )


def nnx_code(case: Case, env: dict[str, str]) -> str:
    if case.family == "pool":
        return CODE_HEAD.format(dtype=case.dtype) + flax_pool.pool_code(case, "flax.nnx")
    return (
        CODE_HEAD.format(dtype=case.dtype) + _ARRAYS + "from flax import nnx\n"
        "bias = jax.numpy.asarray(b if b is not None else 0.0, dtype)\n"
        f"conv = nnx.Conv({case.in_channels}, {case.out_channels}, rngs=nnx.Rngs(0),\n"
        "    kernel_init=lambda *_: kernel, bias_init=lambda *_: bias,\n"
        f"    {_code_settings(case)})\n"
        'y = np.moveaxis(np.asarray(conv(xt), "float64"), -1, 1)  # channels first\n'
    )


LINEN = dict.fromkeys(OPS, "flax.linen.Conv") | {
    op: f"flax.linen.{flax_pool.call_name_of(op)}" for op in flax_pool.OPS
}
NNX = dict.fromkeys(OPS, "flax.nnx.Conv") | {
    op: f"flax.nnx.{flax_pool.call_name_of(op)}" for op in flax_pool.OPS
}
APIS = [
    ConvApi(
        "flax.linen",
        {**LINEN, **flax_transpose.LINEN},
        by_family(linen, conv_transpose=flax_transpose.linen),
        code_by_family(linen_code, conv_transpose=flax_transpose.linen_code),
    ),
    ConvApi(
        "flax.nnx",
        {**NNX, **flax_transpose.NNX},
        by_family(nnx, conv_transpose=flax_transpose.nnx),
        code_by_family(nnx_code, conv_transpose=flax_transpose.nnx_code),
    ),
]
