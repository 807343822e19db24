"""What the jax and flax adapter packages share: JAX with float64 on and its caches kept small,
the devices it sees, and the layout lax's dimension numbers give the arrays; and a lax
convolution's run and script around its call (the jax package's conv and transposed). JAX is
imported inside the functions only.

CONVHARNESS_JAX_CHANNELS_LAST=1 states every convolution channels-last at any rank: input and
output 'NWC'/'NHWC'/'NDHWC', kernel 'WIO'/'HWIO'/'DHWIO' (the kernel's two channel axes after its
spatial ones, in the order the call reads them); the adapter moves the arrays there and the
output back. Pooling (lax.reduce_window) takes no dimension numbers and runs channels-first.
"""

from __future__ import annotations

import os

import numpy as np

from harness.adapter_api import Call, Case, cast, layout

CLEAR_EVERY = 64  # calls; each case compiles new programs, and JAX would keep them all
_calls = 0


def jax_module():
    """jax, with float64 on (so a float64 case runs in float64) and its caches kept small."""
    global _calls
    import jax

    jax.config.update("jax_enable_x64", True)
    _calls += 1
    if _calls % CLEAR_EVERY == 0:
        jax.clear_caches()  # a persistent compile cache, where set, still holds them
    return jax


def array(values, dtype: str):
    """A NumPy array (or None) on JAX's default device in `dtype`, cast by NumPy: the case's
    values are exact in every tested dtype, and a cast on the JAX side would compile a
    conversion for every shape before the call under test compiles."""
    return None if values is None else jax_module().device_put(cast(values, dtype))


def device_map() -> dict[str, object]:
    """ "cpu" and "gpu:N" to JAX's device objects."""
    jax = jax_module()
    gpus = [d for d in jax.devices() if d.platform == "gpu"]
    return {"cpu": jax.devices("cpu")[0], **{f"gpu:{i}": d for i, d in enumerate(gpus)}}


def devices() -> list[str]:
    return list(device_map())


CODE_HEAD = (
    'import jax\njax.config.update("jax_enable_x64", True)\ndtype = jax.numpy.dtype({dtype!r})\n'
)


CHANNELS_LAST = "CONVHARNESS_JAX_CHANNELS_LAST"


def channels_last(env=None) -> bool:
    return (os.environ if env is None else env).get(CHANNELS_LAST) == "1"


def numbers(rank: int, kernel: str = "OI", env=None) -> tuple[str, str, str]:
    """(lhs, rhs, out) dimension numbers: channels-first, or channels-last under the flag."""
    spatial = layout(rank, "")
    if channels_last(env):
        return ("N" + spatial + "C", spatial + kernel, "N" + spatial + "C")
    return (layout(rank), kernel + spatial, layout(rank))


def laid_out(array: np.ndarray | None, kernel: bool = False) -> np.ndarray | None:
    """A channels-first input (or kernel) as the dimension numbers read it."""
    if array is None or not channels_last():
        return array
    return np.moveaxis(array, (0, 1), (-2, -1)) if kernel else np.moveaxis(array, 1, -1)


def channels_first(y: np.ndarray) -> np.ndarray:
    """An output in the dimension numbers' layout back to channels-first."""
    return np.moveaxis(y, -1, 1) if channels_last() else y


def bias_axes(rank: int) -> tuple:
    """Where the bias broadcasts in the output the dimension numbers give."""
    if channels_last():
        return (None,) * (rank + 1) + (slice(None),)
    return (None, slice(None)) + (None,) * rank


def layout_code(env: dict[str, str], kernel: str = "w") -> tuple[str, str]:
    """The repro's lines moving x and the kernel to the layout, and the output back."""
    if not channels_last(env):
        return "", ""
    return (
        f"x, {kernel} = np.moveaxis(x, 1, -1), np.moveaxis({kernel}, (0, 1), (-2, -1))\n",
        "y = np.moveaxis(np.asarray(y), -1, 1)\n",
    )


def run_lax(case: Case, call: Call, x, w, b, device: str) -> np.ndarray:
    """A lax convolution's `call` on (x, w) in the dimension numbers' layout under jax.jit, the
    bias added; read back channels-first."""
    jax = jax_module()
    broadcast = bias_axes(case.rank)

    @jax.jit
    def apply(x, w, b):
        y = call(jax, x, w)
        return y if b is None else y + b[broadcast]

    with jax.default_device(device_map()[device]):
        arrays = (laid_out(x), laid_out(w, kernel=True), b)
        y = apply(*(array(a, case.dtype) for a in arrays))
    return channels_first(np.asarray(y, np.float64))


def lax_code(case: Case, env: dict[str, str], call: Call, before: str = "", kernel="w") -> str:
    """The script of run_lax; `before` prepares the kernel the call reads, named `kernel`."""
    moved, back = layout_code(env, kernel)
    arrays = ("jax.numpy.asarray(x, dtype)", f"jax.numpy.asarray({kernel}, dtype)")
    return (
        CODE_HEAD.format(dtype=case.dtype)
        + before
        + moved
        + f"y = {call.source(*arrays)}\n"
        + back
        + "if b is not None:\n"
        + f"    y = y + jax.numpy.asarray(b, dtype).reshape(-1, *[1] * {case.rank})\n"
        + 'y = np.asarray(y, "float64")\n'
    )
