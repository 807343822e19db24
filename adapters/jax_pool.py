"""JAX pooling: jax.lax.reduce_window, channels first. A max reduces with lax.max from -inf; an
average sums from 0 and divides by the window's size (count_include_pad) or by the number of
input elements it covers (the same reduce_window summing ones). No ceil_mode.
Imported by adapters/jax_conv.py, whose jax.lax adapter serves these operators too.
"""

from __future__ import annotations

import math

from harness.adapter_api import NotExpressible, lax_padding
from harness.case import Case

API = "jax.lax.reduce_window"
OPS = tuple(f"{kind}_pool{r}d" for kind in ("max", "avg") for r in (1, 2, 3))


def window(case: Case) -> dict:
    """reduce_window's window arguments over [N, C, *spatial]."""
    if case.ceil_mode:
        raise NotExpressible(f"{API} has no ceil_mode")
    padding = lax_padding(case)
    return dict(
        window_dimensions=(1, 1, *case.kernel),
        window_strides=(1, 1, *case.stride),
        padding=padding if isinstance(padding, str) else [(0, 0), (0, 0), *padding],
        window_dilation=(1, 1, *case.dilation),
    )


def pool(jax, case: Case, x):
    """The pooling of a channels-first array (call under jax.jit)."""
    lax, arguments = jax.lax, window(case)
    if case.op.startswith("max_"):
        return lax.reduce_window(x, -jax.numpy.inf, lax.max, **arguments)
    total = lax.reduce_window(x, 0.0, lax.add, **arguments)
    if case.count_include_pad:
        return total / math.prod(case.kernel)
    return total / lax.reduce_window(jax.numpy.ones_like(x), 0.0, lax.add, **arguments)


def pool_code(case: Case) -> str:
    arguments = ", ".join(f"{k}={v!r}" for k, v in window(case).items())
    head = "xt = jax.numpy.asarray(x, dtype)\n"
    if case.op.startswith("max_"):
        return head + f"y = jax.lax.reduce_window(xt, -jax.numpy.inf, jax.lax.max, {arguments})\n"
    divisor = (
        str(math.prod(case.kernel))
        if case.count_include_pad
        else f"jax.lax.reduce_window(jax.numpy.ones_like(xt), 0.0, jax.lax.add, {arguments})"
    )
    return head + (
        f"y = jax.lax.reduce_window(xt, 0.0, jax.lax.add, {arguments})\ny = y / {divisor}\n"
    )
