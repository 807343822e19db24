"""Flax's transposed convolution: flax.linen.ConvTranspose (under jax.jit) and
flax.nnx.ConvTranspose (eager).

Both pass their padding to jax.lax.conv_transpose (adapters/jax/transposed.py says how it reads
it). They run with transpose_kernel=True, whose kernel is [*kernel, out, in]: the case's
[in, out, *kernel] with its axes reversed in pairs, and the forward convolution's kernel. The
layer is built once (`layer`), for the run and the script alike.
"""

from __future__ import annotations

from adapters.flax._common import features, layers_served
from adapters.jax.transposed import lax_padding
from harness.adapter_api import Call, Case

RANKS = (1, 2, 3)
LINEN = {f"conv_transpose{r}d": "flax.linen.ConvTranspose" for r in RANKS}
NNX = {f"conv_transpose{r}d": "flax.nnx.ConvTranspose" for r in RANKS}


def layer(case: Case, api: str) -> Call:
    """`api` (LINEN's or NNX's), with the features each takes."""
    settings = dict(
        kernel_size=case.kernel,
        strides=case.stride,
        padding=lax_padding(case, api),
        kernel_dilation=case.dilation,
        use_bias=case.bias,
        transpose_kernel=True,
        dtype=case.dtype,
        param_dtype=case.dtype,
    )
    return Call(api, features(case, api) | settings)


FAMILY = "conv_transpose"  # the operator family this module serves
SERVED = layers_served(LINEN, NNX, layer, "[*k, out, in]")
