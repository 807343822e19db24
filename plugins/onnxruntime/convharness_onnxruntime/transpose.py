"""ONNX Runtime's ConvTranspose at rank 1, 2 and 3: the node's attributes for a transposed case.

The case's explicit pads are ONNX's `pads` (a crop of the full output, every axis's begin then
every axis's end), its output_padding and output_shape ONNX's; 'same' and 'same_lower' are
auto_pad SAME_UPPER and SAME_LOWER. The weight layout [C, O/groups, *kernel] is ONNX's own.
"""

from __future__ import annotations

from harness.case import Case

FAMILY = "conv_transpose"  # the operator family this module's node serves
API = "onnxruntime.InferenceSession(onnx ConvTranspose)"
OPS = tuple(f"conv_transpose{r}d" for r in (1, 2, 3))
AUTO_PAD = {"same": "SAME_UPPER", "same_lower": "SAME_LOWER"}
OP_TYPE = "ConvTranspose"


def node(case: Case) -> tuple[str, list[str], dict]:
    """The node's type, inputs (X, W and B when the case has a bias) and attributes."""
    return OP_TYPE, ["X", "W"] + (["B"] if case.bias else []), attributes(case)


def attributes(case: Case) -> dict:
    found: dict = dict(
        kernel_shape=list(case.kernel),
        strides=list(case.stride),
        dilations=list(case.dilation),
        group=case.groups,
    )
    if case.padding.kind == "explicit":
        found["pads"] = list(case.padding.pads[0::2] + case.padding.pads[1::2])
    elif case.padding.kind in AUTO_PAD:
        found["auto_pad"] = AUTO_PAD[case.padding.kind]
    if case.output_padding:
        found["output_padding"] = list(case.output_padding)
    if case.output_shape is not None:
        found["output_shape"] = list(case.output_shape)
    return found
