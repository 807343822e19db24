"""Keras 3's adapters: keras (the layers) and keras.padded (ZeroPadding, then the layer with
'valid'), serving the families of the modules beside this one (conv, transposed, pool) at rank
1, 2 and 3, channels_last, on whichever backend KERAS_BACKEND selects."""

from __future__ import annotations

from harness.adapter_api import apis_in

FRAMEWORK = "keras"
REQUIRES = "keras"


def version() -> str:
    import keras

    return keras.__version__


def devices() -> list[str]:
    import keras

    backend = keras.backend.backend()
    gpus = 0
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = len(tf.config.list_logical_devices("GPU"))
    elif backend == "jax":
        import jax

        gpus = len([d for d in jax.devices() if d.platform == "gpu"])
    elif backend == "torch":
        import torch

        gpus = torch.cuda.device_count()
    return ["cpu"] + [f"gpu:{i}" for i in range(gpus)]


APIS = apis_in(__name__)  # one module per family beside this one (FAMILY, SERVED)
