"""tinygrad: `Tensor.conv2d`, `Tensor.conv_transpose2d`, `Tensor.max_pool2d` and
`Tensor.avg_pool2d`, which take any number of spatial axes (rank 1, 2 and 3), and the layers
`tinygrad.nn.Conv1d`/`Conv2d`/`ConvTranspose1d`/`ConvTranspose2d` (calls.py builds each call).

Two adapters: `tinygrad.tensor` (the Tensor methods: explicit pads, any sign, per side) and
`tinygrad.nn` (the layers, whose `padding='same'` the methods do not have).

The one variant sets tinygrad's device, `DEV=CPU`, whose kernels clang compiles, and the
compiler, `CC`: some bfloat16 kernels need a clang that takes `__bf16` arithmetic on x86
(measured: Debian 12's clang 14 refuses them, clang 19 compiles them), so unless `CC` is set
the variant names the newest `clang-NN` on PATH (compiler()); the worker and the reproduction
scripts get both. The pure-Python device (`DEV=PYTHON`) gave the same verdicts but answers
under one case a second, too slow for a survey, so it is no variant. Only this package's
functions import tinygrad.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources

import numpy as np

from harness.adapter_api import ConvApi, measured_refusals
from harness.case import Case

from . import calls

FRAMEWORK = "tinygrad"
REQUIRES = "tinygrad"


def version() -> str:
    from importlib.metadata import version as installed

    return installed("tinygrad")


def devices() -> list[str]:
    return ["cpu"]  # the variant's DEV=CPU decides where tinygrad runs


def compiler() -> str:
    """The C compiler for tinygrad's CPU device: $CC, else the newest clang-NN on PATH (17 to
    30), else plain clang."""
    found = (f"clang-{n}" for n in range(30, 16, -1) if shutil.which(f"clang-{n}"))
    return os.environ.get("CC") or next(found, "clang")


VARIANTS = [{"name": "tinygrad", "env": {"DEV": "CPU", "CC": compiler()}}]


def _tensor(values: np.ndarray, dtype: str):
    from tinygrad import Tensor, dtypes

    return Tensor(np.ascontiguousarray(values, np.float64), dtype=getattr(dtypes, dtype))


def _output(y) -> np.ndarray:
    from tinygrad import dtypes

    return np.asarray(y.cast(dtypes.float64).numpy(), np.float64)


def run_tensor(case: Case, x, w, b, device: str) -> np.ndarray:
    from tinygrad import Tensor

    method, kwargs = calls.tensor_call(case)
    args = (
        [] if w is None else [_tensor(w, case.dtype), None if b is None else _tensor(b, case.dtype)]
    )
    return _output(getattr(Tensor, method)(_tensor(x, case.dtype), *args, **kwargs))


def code_tensor(case: Case, env: dict[str, str]) -> str:
    method, kwargs = calls.tensor_call(case)
    weights = "" if case.family == "pool" else ", t(w), t(b) if b is not None else None"
    return (
        calls.PRELUDE.format(dtype=case.dtype)
        + f"y = Tensor.{method}(t(x){weights}, **{kwargs!r})\n"
        + "y = np.asarray(y.cast(dtypes.float64).numpy(), 'float64')\n"
    )


def run_layer(case: Case, x, w, b, device: str) -> np.ndarray:
    from tinygrad import nn

    name, kwargs = calls.layer_call(case)
    layer = getattr(nn, name)(**kwargs)
    layer.weight = _tensor(w, case.dtype)
    layer.bias = None if b is None else _tensor(b, case.dtype)
    return _output(layer(_tensor(x, case.dtype)))


def code_layer(case: Case, env: dict[str, str]) -> str:
    name, kwargs = calls.layer_call(case)
    return (
        calls.PRELUDE.format(dtype=case.dtype)
        + f"layer = nn.{name}(**{kwargs!r})\n"
        + "layer.weight = t(w)\n"
        + "layer.bias = t(b) if b is not None else None\n"
        + "y = np.asarray(layer(t(x)).cast(dtypes.float64).numpy(), 'float64')\n"
    )


APIS = [
    ConvApi("tinygrad.tensor", calls.TENSOR_APIS, run_tensor, code_tensor),
    ConvApi("tinygrad.nn", calls.LAYER_APIS, run_layer, code_layer),
]

# Data, read by the harness (see harness/catalog/plugins.py): conventions with citations and
# the measured departures.
CONVENTIONS = resources.files(__name__).joinpath("conventions.toml").read_text()
REGISTRY = resources.files(__name__).joinpath("registry.toml").read_text()

# One case per documented refusal, measured (tests/test_verdicts.py runs each): refusal id ->
# (adapter, the case as `convharness explain --cases` reads it); and refusals checked at
# another rank, (refusal id, adapter, op).
REFUSAL_CASES, REFUSAL_RANKS = measured_refusals(__name__)
