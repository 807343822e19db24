"""Flax's adapters: flax.linen (layers applied under jax.jit) and flax.nnx (eager), serving the
families of the modules beside this one (conv, transposed, pool) at rank 1, 2 and 3,
channels-last; JAX's set-up and devices come from adapters/jax/common.py."""

from __future__ import annotations

from adapters.flax import conv, pool, transposed
from adapters.jax.common import devices as devices
from harness.adapter_api import Served, by_family

FRAMEWORK = "flax"
REQUIRES = "flax"


def version() -> str:
    import flax

    return flax.__version__


APIS = [
    by_family(
        "flax.linen",
        conv=Served(conv.LINEN, conv.linen, conv.linen_script),
        conv_transpose=Served(transposed.LINEN, transposed.linen, transposed.linen_script),
        pool=Served(pool.LINEN, pool.linen, pool.linen_script),
    ),
    by_family(
        "flax.nnx",
        conv=Served(conv.NNX, conv.nnx, conv.nnx_script),
        conv_transpose=Served(transposed.NNX, transposed.nnx, transposed.nnx_script),
        pool=Served(pool.NNX, pool.nnx, pool.nnx_script),
    ),
]
