"""Transposed convolution (conv_transpose1d, conv_transpose2d, conv_transpose3d): the family
record, and its classic question.

The arithmetic lives in the modules this record names: transposed (crops per framework rule,
float64 reference as the adjoint of the convolution), transposed_inference (the crop proven by
values), transposed_strategies (cases and their coverage regions).
"""

from __future__ import annotations

import math

import numpy as np

from harness.case import Case, Padding, Pads, full_size
from harness.model import transposed, transposed_inference, transposed_strategies
from harness.model.inference import Inferred
from harness.ops.family import Family, footprint

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


def _memory(case: Case) -> int:
    """The case's footprint: an output as large as the full transposed output grown by the
    largest extension its pads, output_padding or output_shape can ask, and the inference's
    dense map of that output with the same margin on every side."""
    grow = (
        max([0, *(-p for p in case.padding.pads)])
        + max(case.output_padding or (0,))
        + max(case.output_shape or (0,))
    )
    full = [
        full_size(i, k, s, d) + grow
        for i, k, s, d in zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
    ]
    margin = max(max(case.kernel) * max(case.dilation), max(case.stride))
    per_channel = case.batch * case.out_channels
    output = per_channel * math.prod(full)
    dense = per_channel * math.prod(f + 2 * margin for f in full)
    return footprint(case, output, dense)


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
    memory=_memory,
)
