"""The transposed convolution's sizes, per axis: the full output before any crop, and the
output sizes some framework accepts when a case asks for one (output_shape)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.case import Case


def full_size(i: int, k: int, s: int, d: int) -> int:
    """The full transposed output of one axis, before any crop: (i - 1)s + d(k - 1) + 1."""
    return (i - 1) * s + d * (k - 1) + 1


def output_shape_range(case: Case, axis: int) -> tuple[int, int]:
    """The output sizes some framework accepts for an axis of a transposed case.

    Every size one strided forward convolution maps back to the input size: from the crop
    of the padding (none for a word) up to max(stride, dilation) - 1 more, PyTorch's widest
    output_padding; under 'same' (TensorFlow, ONNX) down to (i - 1)s + 1.
    """
    i, k, s, d = case.spatial[axis], case.kernel[axis], case.stride[axis], case.dilation[axis]
    full = full_size(i, k, s, d)
    if case.padding.kind == "explicit":
        low, high = case.padding.pairs()[axis]
        return (full - low - high, full - low - high + max(s, d) - 1)
    if case.padding.kind == "valid":
        return (full, full + max(s, d) - 1)
    return (min((i - 1) * s + 1, full), max(i * s, full + max(s, d) - 1))
