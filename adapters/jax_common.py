"""What the JAX and Flax adapters share: JAX with float64 on and its caches kept small, and
the devices it sees. Imported by those adapters' functions only (JAX is imported inside)."""

from __future__ import annotations

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
