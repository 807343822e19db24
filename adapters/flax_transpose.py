"""Flax's transposed convolution: flax.linen.ConvTranspose (under jax.jit) and
flax.nnx.ConvTranspose (eager), served by the flax.linen and flax.nnx adapters.

Both pass their padding to jax.lax.conv_transpose (adapters/jax_transpose.py says how it reads
it). They run with transpose_kernel=True, whose kernel is [*kernel, out, in]: the case's
[in, out, *kernel] with its axes reversed in pairs, and the forward convolution's kernel.
"""

from __future__ import annotations

import numpy as np

from adapters.jax_common import CODE_HEAD, array, device_map, jax_module, run_nnx
from adapters.jax_transpose import lax_padding
from harness.adapter_api import channels_first, channels_last, kernel_last
from harness.case import Case

RANKS = (1, 2, 3)
LINEN = {f"conv_transpose{r}d": "flax.linen.ConvTranspose" for r in RANKS}
NNX = {f"conv_transpose{r}d": "flax.nnx.ConvTranspose" for r in RANKS}


def _settings(case: Case, api: str) -> dict:
    return dict(
        kernel_size=case.kernel,
        strides=case.stride,
        padding=lax_padding(case, api),
        kernel_dilation=case.dilation,
        use_bias=case.bias,
        transpose_kernel=True,
        dtype=case.dtype,
        param_dtype=case.dtype,
    )


def linen(case: Case, x, w, b, device: str) -> np.ndarray:
    import flax.linen

    settings = _settings(case, LINEN[case.op])
    jax = jax_module()
    with jax.default_device(device_map()[device]):
        params = {"kernel": array(kernel_last(w), case.dtype)}
        if b is not None:
            params["bias"] = array(b, case.dtype)
        layer = flax.linen.ConvTranspose(features=case.out_channels, **settings)
        y = jax.jit(layer.apply)({"params": params}, array(channels_last(x), case.dtype))
    return channels_first(np.asarray(y, np.float64))


def nnx(case: Case, x, w, b, device: str) -> np.ndarray:
    from flax import nnx as flax_nnx

    settings = _settings(case, NNX[case.op])
    return run_nnx(flax_nnx.ConvTranspose, case, x, kernel_last(w), b, device, settings)


def _spelled(case: Case, api: str) -> str:
    settings = _settings(case, api)
    settings.update(dtype="dtype", param_dtype="dtype")
    return ", ".join(
        f"{k}={v}" if k.endswith("dtype") else f"{k}={v!r}" for k, v in settings.items()
    )


_ARRAYS = (
    "kernel = jax.numpy.asarray(w.transpose(*range(2, w.ndim), 1, 0), dtype)  # [*k, out, in]\n"
    "xt = jax.numpy.asarray(np.moveaxis(x, 1, -1), dtype)  # channels last\n"
)


def linen_code(case: Case, env: dict[str, str]) -> str:
    return (
        CODE_HEAD.format(dtype=case.dtype) + _ARRAYS + "import flax.linen\n"
        'params = {"kernel": kernel}\n'
        "if b is not None:\n"
        '    params["bias"] = jax.numpy.asarray(b, dtype)\n'
        f"layer = flax.linen.ConvTranspose(features={case.out_channels}, "
        f"{_spelled(case, LINEN[case.op])})\n"
        'y = jax.jit(layer.apply)({"params": params}, xt)\n'
        'y = np.moveaxis(np.asarray(y, "float64"), -1, 1)  # channels first\n'
    )


def nnx_code(case: Case, env: dict[str, str]) -> str:
    return (
        CODE_HEAD.format(dtype=case.dtype) + _ARRAYS + "from flax import nnx\n"
        "bias = jax.numpy.asarray(b if b is not None else 0.0, dtype)\n"
        f"layer = nnx.ConvTranspose({case.in_channels}, {case.out_channels}, rngs=nnx.Rngs(0),\n"
        "    kernel_init=lambda *_: kernel, bias_init=lambda *_: bias,\n"
        f"    {_spelled(case, NNX[case.op])})\n"
        'y = np.moveaxis(np.asarray(layer(xt), "float64"), -1, 1)  # channels first\n'
    )
