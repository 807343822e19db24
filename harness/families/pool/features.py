"""Pooling's words in the feature vocabulary (harness/model/features.py): its two flags, and
how many windows fit the input before any padding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.model.oracle import effective_kernel

if TYPE_CHECKING:
    from harness.case import Case
    from harness.fields import Pads

VOCABULARY: dict[str, type] = {
    "ceil_mode": bool,  # pooling rounds the output size up
    "count_include_pad": bool,  # average pooling asks for a divisor that counts the padding
    # on some axis the input, before any padding, is shorter than the dilated kernel plus one
    # stride: at most one window fits it unpadded (none where it is shorter than the kernel)
    "input_under_kernel_plus_stride": bool,
}


def features(case: Case, pads: Pads, rounding: str) -> dict[str, Any]:
    """The words of VOCABULARY for a pooling case (its pads and rounding do not change them)."""
    return {
        "ceil_mode": case.ceil_mode,
        "count_include_pad": case.count_include_pad,
        "input_under_kernel_plus_stride": any(
            i < effective_kernel(k, d) + s
            for i, k, s, d in zip(
                case.spatial, case.kernel, case.stride, case.dilation, strict=True
            )
        ),
    }
