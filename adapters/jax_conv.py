"""JAX: jax.lax.conv_general_dilated with NCHW/OIHW dimension numbers, under jax.jit.

float64 needs jax_enable_x64; the adapter turns it on so a float64 case runs in
float64 (explicit float32/16 inputs keep their dtype).
"""

from __future__ import annotations

import numpy as np

from harness.adapter_api import ConvApi, lax_padding
from harness.case import Case

FRAMEWORK = "jax"
REQUIRES = "jax"


CLEAR_EVERY = 64  # calls; each case compiles new programs, and JAX would keep them all
_calls = 0


def _jax():
    """jax, with float64 on (so a float64 case runs in float64) and its caches kept small."""
    global _calls
    import jax

    jax.config.update("jax_enable_x64", True)
    _calls += 1
    if _calls % CLEAR_EVERY == 0:
        jax.clear_caches()  # a persistent compile cache, where set, still holds them
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

    @jax.jit
    def conv(x, w, b):
        y = jax.lax.conv_general_dilated(
            x,
            w,
            window_strides=case.stride,
            padding=lax_padding(case),
            rhs_dilation=case.dilation,
            dimension_numbers=("NCHW", "OIHW", "NCHW"),
            feature_group_count=case.groups,
        )
        return y if b is None else y + b[None, :, None, None]

    with jax.default_device(_devices()[device]):
        as_array = lambda a: None if a is None else jax.numpy.asarray(a, dtype)  # noqa: E731
        y = conv(as_array(x), as_array(w), as_array(b))
    return np.asarray(y, np.float64)


def conv_general_dilated_code(case: Case, env: dict[str, str]) -> str:
    return (
        "import jax\n"
        'jax.config.update("jax_enable_x64", True)\n'
        f"dtype = jax.numpy.dtype({case.dtype!r})\n"
        "y = jax.lax.conv_general_dilated(\n"
        "    jax.numpy.asarray(x, dtype), jax.numpy.asarray(w, dtype),\n"
        f"    window_strides={case.stride}, padding={lax_padding(case)!r},\n"
        f"    rhs_dilation={case.dilation}, feature_group_count={case.groups},\n"
        '    dimension_numbers=("NCHW", "OIHW", "NCHW"))\n'
        "if b is not None:\n"
        "    y = y + jax.numpy.asarray(b, dtype)[None, :, None, None]\n"
        'y = np.asarray(y, "float64")\n'
    )


APIS = [
    ConvApi(
        "jax.lax", "jax.lax.conv_general_dilated", conv_general_dilated, conv_general_dilated_code
    )
]
