"""Flax pooling: flax.linen.max_pool/avg_pool and the flax.nnx names of the same functions,
channels last, with avg_pool's count_include_pad. No ceil_mode, no dilation.
Imported by adapters/flax_conv.py, whose adapters serve these operators too.
"""

from __future__ import annotations

from harness.adapter_api import NotExpressible, lax_padding
from harness.case import Case

OPS = tuple(f"{kind}_pool{r}d" for kind in ("max", "avg") for r in (1, 2, 3))


def call_name_of(op: str) -> str:
    return "max_pool" if op.startswith("max_") else "avg_pool"


def call_name(case: Case) -> str:
    return call_name_of(case.op)


def arguments(case: Case, api: str) -> dict:
    """The call's arguments; NotExpressible for what it lacks."""
    if case.ceil_mode:
        raise NotExpressible(f"{api} has no ceil_mode")
    if max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    padding = lax_padding(case)
    settings: dict = dict(
        window_shape=case.kernel,
        strides=case.stride,
        padding=padding if isinstance(padding, str) else tuple(padding),
    )
    if case.op.startswith("avg_"):
        settings["count_include_pad"] = case.count_include_pad
    return settings


def pool(namespace, case: Case, xt, api: str):
    """The call (flax.linen or flax.nnx's function) on a channels-last array."""
    return getattr(namespace, call_name(case))(xt, **arguments(case, api))


def pool_code(case: Case, module: str) -> str:
    call = ", ".join(f"{k}={v!r}" for k, v in arguments(case, module).items())
    return (
        f"import {module}\n"
        "xt = jax.numpy.asarray(np.moveaxis(x, 1, -1), dtype)  # channels last\n"
        f"y = {module}.{call_name(case)}(xt, {call})\n"
        'y = np.moveaxis(np.asarray(y, "float64"), -1, 1)  # channels first\n'
    )
