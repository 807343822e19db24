"""The transposed convolution's focus regions (harness/model/focus.py): the shared moves (a
'same' with a stride past the window only where the case asks for no output size of its own),
and a transposed 'same' at stride 1 with an even kernel."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from harness.case import Case, Padding
from harness.model import focus

SAME_STRIDE_ONE = "transposed 'same' at stride 1, even kernel"


def stride_past_kernel(draw, case: Case) -> Case | None:
    """The shared move, where the case states no output size (output_shape, output_padding)."""
    if case.output_shape is not None or case.output_padding:
        return None
    return focus.stride_past_kernel(draw, case)


def same_stride_one(draw, case: Case) -> Case | None:
    """A transposed 'same' at stride 1 with an even kernel and an output_padding of 0 stated:
    the sizes the frameworks give 'same' differ by one there (Keras's formula with a stated
    output_padding, (i - 1)s + k % 2 + p, falls below the i·s of the others)."""
    kernel = tuple(2 * draw(st.integers(1, 2)) for _ in range(case.rank))
    return replace(
        focus.plain(draw, case),
        kernel=kernel,
        stride=(1,) * case.rank,
        padding=Padding("same"),
        output_padding=(0,) * case.rank,
        output_shape=None,
        dtype=draw(st.sampled_from([case.dtype, "float64"])),  # also where oneDNN does not go
    )


MOVES: dict[str, focus.Move] = {
    focus.PLAIN: focus.plain,
    focus.STRIDE_PAST_WINDOW: stride_past_kernel,
    focus.LOW_PRECISION_GROUPED: focus.low_precision_grouped,
    focus.FLOAT64_GROUPED: focus.grouped_wide_float,
    SAME_STRIDE_ONE: same_stride_one,
}


def coverage(case: Case) -> list[str]:
    """The transposed focus region a case is in."""
    hit = (
        case.padding.kind == "same"
        and set(case.stride) == {1}
        and all(k % 2 == 0 for k in case.kernel)
    )
    return [SAME_STRIDE_ONE] if hit else []
