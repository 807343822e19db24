"""JAX's convolution: jax.lax.conv_general_dilated at rank 1, 2 and 3, channels-first
dimension numbers (NCW/OIW, NCHW/OIHW, NCDHW/OIDHW), or channels-last ones (NHWC/HWIO at every
rank) where the variant asks (common.py), under jax.jit. The call is built once (`call`), for
the run and the script alike.

float64 needs jax_enable_x64; the adapter turns it on so a float64 case runs in float64
(explicit float32/16 inputs keep their dtype).
"""

from __future__ import annotations

import numpy as np

from adapters.jax.common import lax_code, numbers, run_lax
from harness.adapter_api import Call, Case, Served, lax_padding

API = "jax.lax.conv_general_dilated"
APIS_BY_OP = {op: API for op in ("conv1d", "conv2d", "conv3d")}


def call(case: Case, env=None) -> Call:
    """The call on (x, w); `env` the variant's (None: this process's)."""
    arguments = dict(
        window_strides=case.stride,
        padding=lax_padding(case),
        rhs_dilation=case.dilation,
        dimension_numbers=numbers(case.rank, env=env),
        feature_group_count=case.groups,
    )
    return Call(API, arguments)


def run(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_lax(case, call(case), x, w, b, device)


def code(case: Case, env: dict[str, str]) -> str:
    return lax_code(case, env, call(case, env))


FAMILY = "conv"  # the operator family this module serves
SERVED = {"jax.lax": Served(APIS_BY_OP, run, code)}
