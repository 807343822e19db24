"""ONNX Runtime: the ONNX Conv operator at rank 1, 2 and 3, built with onnx.helper, run by an
InferenceSession; every other family's node is a module of this package (FAMILY, OPS, API,
node(case), and weight(case) where the node takes a W the case does not carry), found by being
here: ConvTranspose (transpose.py), MaxPool and AveragePool (pool.py).

Padding words map to `auto_pad` (VALID, SAME_UPPER, SAME_LOWER); explicit pads to `pads` in
ONNX's order (every axis's begin, then every axis's end: top, left, bottom, right in 2-d).
Only this module's functions import onnx/onnxruntime. The same adapter serves MaxPool and
AveragePool, whose one input is X.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib import resources
from types import ModuleType

import numpy as np

from harness.adapter_api import ConvApi, NotExpressible
from harness.case import OPS, Case

FRAMEWORK = "onnxruntime"
REQUIRES = "onnxruntime"
OPSET = 21
AUTO_PAD = {"valid": "VALID", "same": "SAME_UPPER", "same_lower": "SAME_LOWER"}
ELEMENT_NAMES = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "FLOAT16"}


def version() -> str:
    import onnxruntime

    return onnxruntime.__version__


def devices() -> list[str]:
    import onnxruntime

    gpu = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
    return ["cpu"] + (["gpu:0"] if gpu else [])


def conv_attributes(case: Case) -> dict:
    """Conv's attributes for a case: its window, groups and padding (pads or auto_pad)."""
    attributes = dict(
        kernel_shape=list(case.kernel),
        strides=list(case.stride),
        dilations=list(case.dilation),
        group=case.groups,
    )
    if case.padding.kind == "explicit":
        attributes["pads"] = list(case.padding.pads[0::2] + case.padding.pads[1::2])
    else:
        attributes["auto_pad"] = AUTO_PAD[case.padding.kind]
    return attributes


def _element_type(case: Case):
    from onnx import TensorProto

    if case.dtype == "bfloat16":  # the Python API feeds NumPy arrays, and NumPy has no bfloat16
        raise NotExpressible("onnxruntime's Python API takes no bfloat16 NumPy input")
    return getattr(TensorProto, ELEMENT_NAMES[case.dtype])


def _family_modules() -> dict[str, ModuleType]:
    """This package's modules that build another family's node, by family."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "FAMILY") and hasattr(module, "node"):
            found[module.FAMILY] = module
    return found


FAMILIES = _family_modules()


def _node(case: Case) -> tuple[str, list[str], dict]:
    """The node's type, inputs and attributes: Conv, or the case's family module's node."""
    if case.family in FAMILIES:
        return FAMILIES[case.family].node(case)
    return "Conv", ["X", "W"] + (["B"] if case.bias else []), conv_attributes(case)


def _weight(case: Case, w):
    """The W the node takes: the case's, or the family module's own (a constant of the case)."""
    own = getattr(FAMILIES.get(case.family), "weight", None)
    return own(case) if own is not None and w is None else w


def model(case: Case) -> bytes:
    """A one-node ONNX model: Y = Conv(X, W[, B]), ConvTranspose, MaxPool(X) or AveragePool(X)."""
    from onnx import helper

    element = _element_type(case)
    kind, inputs, attributes = _node(case)
    node = helper.make_node(kind, inputs, ["Y"], **attributes)
    graph = helper.make_graph(
        [node],
        "conv",
        [helper.make_tensor_value_info(name, element, None) for name in inputs],
        [helper.make_tensor_value_info("Y", element, None)],
    )
    built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    built.ir_version = 10
    return built.SerializeToString()


def conv(case: Case, x, w, b, device: str) -> np.ndarray:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors come back as exceptions; keep the log quiet
    provider = "CPUExecutionProvider" if device == "cpu" else "CUDAExecutionProvider"
    session = onnxruntime.InferenceSession(model(case), options, providers=[provider])
    dtype = np.dtype(case.dtype)
    feeds = {"X": x.astype(dtype)}
    w = _weight(case, w)
    if w is not None:
        feeds["W"] = w.astype(dtype)
    if b is not None:
        feeds["B"] = b.astype(dtype)
    return np.asarray(session.run(None, feeds)[0], np.float64)


def conv_code(case: Case, env: dict[str, str]) -> str:
    _element_type(case)
    kind, inputs, attributes = _node(case)
    own = getattr(FAMILIES.get(case.family), "weight_code", None)
    return (own(case) if own is not None else "") + (
        "import onnxruntime\n"
        "from onnx import TensorProto, helper\n"
        f"element = TensorProto.{ELEMENT_NAMES[case.dtype]}\n"
        f'node = helper.make_node({kind!r}, {inputs!r}, ["Y"], **{attributes!r})\n'
        'graph = helper.make_graph([node], "conv",\n'
        f"    [helper.make_tensor_value_info(n, element, None) for n in {inputs!r}],\n"
        '    [helper.make_tensor_value_info("Y", element, None)])\n'
        f'model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", {OPSET})])\n'
        "model.ir_version = 10\n"
        "session = onnxruntime.InferenceSession(model.SerializeToString(),\n"
        '                                      providers=["CPUExecutionProvider"])\n'
        f'feeds = {{"X": x.astype({case.dtype!r})}}\n'
        "if w is not None:\n"
        f'    feeds["W"] = w.astype({case.dtype!r})\n'
        "if b is not None:\n"
        f'    feeds["B"] = b.astype({case.dtype!r})\n'
        'y = np.asarray(session.run(None, feeds)[0], "float64")\n'
    )


API = "onnxruntime.InferenceSession(onnx Conv)"
SERVES = {f"conv{r}d": API for r in (1, 2, 3)} | {
    op: module.API for module in FAMILIES.values() for op in module.OPS
}
APIS = [ConvApi("onnxruntime", {op: SERVES[op] for op in OPS if op in SERVES}, conv, conv_code)]

# Data, read by the harness (see harness/plugins.py): conventions with citations, known bugs.
CONVENTIONS = resources.files(__name__).joinpath("conventions.toml").read_text()
REGISTRY = resources.files(__name__).joinpath("registry.toml").read_text()
