"""JAX's adapters: jax.lax (conv_general_dilated, conv_transpose and reduce_window), and two
other spellings of the transposed convolution, jax.lax.unflipped and jax.lax.dilated
(transposed.py), each serving the families of the modules beside this one (conv, transposed,
pool) that it has, at rank 1, 2 and 3, under jax.jit. common.py holds what the flax package
shares."""

from __future__ import annotations

from adapters.jax import conv, pool, transposed
from adapters.jax.common import devices as devices
from adapters.jax.common import jax_module
from harness.adapter_api import Served, by_family

FRAMEWORK = "jax"
REQUIRES = "jax"


def version() -> str:
    return jax_module().__version__


APIS = [
    by_family(
        "jax.lax",
        conv=Served(conv.APIS_BY_OP, conv.run, conv.code),
        conv_transpose=Served(
            transposed.CONV_TRANSPOSE, transposed.conv_transpose, transposed.conv_transpose_code
        ),
        pool=Served(pool.APIS_BY_OP, pool.run, pool.code),
    ),
    by_family(
        "jax.lax.unflipped",
        conv_transpose=Served(
            transposed.UNFLIPPED, transposed.unflipped, transposed.unflipped_code
        ),
    ),
    by_family(
        "jax.lax.dilated",
        conv_transpose=Served(transposed.DILATED, transposed.dilated, transposed.dilated_code),
    ),
]
