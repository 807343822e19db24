"""TensorFlow's adapter: tf.nn, serving the families of the modules beside this one (conv,
transposed, pool) at rank 1, 2 and 3, channels-last (or channels-first where the variant asks:
_common.py)."""

from __future__ import annotations

from adapters.tensorflow import conv, pool, transposed
from harness.adapter_api import Served, by_family

FRAMEWORK = "tensorflow"
REQUIRES = "tensorflow"


def version() -> str:
    import tensorflow as tf

    return tf.__version__


def devices() -> list[str]:
    import tensorflow as tf

    return ["cpu"] + [f"gpu:{i}" for i in range(len(tf.config.list_logical_devices("GPU")))]


APIS = [
    by_family(
        "tf.nn",
        conv=Served(conv.APIS_BY_OP, conv.run, conv.code),
        conv_transpose=Served(transposed.APIS_BY_OP, transposed.run, transposed.code),
        pool=Served(pool.APIS_BY_OP, pool.run, pool.code),
    )
]
