"""ONNX Runtime's patch extraction: ONNX has no patch operator (Col2Im is the inverse's, and no
Im2Col exists), so the node is a Conv whose weight is the one-hot identity of the window: C
groups, one per input channel, each with K = prod(kernel) output channels, the t-th of which
takes tap t alone. Output channel c·K + t is channel c's tap t: channel-major by construction,
at rank 1, 2 and 3, with Conv's strides, dilations, pads and auto_pad. Found by the plugin's
adapter module (FAMILY), whose adapter serves these operators too."""

from __future__ import annotations

import math

import numpy as np

from harness.case import Case

FAMILY = "patch"  # the operator family this module's node serves
API = "onnxruntime.InferenceSession(onnx Conv, one-hot weight)"
OPS = tuple(f"patches{r}d" for r in (1, 2, 3))


def node(case: Case) -> tuple[str, list[str], dict]:
    """A Conv of C groups over X and the one-hot W (weight(case)), no bias: Conv's attributes
    (the adapter module's), one group per input channel."""
    from convharness_onnxruntime import conv_attributes

    return "Conv", ["X", "W"], {**conv_attributes(case), "group": case.in_channels}


def weight(case: Case) -> np.ndarray:
    """[C·K, 1, *kernel]: output channel c·K + t has a 1 at tap t (row-major), 0 elsewhere."""
    taps = math.prod(case.kernel)
    one_hot = np.eye(taps).reshape(taps, 1, *case.kernel)
    return np.tile(one_hot, (case.in_channels, 1, *[1] * case.rank))


def weight_code(case: Case) -> str:
    """The script's line building the same W."""
    taps = math.prod(case.kernel)
    return (
        f"w = np.tile(np.eye({taps}).reshape({taps}, 1, *{case.kernel}), "
        f"({case.in_channels}, 1, *[1] * {case.rank}))  # one-hot: channel c*K + t is tap t\n"
    )


# The refusals its conventions document, each with a case that shows it (measured by
# tests/test_verdicts.py): rule -> (adapter, case as JSON).
REFUSAL_CASES = {
    "onnxruntime/no-float64-patches-on-cpu": (
        "onnxruntime",
        {"op": "patches2d", "input": [1, 2, 5, 5], "kernel": 3, "dtype": "float64"},
    ),
    "onnxruntime/patches-same-with-dilation": (
        "onnxruntime",
        {"op": "patches2d", "input": [1, 2, 9, 9], "kernel": 3, "dilation": 2, "padding": "same"},
    ),
    "onnxruntime/patches-nonpositive-output": (
        "onnxruntime",
        {"op": "patches2d", "input": [1, 2, 3, 3], "kernel": 5},
    ),
}
