"""Convolution (conv1d, conv2d, conv3d): the family record, and the classic question.

The convolution's arithmetic is the rank-generic core the other families build on, in the
model: oracle (output size per axis, 'same' totals and splits), reference (float64 NumPy
convolution), inference (pads proven by values), features (the facts data files speak of).
Its own are here: strategies (cases and their coverage regions) and focus (its focus moves).
"""

from __future__ import annotations

import math

from harness.case import Case, Padding
from harness.families.conv import focus, strategies
from harness.families.conv.operators import OPERATORS
from harness.families.family import Family, dense_inference, footprint, weighted_reference
from harness.model import inference, oracle, reference

# The classic question: 28x28 input, 3x3 kernel, stride 2, with padding 0, 'same' and 1.
CLASSIC = tuple(
    Case(
        batch=1,
        in_channels=3,
        out_channels=16,
        spatial=(28, 28),
        kernel=(3, 3),
        stride=(2, 2),
        padding=Padding.parse(spec),
    )
    for spec in (0, "same", 1)
)


def memory(case: Case) -> int:
    """The case's footprint: its output at the most padding its padding can mean ('same' at
    most d(k-1) per axis), and the dense map the inference builds for that output, each with
    the output's channels (any family whose windows are a convolution's may take it)."""
    pairs = case.padding.pairs() if case.padding.pads else [(0, 0)] * case.rank
    out = []
    for axis, (i, k, s, d) in enumerate(
        zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
    ):
        low, high = pairs[axis]
        if case.padding.kind in ("same", "same_lower"):
            low, high = 0, oracle.effective_kernel(k, d) - 1
        out.append(max(oracle.output_size(i, k, s, d, low, high), 0))
    margin = inference.margin_for(case, tuple(out))
    dense = [
        max(i + 2 * margin - oracle.effective_kernel(k, d) + 1, 0)
        for i, k, d in zip(case.spatial, case.kernel, case.dilation, strict=True)
    ]
    channels = case.batch * case.operators.output_channels(case)
    return footprint(case, channels * math.prod(out), channels * math.prod(dense))


CONV = Family.of(
    OPERATORS,
    strategies.cases,
    title="Convolution",
    reference=weighted_reference(reference.conv),
    infer=dense_inference(inference.infer, inference.dense_reference),
    coverage=strategies.coverage,
    regions=strategies.regions,
    classic=CLASSIC,
    memory=memory,
    focus=focus.MOVES,
    narrowable=strategies.cases,
)
