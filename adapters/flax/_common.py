"""What the Flax family modules share: a flax.linen layer applied under jax.jit with the case's
weights as its params, a flax.nnx layer built with them through its initializers, both
channels-last, and the scripts that do the same (JAX's set-up: adapters/jax/common.py)."""

from __future__ import annotations

import numpy as np

from adapters.jax.common import CODE_HEAD, array, device_map, jax_module
from harness.adapter_api import Call, Case, Served, channels_first, channels_last, kernel_last


def flax_module(api: str):
    """flax, with the module of `api` (an adapter's API, flax.linen or flax.nnx, or a call's
    name under one) imported: the root the calls' names start from. Only that module: a release
    without flax.nnx still runs flax.linen."""
    import flax

    if api.split(".")[:2] == ["flax", "nnx"]:  # a release without it is named (drift.py)
        import flax.nnx
    else:
        import flax.linen
    return flax


def features(case: Case, api: str) -> dict:
    """The channel counts a layer takes: flax.linen's its output's, flax.nnx's both."""
    if api.startswith("flax.linen."):
        return dict(features=case.out_channels)
    return dict(in_features=case.in_channels, out_features=case.out_channels)


def run_linen(case: Case, layer: Call, x, w, b, device: str) -> np.ndarray:
    """A flax.linen layer applied under jax.jit, its params the case's kernel and bias."""
    flax, jax = flax_module("flax.linen"), jax_module()
    with jax.default_device(device_map()[device]):
        params = {"kernel": array(kernel_last(w), case.dtype)}
        if b is not None:
            params["bias"] = array(b, case.dtype)
        y = jax.jit(layer(flax).apply)({"params": params}, array(channels_last(x), case.dtype))
    return channels_first(np.asarray(y, np.float64))


def run_nnx(case: Case, layer: Call, x, w, b, device: str) -> np.ndarray:
    """A flax.nnx layer built with the case's kernel and bias (its initializers hand them over),
    applied eagerly."""
    flax, jax = flax_module("flax.nnx"), jax_module()
    with jax.default_device(device_map()[device]):
        kernel = array(kernel_last(w), case.dtype)
        bias = array(b if b is not None else 0.0, case.dtype)
        built = layer(
            flax,
            rngs=flax.nnx.Rngs(0),
            kernel_init=lambda *_: kernel,
            bias_init=lambda *_: bias,
        )
        y = built(array(channels_last(x), case.dtype))
    return channels_first(np.asarray(y, np.float64))


def _arrays(case: Case, kernel: str) -> str:
    """The script's first lines: JAX, the kernel (its axes named by `kernel`), x channels last."""
    return CODE_HEAD.format(dtype=case.dtype) + (
        f"kernel = jax.numpy.asarray(w.transpose(*range(2, w.ndim), 1, 0), dtype)  # {kernel}\n"
        "xt = jax.numpy.asarray(np.moveaxis(x, 1, -1), dtype)  # channels last\n"
    )


def linen_code(case: Case, layer: Call, kernel: str) -> str:
    """The script of run_linen."""
    return _arrays(case, kernel) + (
        "import flax.linen\n"
        'params = {"kernel": kernel}\n'
        "if b is not None:\n"
        '    params["bias"] = jax.numpy.asarray(b, dtype)\n'
        f"layer = {layer.source()}\n"
        'y = jax.jit(layer.apply)({"params": params}, xt)\n'
        'y = np.moveaxis(np.asarray(y, "float64"), -1, 1)  # channels first\n'
    )


def nnx_code(case: Case, layer: Call, kernel: str) -> str:
    """The script of run_nnx."""
    given = dict(
        rngs="flax.nnx.Rngs(0)", kernel_init="lambda *_: kernel", bias_init="lambda *_: bias"
    )
    return _arrays(case, kernel) + (
        "import flax.nnx\n"
        "bias = jax.numpy.asarray(b if b is not None else 0.0, dtype)\n"
        f"layer = {layer.source(**given)}\n"
        'y = np.moveaxis(np.asarray(layer(xt), "float64"), -1, 1)  # channels first\n'
    )


def layers_served(linen: dict, nnx: dict, layer, kernel: str) -> dict[str, Served]:
    """The flax.linen and flax.nnx adapters of a family of layers: `linen` and `nnx` map each
    operator to the layer's name, and `layer(case, api)` builds it (`kernel` names the axes of
    its kernel, for the script)."""

    def served(apis: dict, run_layer, layer_code) -> Served:
        def run(case: Case, x, w, b, device: str) -> np.ndarray:
            return run_layer(case, layer(case, apis[case.op]), x, w, b, device)

        def code(case: Case, env: dict[str, str]) -> str:
            return layer_code(case, layer(case, apis[case.op]), kernel)

        return Served(apis, run, code)

    return {
        "flax.linen": served(linen, run_linen, linen_code),
        "flax.nnx": served(nnx, run_nnx, nnx_code),
    }
