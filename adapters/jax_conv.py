"""JAX: jax.lax.conv_general_dilated with NCHW/OIHW dimension numbers.

float64 needs jax_enable_x64; the adapter turns it on so a float64 case runs in
float64 (explicit float32/16 inputs keep their dtype).
"""

from __future__ import annotations

import numpy as np

from harness.adapter_api import ConvApi, lax_padding
from harness.case import Case

FRAMEWORK = "jax"
REQUIRES = "jax"


def _jax():
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


def version() -> str:
    return _jax().__version__


def _devices() -> dict[str, object]:
    jax = _jax()
    gpus = [d for d in jax.devices() if d.platform == "gpu"]
    return {"cpu": jax.devices("cpu")[0], **{f"gpu:{i}": d for i, d in enumerate(gpus)}}


def devices() -> list[str]:
    return list(_devices())


def conv_general_dilated(case: Case, x, w, b, device: str) -> np.ndarray:
    jax = _jax()
    dtype = jax.numpy.dtype(case.dtype)
    with jax.default_device(_devices()[device]):
        y = jax.lax.conv_general_dilated(
            jax.numpy.asarray(x, dtype),
            jax.numpy.asarray(w, dtype),
            window_strides=case.stride,
            padding=lax_padding(case),
            rhs_dilation=case.dilation,
            dimension_numbers=("NCHW", "OIHW", "NCHW"),
            feature_group_count=case.groups,
        )
        if b is not None:
            y = y + jax.numpy.asarray(b, dtype)[None, :, None, None]
    return np.asarray(y, np.float64)


APIS = [ConvApi("jax.lax", "jax.lax.conv_general_dilated", conv_general_dilated)]
