"""MindSpore (CPU, PyNative mode): convolution, transposed convolution and pooling at rank 1, 2
and 3, through its functional API (`mindspore.ops`) and its layers (`mindspore.nn`).

Both adapters state a case through calls.py (one argument builder for the run and for the
reproduction script). Padding words map to MindSpore's `pad_mode` ('valid', 'same'); explicit
pads to pad_mode='pad' with `padding` in MindSpore's order ((low, high) per axis where the API
takes pairs, one pad per axis where it takes that). Only this module's functions import
mindspore; the framework is set up once per process and its tensors are built in the case's
dtype (bfloat16 by a cast inside MindSpore, which takes no ml_dtypes array).
"""

from __future__ import annotations

import contextlib
import io
from functools import cache
from importlib import resources

import numpy as np

from harness.adapter_api import ConvApi, measured_refusals
from harness.case import Case

from . import calls

FRAMEWORK = "mindspore"
REQUIRES = "mindspore"


@cache
def _mindspore():
    """mindspore, in PyNative mode on the CPU; imported and set up once per process.

    MindSpore 2.10's libmindspore_common is built against the NumPy 1.x C API: under NumPy 2 the
    first call that reaches it (a Squeeze with an int axis, as ops.conv1d makes) fails once with
    "A module that was compiled using NumPy 1.x cannot be run in NumPy 2", and every later call
    in the process works (registry: mindspore-numpy2-first-call-fails). Set-up makes that call
    here, so no case pays for it; any other failure is raised.
    """
    import mindspore

    mindspore.set_context(mode=mindspore.PYNATIVE_MODE)
    mindspore.set_device("CPU")
    _first_call(mindspore)
    return mindspore


def _first_call(ms) -> None:
    from mindspore.ops import operations

    probe = ms.Tensor(np.ones((1, 1, 1, 1), np.float32))
    with contextlib.redirect_stderr(io.StringIO()):  # NumPy prints its warning to stderr
        try:
            operations.Squeeze(2)(probe)
        except SystemError as error:
            if "numpy" not in str(error.__cause__ or error.__context__).lower():
                raise


def version() -> str:
    return _mindspore().__version__


def devices() -> list[str]:
    return ["cpu"]


def _tensor(ms, values, dtype: str):
    if values is None:
        return None
    if dtype == "bfloat16":  # exact: the case's values have 8 significant bits
        return ms.Tensor(np.asarray(values, np.float32)).astype(ms.bfloat16)
    return ms.Tensor(np.asarray(values, dtype))


def _resolve(ms, dotted: str):
    found = ms
    for part in dotted.split(".")[1:]:
        found = getattr(found, part)
    return found


def _numpy(ms, y) -> np.ndarray:
    if y.dtype == ms.bfloat16:
        y = y.astype(ms.float32)
    return np.asarray(y.asnumpy(), np.float64)


def _execute(call: calls.Call, case: Case, x, w, b) -> np.ndarray:
    ms = _mindspore()
    tensors = {name: _tensor(ms, v, case.dtype) for name, v in (("x", x), ("w", w), ("b", b))}
    target = _resolve(ms, call.api)
    if call.layer:
        cell = target(**call.kwargs, **_layer_dtype(ms, case))
        if tensors["w"] is not None:
            cell.weight.set_data(tensors["w"].reshape(cell.weight.shape))
        if tensors["b"] is not None:
            cell.bias.set_data(tensors["b"])
        y = cell(tensors["x"])
    else:
        y = target(*(tensors[name] for name in call.inputs), **call.kwargs)
        if call.bias_after and tensors["b"] is not None:
            y = ms.ops.bias_add(y, tensors["b"])
    return _numpy(ms, y)


def _layer_dtype(ms, case: Case) -> dict:
    """A convolution layer's parameters in the case's dtype (pooling layers have none)."""
    return {} if case.family == "pool" else {"dtype": getattr(ms, case.dtype)}


def functional(case: Case, x, w, b, device: str) -> np.ndarray:
    return _execute(calls.functional(case), case, x, w, b)


def layer(case: Case, x, w, b, device: str) -> np.ndarray:
    return _execute(calls.layer(case), case, x, w, b)


HEAD = """import contextlib, io
import mindspore
from mindspore.ops import operations
mindspore.set_context(mode=mindspore.PYNATIVE_MODE)
mindspore.set_device("CPU")
with contextlib.redirect_stderr(io.StringIO()):  # the NumPy 1.x C API fails once under NumPy 2
    try:
        operations.Squeeze(2)(mindspore.Tensor(np.ones((1, 1, 1, 1), np.float32)))
    except SystemError:
        pass
"""
TENSORS = {
    "bfloat16": "mindspore.Tensor(a.astype('float32')).astype(mindspore.bfloat16)",
}


def _tensors_code(dtype: str) -> str:
    made = TENSORS.get(dtype, f"mindspore.Tensor(a.astype({dtype!r}))")
    return (
        f"tensor = lambda a: None if a is None else {made}  # noqa: E731\n"
        "tx, tw, tb = tensor(x), tensor(w), tensor(b)\n"
    )


TAIL = (
    "if y.dtype == mindspore.bfloat16:\n"
    "    y = y.astype(mindspore.float32)\n"
    'y = y.asnumpy().astype("float64")\n'
)


def _code(call: calls.Call, case: Case) -> str:
    lines = []
    if call.layer:
        dtype = "" if case.family == "pool" else f", dtype=mindspore.{case.dtype}"
        lines.append(f"cell = {call.api}(**{call.kwargs!r}{dtype})")
        if case.family != "pool":
            lines.append("cell.weight.set_data(tw.reshape(cell.weight.shape))")
            if case.bias:
                lines.append("cell.bias.set_data(tb)")
        lines.append("y = cell(tx)")
    else:
        args = ", ".join(f"t{name}" for name in call.inputs)
        lines.append(f"y = {call.api}({args}, **{call.kwargs!r})")
        if call.bias_after:
            lines.append("y = mindspore.ops.bias_add(y, tb)")
    return HEAD + _tensors_code(case.dtype) + "\n".join(lines) + "\n" + TAIL


def functional_code(case: Case, env: dict[str, str]) -> str:
    return _code(calls.functional(case), case)


def layer_code(case: Case, env: dict[str, str]) -> str:
    return _code(calls.layer(case), case)


APIS = [
    ConvApi("mindspore.ops", calls.FUNCTIONAL, functional, functional_code),
    ConvApi("mindspore.nn", calls.LAYER, layer, layer_code),
]

# Data, read by the harness (harness/catalog/plugins.py): conventions with citations, known bugs.
CONVENTIONS = resources.files(__name__).joinpath("conventions.toml").read_text()
REGISTRY = resources.files(__name__).joinpath("registry.toml").read_text()

# One case per documented refusal, measured (tests/test_verdicts.py runs each): refusal id ->
# (adapter, the case as `convharness explain --cases` reads it); and refusals checked at
# another rank, (refusal id, adapter, op).
REFUSAL_CASES, REFUSAL_RANKS = measured_refusals(__name__)
