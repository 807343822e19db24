"""Patch extraction (patches1d, patches2d, patches3d): the family record, and the classic
questions.

No weight, no bias: the output holds every window's values, C·prod(kernel) channels, in the
harness's channel-major order (each framework's own order brought to it by its convention,
rules.py). Its windows are a convolution's, so its output size is the convolution's arithmetic
and 'same' resolves per framework as for convolution; its memory bound is the convolution's
with those channels. The arithmetic lives in this folder: reference (float64 patches),
inference (pads proven by values), strategies (cases and their coverage regions).
"""

from __future__ import annotations

import numpy as np

from harness.case import Case, Pads
from harness.families.conv.record import memory
from harness.families.family import Family
from harness.families.patch import focus, inference, strategies
from harness.families.patch.operators import OPERATORS
from harness.families.patch.reference import patches


def _case(size: int, kernel: int, stride: int, padding, channels: int = 3, dilation=1) -> Case:
    """A 2-d classic question on a square input, from its JSON form."""
    square = {"input": [1, channels, size, size], "kernel": kernel, "stride": stride}
    extra = {"padding": padding, "dilation": dilation}
    return Case.from_json({"op": "patches2d", **square, **extra})


# The classic questions: im2col of a 3x3 'same' convolution (nn.Unfold(3, padding=1) on 8x8),
# a ViT's non-overlapping 16x16 patches of a 64x64 image, TensorFlow's strided 'SAME'
# (extract_patches(sizes 3, strides 2) on 7x7: the extra pad at the end), and rates=2.
CLASSIC = (
    _case(8, 3, 1, 1),
    _case(64, 16, 16, "valid"),
    _case(7, 3, 2, "same", channels=2),
    _case(9, 3, 1, "valid", channels=2, dilation=2),
)


def _reference(case: Case, x, w, b, pads: Pads) -> np.ndarray:
    return patches(x, case.kernel, case.stride, case.dilation, pads)


PATCH = Family.of(
    OPERATORS,
    strategies.cases,
    title="Patch extraction",
    reference=_reference,
    infer=inference.infer,
    coverage=strategies.coverage,
    regions=strategies.regions,
    classic=CLASSIC,
    memory=memory,
    focus=focus.MOVES,
    narrowable=strategies.cases,
)
