"""Transposed convolution (conv_transpose1d, conv_transpose2d, conv_transpose3d): the family
record, and its classic question.

The arithmetic lives in the modules this record names: transposed (crops per framework rule,
float64 reference as the adjoint of the convolution), transposed_inference (the crop proven by
values), transposed_strategies (cases and their coverage regions).
"""

from __future__ import annotations

import numpy as np

from harness.case import Case, Padding, Pads
from harness.model import transposed, transposed_inference, transposed_strategies
from harness.model.inference import Inferred
from harness.ops.family import Family

# The classic question: a 2x upsampler, kernel 4, stride 2, on 8x8: PyTorch padding=1 against
# the 'same' of Keras, TensorFlow and JAX.
CLASSIC = tuple(
    Case(
        op="conv_transpose2d",
        batch=1,
        in_channels=3,
        out_channels=8,
        spatial=(8, 8),
        kernel=(4, 4),
        stride=(2, 2),
        padding=Padding.parse(spec),
    )
    for spec in (1, "same")
)


def _reference(case: Case, x, w, b, pads: Pads) -> np.ndarray:
    return transposed.conv_transpose(x, w, b, case.stride, case.dilation, pads, case.groups)


def _infer(
    case: Case, output: np.ndarray, x, w, b, dense: dict[int, np.ndarray]
) -> Inferred | None:
    def dense_for(margin: int) -> np.ndarray:
        if margin not in dense:
            dense[margin] = transposed_inference.dense_reference(case, x, w, b, margin)
        return dense[margin]

    return transposed_inference.infer(case, output, dense_for)


CONV_TRANSPOSE = Family(
    name="conv_transpose",
    ops=("conv_transpose1d", "conv_transpose2d", "conv_transpose3d"),
    title="Transposed convolution",
    reference=_reference,
    infer=_infer,
    strategy=lambda op: transposed_strategies.cases(op=op),
    coverage=transposed_strategies.coverage,
    regions=transposed_strategies.regions,
    classic=CLASSIC,
)
