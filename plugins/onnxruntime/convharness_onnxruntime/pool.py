"""ONNX Runtime pooling: the ONNX MaxPool and AveragePool operators at rank 1, 2 and 3, with
ceil_mode, dilations, count_include_pad (AveragePool) and auto_pad for the padding words.
Found by the plugin's adapter module (FAMILY), whose adapter serves these operators too."""

from __future__ import annotations

from harness.case import Case

FAMILY = "pool"  # the operator family this module's node serves
API = "onnxruntime.InferenceSession(onnx MaxPool/AveragePool)"
NODES = {"max": "MaxPool", "avg": "AveragePool"}
OPS = tuple(f"{kind}_pool{r}d" for kind in NODES for r in (1, 2, 3))
AUTO_PAD = {"valid": "VALID", "same": "SAME_UPPER", "same_lower": "SAME_LOWER"}


def node_type(case: Case) -> str:
    return NODES[case.op.split("_", 1)[0]]


def node(case: Case) -> tuple[str, list[str], dict]:
    """The node's type, inputs and attributes: one input, X."""
    return node_type(case), ["X"], attributes(case)


def attributes(case: Case) -> dict:
    """The node's attributes: pads in ONNX's order (every begin, then every end)."""
    found: dict = dict(
        kernel_shape=list(case.kernel),
        strides=list(case.stride),
        dilations=list(case.dilation),
        ceil_mode=int(case.ceil_mode),
    )
    if case.op.startswith("avg_"):
        found["count_include_pad"] = int(case.count_include_pad)
    if case.padding.kind == "explicit":
        found["pads"] = list(case.padding.pads[0::2] + case.padding.pads[1::2])
    else:
        found["auto_pad"] = AUTO_PAD[case.padding.kind]
    return found
