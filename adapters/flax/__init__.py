"""Flax's adapters: flax.linen (layers applied under jax.jit) and flax.nnx (eager), serving the
families of the modules beside this one (conv, transposed, pool) at rank 1, 2 and 3,
channels-last; JAX's set-up and devices come from adapters/jax/common.py."""

from __future__ import annotations

from adapters.jax.common import devices as devices
from harness.adapter_api import apis_in

FRAMEWORK = "flax"
REQUIRES = "flax"


def version() -> str:
    import flax

    return flax.__version__


APIS = apis_in(__name__)  # one module per family beside this one (FAMILY, SERVED)
