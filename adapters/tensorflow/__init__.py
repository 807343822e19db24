"""TensorFlow's adapter: tf.nn, serving the families of the modules beside this one (conv,
transposed, pool) at rank 1, 2 and 3, channels-last (or channels-first where the variant asks:
_common.py)."""

from __future__ import annotations

from harness.adapter_api import apis_in

FRAMEWORK = "tensorflow"
REQUIRES = "tensorflow"


def version() -> str:
    import tensorflow as tf

    return tf.__version__


def devices() -> list[str]:
    import tensorflow as tf

    return ["cpu"] + [f"gpu:{i}" for i in range(len(tf.config.list_logical_devices("GPU")))]


APIS = apis_in(__name__)  # one module per family beside this one (FAMILY, SERVED)
