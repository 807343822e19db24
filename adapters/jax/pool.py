"""JAX pooling: jax.lax.reduce_window, channels first. A max reduces with lax.max from -inf; an
average sums from 0 and divides by the window's size (count_include_pad) or by the number of
input elements it covers (the same reduce_window summing ones). No ceil_mode. The call is built
once (`call`), for the run and the script alike.
"""

from __future__ import annotations

import math

import numpy as np

from adapters.jax.common import CODE_HEAD, array, device_map, jax_module
from harness.adapter_api import Call, Case, NotExpressible, Ref, Served, lax_padding

API = "jax.lax.reduce_window"
OPS = tuple(f"{kind}_pool{r}d" for kind in ("max", "avg") for r in (1, 2, 3))
APIS_BY_OP = dict.fromkeys(OPS, API)


def call(case: Case) -> Call:
    """reduce_window over [N, C, *spatial]: from -inf by lax.max, or from 0 by lax.add."""
    if case.ceil_mode:
        raise NotExpressible(f"{API} has no ceil_mode")
    padding = lax_padding(case)
    window = dict(
        window_dimensions=(1, 1, *case.kernel),
        window_strides=(1, 1, *case.stride),
        padding=padding if isinstance(padding, str) else [(0, 0), (0, 0), *padding],
        window_dilation=(1, 1, *case.dilation),
    )
    if case.op.startswith("max_"):
        return Call(API, window, (-float("inf"), Ref("jax.lax.max")))
    return Call(API, window, (0.0, Ref("jax.lax.add")))


def _divisor(case: Case) -> int | str | None:
    """What an average divides by: the window's size (count_include_pad), or "count", the
    number of input elements each window covers (the same reduce_window on ones); a max, None."""
    if case.op.startswith("max_"):
        return None
    return math.prod(case.kernel) if case.count_include_pad else "count"


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    reduce, divisor = call(case), _divisor(case)
    jax = jax_module()

    def pool(x):
        total = reduce(jax, x)
        if divisor == "count":
            return total / reduce(jax, jax.numpy.ones_like(x))
        return total if divisor is None else total / divisor

    with jax.default_device(device_map()[device]):
        y = jax.jit(pool)(array(x, case.dtype))
    return np.asarray(y, np.float64)


def code(case: Case, env: dict[str, str]) -> str:
    reduce, divisor = call(case), _divisor(case)
    lines = [f"y = {reduce.source('xt')}"]
    if divisor == "count":
        lines.append(f"y = y / {reduce.source('jax.numpy.ones_like(xt)')}")
    elif divisor is not None:
        lines.append(f"y = y / {divisor}")
    body = "".join(f"    {line}\n" for line in "\n".join([*lines, "return y"]).splitlines())
    return CODE_HEAD.format(dtype=case.dtype) + (
        f"\n\ndef pool(xt):  # under jax.jit, as the harness runs it\n{body}\n\n"
        'y = np.asarray(jax.jit(pool)(jax.numpy.asarray(x, dtype)), "float64")\n'
    )


FAMILY = "pool"  # the operator family this module serves
SERVED = {"jax.lax": Served(APIS_BY_OP, run, code)}
