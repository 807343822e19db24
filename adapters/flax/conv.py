"""Flax's convolution: flax.linen.Conv (applied under jax.jit) and flax.nnx.Conv (eager) at
rank 1, 2 and 3, channels-last input and [*kernel, in, out] kernels. Each layer is built once
(`linen_layer`, `nnx_layer`), for the run and the script alike."""

from __future__ import annotations

import numpy as np

from adapters.flax._common import linen_code, nnx_code, run_linen, run_nnx
from harness.adapter_api import Call, Case, lax_padding

OPS = ("conv1d", "conv2d", "conv3d")
LINEN = dict.fromkeys(OPS, "flax.linen.Conv")
NNX = dict.fromkeys(OPS, "flax.nnx.Conv")
KERNEL = "[*k, in, out]"


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


def linen_layer(case: Case) -> Call:
    return Call(LINEN[case.op], dict(features=case.out_channels) | _settings(case))


def nnx_layer(case: Case) -> Call:
    features = dict(in_features=case.in_channels, out_features=case.out_channels)
    return Call(NNX[case.op], features | _settings(case))


def linen(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_linen(case, linen_layer(case), x, w, b, device)


def nnx(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_nnx(case, nnx_layer(case), x, w, b, device)


def linen_script(case: Case, env: dict[str, str]) -> str:
    return linen_code(case, linen_layer(case), KERNEL)


def nnx_script(case: Case, env: dict[str, str]) -> str:
    return nnx_code(case, nnx_layer(case), KERNEL)
