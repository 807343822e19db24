"""The focus regions: corners of the space where frameworks are known to go wrong and that a
plain draw seldom reaches, because they need several rare choices at once or because a more
common refusal (TensorFlow's CPU kernels refuse dilation and groups in 3-d) answers first and
hides them.

`focused(strategy, moves, own)` moves a share of a family's drawn cases (FOCUS_SHARE) into one
of these regions, each a small change of the drawn case; the rest are drawn as they are. The
moves here are the shared ones; a family's record names the moves its cases take (`focus`:
these, or its own from harness/families/<family>/focus.py), and one region is drawn among the
moves of every family, in the order `all_moves` gives. A move its family does not take, or
one that gives no case (CaseError), gives back the case drawn. Every choice shrinks towards
"keep what was drawn". `coverage(case)` names the shared regions a case is in.

The regions are where the registered upstream faults live (benchmarks/discovery.py measures
how soon a survey reaches each): they name the geometry, never a framework.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from typing import Any

from hypothesis import strategies as st

from harness.case import Case, CaseError, Padding
from harness.model.oracle import effective_kernel

FOCUS_SHARE = 0.15  # the share of drawn cases moved into a focus region

Move = Callable[[Callable, Case], Case | None]


def unset_fields(case: Case) -> Case:
    """The case without the fields only its family takes (a move sets its own sizes)."""
    defaults: dict[str, Any] = {
        f.name: f.default for f in fields(case) if f.name in case.operators.fields
    }
    return replace(case, **defaults)


def plain(draw, case: Case) -> Case:
    """No dilation and no groups: what a refusal of either would otherwise answer first."""
    if not case.operators.weighted:
        return replace(case, dilation=(1,) * case.rank)
    per_group = max(1, case.in_channels // case.groups)
    return replace(
        case,
        dilation=(1,) * case.rank,
        groups=1,
        in_channels=per_group,
        out_channels=max(1, case.out_channels // case.groups),
    )


def stride_past_kernel(draw, case: Case) -> Case | None:
    """'same' with a stride two or more past the (undilated) window on one axis: the last
    window leaves input unread, the pad total the formula gives is -2 or less there, and
    'same' must clamp it at 0 (a kernel that halves it crops a row). The family's own options
    are left at their defaults (few frameworks take them)."""
    axis = draw(st.integers(0, case.rank - 1))
    kernel = list(case.kernel)
    kernel[axis] = draw(st.integers(1, 2))
    stride = list(case.stride)
    stride[axis] = kernel[axis] + draw(st.integers(2, 3))
    spatial = list(case.spatial)
    spatial[axis] = stride[axis] * draw(st.integers(1, 3)) + draw(st.sampled_from([0, 0, 1]))
    return replace(
        unset_fields(plain(draw, case)),  # no dilation, no groups: refused first in 3-d by some
        kernel=tuple(kernel),
        stride=tuple(stride),
        spatial=tuple(spatial),
        padding=Padding("same"),
    )


def low_precision_grouped(draw, case: Case) -> Case | None:
    """bfloat16, two groups and a stride on one axis: a grouped, strided, low-precision call."""
    axis = draw(st.integers(0, case.rank - 1))
    stride = tuple(2 if a == axis else s for a, s in enumerate(case.stride))
    per_group = draw(st.integers(1, 2))
    return replace(
        unset_fields(case),
        dtype="bfloat16",
        groups=2,
        in_channels=2 * per_group,
        out_channels=2 * draw(st.integers(1, 2)),
        stride=stride,
        dilation=(1,) * case.rank,
    )


def grouped_wide_float(draw, case: Case) -> Case | None:
    """float64 with groups: the grouped double-precision kernels, transposed above all."""
    return replace(
        case,
        dtype="float64",
        groups=2,
        in_channels=2 * draw(st.integers(1, 2)),
        out_channels=2 * draw(st.integers(1, 2)),
    )


# the shared regions, by name: a family's record takes those its cases can be moved into
PLAIN = "plain: no dilation, no groups"
STRIDE_PAST_WINDOW = "'same' with a stride past the window"
LOW_PRECISION_GROUPED = "bfloat16 grouped and strided"
FLOAT64_GROUPED = "float64 grouped"
SHARED: dict[str, Move] = {
    PLAIN: plain,
    STRIDE_PAST_WINDOW: stride_past_kernel,
    LOW_PRECISION_GROUPED: low_precision_grouped,
    FLOAT64_GROUPED: grouped_wide_float,
}


def all_moves(families: Iterable[Mapping[str, Move]]) -> tuple[str, ...]:
    """Every region a move leads to, each once, in the order the families name them: the
    regions a draw picks among, whatever the family (a family's own count is no part of it)."""
    return tuple(dict.fromkeys(name for moves in families for name in moves))


def focus(draw, case: Case, names: tuple[str, ...], own: Mapping[str, Move]) -> Case:
    """With probability FOCUS_SHARE, `case` moved into one focus region of `names`, if its
    family takes that move (`own`); else `case`."""
    if draw(st.integers(0, 99)) >= 100 * FOCUS_SHARE:
        return case
    move = own.get(draw(st.sampled_from(names)))
    if move is None:
        return case
    try:
        moved = move(draw, case)
        if moved is None:
            return case
        return Case.from_json(moved.to_json())  # every check a case file gets
    except CaseError:
        return case


def focused(
    strategy: st.SearchStrategy[Case], names: tuple[str, ...], own: Mapping[str, Move]
) -> st.SearchStrategy[Case]:
    """`strategy`'s cases, some moved into a focus region (see focus)."""

    @st.composite
    def drawn(draw) -> Case:
        return focus(draw, draw(strategy), names, own)

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
    }
    return [name for name, hit in labels.items() if hit]
