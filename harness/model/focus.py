"""The focus regions: corners of the space where frameworks are known to go wrong and that a
plain draw seldom reaches, because they need several rare choices at once or because a more
common refusal (TensorFlow's CPU kernels refuse dilation and groups in 3-d) answers first and
hides them.

`focused(strategy)` moves a share of a family's drawn cases (FOCUS_SHARE) into one of these
regions, each a small change of the drawn case; the rest are drawn as they are. A move that
does not apply to the family, or gives no case (CaseError), gives back the case drawn. Every
choice shrinks towards "keep what was drawn". `coverage(case)` names the regions a case is in.

The regions are where the registered upstream faults live (benchmarks/discovery.py measures
how soon a survey reaches each): they name the geometry, never a framework.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hypothesis import strategies as st

from harness.case import Case, CaseError, Padding
from harness.model.oracle import effective_kernel

FOCUS_SHARE = 0.15  # the share of drawn cases moved into a focus region

Move = Callable[[Callable, Case], Case | None]


def _plain(draw, case: Case) -> Case:
    """No dilation and no groups: what a refusal of either would otherwise answer first."""
    if case.family == "pool":
        return replace(case, dilation=(1,) * case.rank)
    per_group = max(1, case.in_channels // case.groups)
    return replace(
        case,
        dilation=(1,) * case.rank,
        groups=1,
        in_channels=per_group,
        out_channels=max(1, case.out_channels // case.groups),
    )


def _stride_past_kernel(draw, case: Case) -> Case | None:
    """'same' with a stride two or more past the (undilated) window on one axis: the last
    window leaves input unread, the pad total the formula gives is -2 or less there, and
    'same' must clamp it at 0 (a kernel that halves it crops a row)."""
    if case.output_shape is not None or case.output_padding:
        return None
    axis = draw(st.integers(0, case.rank - 1))
    kernel = list(case.kernel)
    kernel[axis] = draw(st.integers(1, 2))
    stride = list(case.stride)
    stride[axis] = kernel[axis] + draw(st.integers(2, 3))
    spatial = list(case.spatial)
    spatial[axis] = stride[axis] * draw(st.integers(1, 3)) + draw(st.sampled_from([0, 0, 1]))
    return replace(
        _plain(draw, case),  # no dilation, no groups: refused first in 3-d by some
        kernel=tuple(kernel),
        stride=tuple(stride),
        spatial=tuple(spatial),
        padding=Padding("same"),
        ceil_mode=False,  # pooling: the options few frameworks take
        count_include_pad=False,
    )


def _crop_and_pad(draw, case: Case) -> Case | None:
    """One axis cropped on one side and padded on the other, the rest unpadded, at stride 1
    and one or two channels: a convolution's mixed explicit pads."""
    if case.family != "conv":
        return None
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


def _low_precision_grouped(draw, case: Case) -> Case | None:
    """bfloat16, two groups and a stride on one axis: a grouped, strided, low-precision call."""
    if case.family == "pool":
        return None
    axis = draw(st.integers(0, case.rank - 1))
    stride = tuple(2 if a == axis else s for a, s in enumerate(case.stride))
    per_group = draw(st.integers(1, 2))
    return replace(
        case,
        dtype="bfloat16",
        groups=2,
        in_channels=2 * per_group,
        out_channels=2 * draw(st.integers(1, 2)),
        stride=stride,
        dilation=(1,) * case.rank,
        output_shape=None,
        output_padding=(),
    )


def _grouped_wide_float(draw, case: Case) -> Case | None:
    """float64 with groups: the grouped double-precision kernels, transposed above all."""
    if case.family == "pool":
        return None
    return replace(
        case,
        dtype="float64",
        groups=2,
        in_channels=2 * draw(st.integers(1, 2)),
        out_channels=2 * draw(st.integers(1, 2)),
    )


def _transposed_same_stride_one(draw, case: Case) -> Case | None:
    """A transposed 'same' at stride 1 with an even kernel and an output_padding of 0 stated:
    the sizes the frameworks give 'same' differ by one there (Keras's formula with a stated
    output_padding, (i - 1)s + k % 2 + p, falls below the i·s of the others)."""
    if case.family != "conv_transpose":
        return None
    kernel = tuple(2 * draw(st.integers(1, 2)) for _ in range(case.rank))
    return replace(
        _plain(draw, case),
        kernel=kernel,
        stride=(1,) * case.rank,
        padding=Padding("same"),
        output_padding=(0,) * case.rank,
        output_shape=None,
        dtype=draw(st.sampled_from([case.dtype, "float64"])),  # also where oneDNN does not go
    )


MOVES: dict[str, Move] = {
    "plain: no dilation, no groups": _plain,
    "'same' with a stride past the window": _stride_past_kernel,
    "one side cropped, the other padded": _crop_and_pad,
    "bfloat16 grouped and strided": _low_precision_grouped,
    "float64 grouped": _grouped_wide_float,
    "transposed 'same' at stride 1, even kernel": _transposed_same_stride_one,
}


def focus(draw, case: Case) -> Case:
    """With probability FOCUS_SHARE, `case` moved into one focus region; else `case`."""
    if draw(st.integers(0, 99)) >= 100 * FOCUS_SHARE:
        return case
    move = MOVES[draw(st.sampled_from(list(MOVES)))]
    try:
        moved = move(draw, case)
        if moved is None:
            return case
        return Case.from_json(moved.to_json())  # every check a case file gets
    except CaseError:
        return case


def focused(strategy: st.SearchStrategy[Case]) -> st.SearchStrategy[Case]:
    """`strategy`'s cases, some moved into a focus region (see focus)."""

    @st.composite
    def drawn(draw) -> Case:
        return focus(draw, draw(strategy))

    return drawn()


def coverage(case: Case) -> list[str]:
    """The focus regions a case is in (plain cases are everywhere and go unnamed)."""
    kernels = [effective_kernel(k, d) for k, d in zip(case.kernel, case.dilation, strict=True)]
    explicit = case.padding.kind == "explicit"
    labels = {
        "'same' with a stride past the window": case.padding.kind == "same"
        and any(s > k for s, k in zip(case.stride, kernels, strict=True)),
        "one side cropped, the other padded": explicit
        and any(min(a, b) < 0 < max(a, b) for a, b in case.padding.pairs()),
        "bfloat16 grouped and strided": case.dtype == "bfloat16"
        and case.groups > 1
        and max(case.stride) > 1,
        "float64 grouped": case.dtype == "float64" and case.groups > 1,
        "transposed 'same' at stride 1, even kernel": case.family == "conv_transpose"
        and case.padding.kind == "same"
        and set(case.stride) == {1}
        and all(k % 2 == 0 for k in case.kernel),
    }
    return [name for name, hit in labels.items() if hit]
