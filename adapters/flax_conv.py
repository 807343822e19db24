"""Flax: flax.linen.Conv (applied under jax.jit) and flax.nnx.Conv (eager), NHWC and HWIO."""

from __future__ import annotations

import numpy as np

from harness.adapter_api import ConvApi, hwio, lax_padding, nchw, nhwc
from harness.case import Case

FRAMEWORK = "flax"
REQUIRES = "flax"


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
    import flax

    return flax.__version__


def _devices() -> dict[str, object]:
    jax = _jax()
    gpus = [d for d in jax.devices() if d.platform == "gpu"]
    return {"cpu": jax.devices("cpu")[0], **{f"gpu:{i}": d for i, d in enumerate(gpus)}}


def devices() -> list[str]:
    return list(_devices())


def _settings(case: Case) -> dict:
    return dict(
        kernel_size=case.kernel,
        strides=case.stride,
        padding=lax_padding(case),
        kernel_dilation=case.dilation,
        feature_group_count=case.groups,
        use_bias=case.bias,
        dtype=case.dtype,
        param_dtype=case.dtype,
    )


def linen(case: Case, x, w, b, device: str) -> np.ndarray:
    import flax.linen

    jax = _jax()
    dtype = jax.numpy.dtype(case.dtype)
    with jax.default_device(_devices()[device]):
        params = {"kernel": jax.numpy.asarray(hwio(w), dtype)}
        if b is not None:
            params["bias"] = jax.numpy.asarray(b, dtype)
        conv = flax.linen.Conv(features=case.out_channels, **_settings(case))
        y = jax.jit(conv.apply)({"params": params}, jax.numpy.asarray(nhwc(x), dtype))
    return nchw(np.asarray(y, np.float64))


def nnx(case: Case, x, w, b, device: str) -> np.ndarray:
    from flax import nnx as flax_nnx

    jax = _jax()
    dtype = jax.numpy.dtype(case.dtype)
    with jax.default_device(_devices()[device]):
        kernel = jax.numpy.asarray(hwio(w), dtype)
        bias = jax.numpy.asarray(b if b is not None else 0.0, dtype)
        conv = flax_nnx.Conv(  # the initializers hand over the case's weights
            case.in_channels,
            case.out_channels,
            rngs=flax_nnx.Rngs(0),
            kernel_init=lambda *_: kernel,
            bias_init=lambda *_: bias,
            **_settings(case),
        )
        y = conv(jax.numpy.asarray(nhwc(x), dtype))
    return nchw(np.asarray(y, np.float64))


def _code_settings(case: Case) -> str:
    return (
        f"kernel_size={case.kernel}, strides={case.stride}, padding={lax_padding(case)!r},\n"
        f"    kernel_dilation={case.dilation}, feature_group_count={case.groups}, "
        f"use_bias={case.bias}, dtype=dtype, param_dtype=dtype"
    )


_CODE_HEAD = (
    "import jax\n"
    'jax.config.update("jax_enable_x64", True)\n'
    "dtype = jax.numpy.dtype({dtype!r})\n"
    "kernel = jax.numpy.asarray(w.transpose(2, 3, 1, 0), dtype)  # OIHW -> HWIO\n"
    "xt = jax.numpy.asarray(x.transpose(0, 2, 3, 1), dtype)  # NCHW -> NHWC\n"
)


def linen_code(case: Case, env: dict[str, str]) -> str:
    return _CODE_HEAD.format(dtype=case.dtype) + (
        "import flax.linen\n"
        'params = {"kernel": kernel}\n'
        "if b is not None:\n"
        '    params["bias"] = jax.numpy.asarray(b, dtype)\n'
        f"conv = flax.linen.Conv(features={case.out_channels}, {_code_settings(case)})\n"
        'y = jax.jit(conv.apply)({"params": params}, xt)\n'
        'y = np.asarray(y, "float64").transpose(0, 3, 1, 2)  # NHWC -> NCHW\n'
    )


def nnx_code(case: Case, env: dict[str, str]) -> str:
    return _CODE_HEAD.format(dtype=case.dtype) + (
        "from flax import nnx\n"
        "bias = jax.numpy.asarray(b if b is not None else 0.0, dtype)\n"
        f"conv = nnx.Conv({case.in_channels}, {case.out_channels}, rngs=nnx.Rngs(0),\n"
        "    kernel_init=lambda *_: kernel, bias_init=lambda *_: bias,\n"
        f"    {_code_settings(case)})\n"
        'y = np.asarray(conv(xt), "float64").transpose(0, 3, 1, 2)  # NHWC -> NCHW\n'
    )


APIS = [
    ConvApi("flax.linen", "flax.linen.Conv", linen, linen_code),
    ConvApi("flax.nnx", "flax.nnx.Conv", nnx, nnx_code),
]
