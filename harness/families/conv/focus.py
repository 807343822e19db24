"""The convolution's focus regions (harness/model/focus.py): the shared moves, and a mixed
explicit padding, one side of an axis cropped and the other padded."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from harness.case import Case, Padding
from harness.model import focus
from harness.model.oracle import effective_kernel

CROP_AND_PAD = "one side cropped, the other padded"


def crop_and_pad(draw, case: Case) -> Case | None:
    """One axis cropped on one side and padded on the other, the rest unpadded, at stride 1
    and one or two channels: a convolution's mixed explicit pads."""
    axis = draw(st.integers(0, case.rank - 1))
    crop, pad = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    low_first = draw(st.booleans())
    pairs = [(0, 0)] * case.rank
    pairs[axis] = (-crop, pad) if low_first else (pad, -crop)
    channels = draw(st.integers(1, 2))
    spatial = tuple(
        max(size, effective_kernel(k, d) + crop)
        for size, k, d in zip(case.spatial, case.kernel, case.dilation, strict=True)
    )
    return replace(
        case,
        in_channels=channels,
        out_channels=channels,
        groups=1,
        stride=(1,) * case.rank,
        spatial=spatial,
        padding=Padding.explicit(*(p for pair in pairs for p in pair)),
    )


MOVES: dict[str, focus.Move] = {
    focus.PLAIN: focus.plain,
    focus.STRIDE_PAST_WINDOW: focus.stride_past_kernel,
    CROP_AND_PAD: crop_and_pad,
    focus.LOW_PRECISION_GROUPED: focus.low_precision_grouped,
    focus.FLOAT64_GROUPED: focus.grouped_wide_float,
}
