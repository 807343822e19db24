"""Flax's transposed convolution: flax.linen.ConvTranspose (under jax.jit) and
flax.nnx.ConvTranspose (eager).

Both pass their padding to jax.lax.conv_transpose (adapters/jax/transposed.py says how it reads
it). They run with transpose_kernel=True, whose kernel is [*kernel, out, in]: the case's
[in, out, *kernel] with its axes reversed in pairs, and the forward convolution's kernel. Each
layer is built once (`linen_layer`, `nnx_layer`), for the run and the script alike.
"""

from __future__ import annotations

import numpy as np

from adapters.flax._common import linen_code, nnx_code, run_linen, run_nnx
from adapters.jax.transposed import lax_padding
from harness.adapter_api import Call, Case

RANKS = (1, 2, 3)
LINEN = {f"conv_transpose{r}d": "flax.linen.ConvTranspose" for r in RANKS}
NNX = {f"conv_transpose{r}d": "flax.nnx.ConvTranspose" for r in RANKS}
KERNEL = "[*k, out, in]"


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


def linen_layer(case: Case) -> Call:
    api = LINEN[case.op]
    return Call(api, dict(features=case.out_channels) | _settings(case, api))


def nnx_layer(case: Case) -> Call:
    api = NNX[case.op]
    features = dict(in_features=case.in_channels, out_features=case.out_channels)
    return Call(api, features | _settings(case, api))


def linen(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_linen(case, linen_layer(case), x, w, b, device)


def nnx(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_nnx(case, nnx_layer(case), x, w, b, device)


def linen_script(case: Case, env: dict[str, str]) -> str:
    return linen_code(case, linen_layer(case), KERNEL)


def nnx_script(case: Case, env: dict[str, str]) -> str:
    return nnx_code(case, nnx_layer(case), KERNEL)
