"""Flax's convolution: flax.linen.Conv (applied under jax.jit) and flax.nnx.Conv (eager) at
rank 1, 2 and 3, channels-last input and [*kernel, in, out] kernels. The layer is built once
(`layer`), for the run and the script alike."""

from __future__ import annotations

from adapters.flax._common import features, layers_served
from harness.adapter_api import Call, Case, lax_padding

OPS = ("conv1d", "conv2d", "conv3d")
LINEN = dict.fromkeys(OPS, "flax.linen.Conv")
NNX = dict.fromkeys(OPS, "flax.nnx.Conv")


def layer(case: Case, api: str) -> Call:
    """`api` (LINEN's or NNX's), with the features each takes."""
    settings = dict(
        kernel_size=case.kernel,
        strides=case.stride,
        padding=lax_padding(case),
        kernel_dilation=case.dilation,
        feature_group_count=case.groups,
        use_bias=case.bias,
        dtype=case.dtype,
        param_dtype=case.dtype,
    )
    return Call(api, features(case, api) | settings)


FAMILY = "conv"  # the operator family this module serves
SERVED = layers_served(LINEN, NNX, layer, "[*k, in, out]")
