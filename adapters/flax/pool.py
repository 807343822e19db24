"""Flax pooling: flax.linen.max_pool/avg_pool and the flax.nnx names of the same functions,
channels last, under jax.jit, with avg_pool's count_include_pad. No ceil_mode, no dilation.
The call is built once (`call`), for the run and the script alike.
"""

from __future__ import annotations

import numpy as np

from adapters.flax._common import flax_module
from adapters.jax.common import CODE_HEAD, array, device_map, jax_module
from harness.adapter_api import (
    Call,
    Case,
    NotExpressible,
    Served,
    channels_first,
    channels_last,
    lax_padding,
)

OPS = tuple(f"{kind}_pool{r}d" for kind in ("max", "avg") for r in (1, 2, 3))
LINEN = {op: f"flax.linen.{op.split('_')[0]}_pool" for op in OPS}
NNX = {op: f"flax.nnx.{op.split('_')[0]}_pool" for op in OPS}


def call(case: Case, api: str) -> Call:
    """The call `api` (LINEN's or NNX's); NotExpressible for what it lacks."""
    if case.ceil_mode:
        raise NotExpressible(f"{api} has no ceil_mode")
    if max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    padding = lax_padding(case)
    arguments: dict = dict(
        window_shape=case.kernel,
        strides=case.stride,
        padding=padding if isinstance(padding, str) else tuple(padding),
    )
    if case.op.startswith("avg_"):
        arguments["count_include_pad"] = case.count_include_pad
    return Call(api, arguments)


def run(case: Case, x, w, b, device: str, api: str) -> np.ndarray:
    pool = call(case, api)
    flax, jax = flax_module(api), jax_module()
    with jax.default_device(device_map()[device]):
        xt = array(channels_last(x), case.dtype)
        y = jax.jit(lambda xt: pool(flax, xt))(xt)
    return channels_first(np.asarray(y, np.float64))


def code(case: Case, api: str) -> str:
    pool = call(case, api)
    return CODE_HEAD.format(dtype=case.dtype) + (
        f"import {pool.name.rsplit('.', 1)[0]}\n"
        "xt = jax.numpy.asarray(np.moveaxis(x, 1, -1), dtype)  # channels last\n"
        f"y = {pool.source('xt')}\n"
        'y = np.moveaxis(np.asarray(y, "float64"), -1, 1)  # channels first\n'
    )


def _served(apis: dict) -> Served:
    return Served(
        apis,
        lambda case, x, w, b, device: run(case, x, w, b, device, apis[case.op]),
        lambda case, env: code(case, apis[case.op]),
    )


FAMILY = "pool"  # the operator family this module serves
SERVED = {"flax.linen": _served(LINEN), "flax.nnx": _served(NNX)}
