"""JAX's adapters: jax.lax (conv_general_dilated, conv_transpose and reduce_window), and two
other spellings of the transposed convolution, jax.lax.unflipped and jax.lax.dilated
(transposed.py), each serving the families of the modules beside this one (conv, transposed,
pool) that it has, at rank 1, 2 and 3, under jax.jit. common.py holds what the flax package
shares."""

from __future__ import annotations

from adapters.jax.common import devices as devices
from adapters.jax.common import jax_module
from harness.adapter_api import apis_in

FRAMEWORK = "jax"
REQUIRES = "jax"


def version() -> str:
    return jax_module().__version__


APIS = apis_in(__name__)  # one module per family beside this one (FAMILY, SERVED)
