"""The convolution's part of the report: its classic question, answered from a store (28x28
input, 3x3 kernel, stride 2, through `padding='same'` and through `padding=1`: the shape each
adapter returned and the pads its values prove), and its rows of the convention matrix."""

from __future__ import annotations

from harness.case import Case
from harness.families.conv.record import CLASSIC, CONV
from harness.model import oracle
from harness.reporting.behaviours import (
    Behaviour,
    answer,
    empty,
    odd_pixel,
    plain,
    rounding,
    valid_sizes,
)
from harness.reporting.document import Paragraph, Section, Table
from harness.reporting.facts import Cell, Survey
from harness.reporting.groups import group_name

FAMILY = CONV.name  # whose part of the report this is


def section(survey: Survey) -> Section:
    """The question the project starts from, answered from this store's own outcomes."""
    section = Section("The classic question: 28x28 input, 3x3 kernel, stride 2")
    same, one = (case.id for case in CLASSIC[1:])
    if not {same, one} <= set(survey.recorded):
        section.blocks.append(Paragraph("This store does not hold the classic cases."))
        return section
    rows, told_apart = [], []
    for label in _firsts(survey, [same, one]):
        a, b = survey.cells[same].get(label), survey.cells[one].get(label)
        if a is None or b is None:
            continue
        rows.append((_grouped(survey, label, [same, one]), *(_answer(cell) for cell in (a, b))))
        if a.inferred and b.inferred and a.verdict == b.verdict == "PASS":
            told_apart.append((label, a.inferred, b.inferred))
    section.blocks.append(
        Paragraph(
            "The same input through `padding='same'` and through `padding=1`: the shape each "
            "adapter returned, and the pads [top, bottom, left, right] its values prove."
        )
    )
    section.blocks.append(Table(("adapter", "padding='same'", "padding=1"), tuple(rows)))
    for label, p, q in told_apart[:1]:  # the pads 'same' and padding=1 prove
        shapes = survey.cells[same][label].shape, survey.cells[one][label].shape
        differ = "different" if (p[0], p[2]) != (q[0], q[2]) else "the same"
        section.blocks.append(
            Paragraph(
                f"For example `{label}`: "
                f"{'equal' if shapes[0] == shapes[1] else 'different'} shapes "
                f"({shapes[0]} and {shapes[1]}) and {differ} values. The values prove top/left "
                f"pads {p[0][0]}/{p[2][0]} for 'same' and {q[0][0]}/{q[2][0]} for padding=1; "
                f"bottom/right only within {p[1]} and {q[1]}, as no window reads the last pad row."
            )
        )
    return section


def _answer(cell: Cell) -> str:
    if cell.status != "ok":
        return f"{cell.status}: {cell.error}" if cell.status == "rejected" else cell.status
    return f"{cell.shape}, proves {cell.inferred}"


def _firsts(survey: Survey, case_ids: list[str]) -> list[str]:
    """One adapter per set answering these cases alike (shape, pads, verdict, status)."""
    seen: dict[tuple, str] = {}
    for label in survey.labels:
        key = tuple(
            (c.status, c.verdict, str(c.shape), str(c.inferred), c.error_type)
            if (c := survey.cells[cid].get(label))
            else None
            for cid in case_ids
        )
        seen.setdefault(key, label)
    return list(seen.values())


def _grouped(survey: Survey, label: str, case_ids: list[str]) -> str:
    """The adapters answering these cases as `label` does, named as a group."""

    def key(lab: str) -> tuple:
        return tuple(
            (c.status, c.verdict, str(c.shape), str(c.inferred), c.error_type)
            if (c := survey.cells[cid].get(lab))
            else None
            for cid in case_ids
        )

    return group_name([lab for lab in survey.labels if key(lab) == key(label)])


def _odd_same(case: Case, strict: bool) -> bool:
    return (
        plain(case, strict, padding=True, empty=True)
        and case.padding.kind == "same"
        and any(
            oracle.same_total("minimal", i, k, s, d) % 2
            for i, k, s, d in zip(
                case.spatial, case.kernel, case.stride, case.dilation, strict=True
            )
        )
    )


def _negative(case: Case, strict: bool) -> bool:
    return (
        plain(case, strict, padding=True, empty=True)
        and case.padding.kind == "explicit"
        and min(case.padding.pads) < 0
    )


def _asymmetric(case: Case, strict: bool) -> bool:
    return (
        plain(case, strict, padding=True)
        and case.padding.kind == "explicit"
        and min(case.padding.pads) >= 0
        and case.padding.symmetric() is None
    )


BEHAVIOURS = (
    Behaviour(
        "output size, 'valid', stride > 1",
        lambda c, strict: plain(c, strict) and max(c.stride) > 1,
        rounding,
    ),
    Behaviour("'same': where the odd pixel goes", _odd_same, odd_pixel),
    Behaviour(
        "'same' with stride > 1",
        lambda c, strict: (
            plain(c, strict, padding=True, empty=True)
            and c.padding.kind == "same"
            and max(c.stride) > 1
        ),
        answer,
    ),
    Behaviour(
        "stride > 1 with dilation > 1",
        lambda c, strict: (
            plain(c, strict, dilation=True) and max(c.stride) > 1 and max(c.dilation) > 1
        ),
        answer,
    ),
    Behaviour("asymmetric explicit pads", _asymmetric, answer),
    Behaviour("negative explicit pads (a crop)", _negative, answer),
    Behaviour(
        "empty output (kernel larger than the input)",
        lambda c, strict: plain(c, strict, empty=True) and min(valid_sizes(c)[0]) <= 0,
        empty,
    ),
    Behaviour(
        "empty batch", lambda c, strict: plain(c, strict, batch=True) and c.batch == 0, empty
    ),
    Behaviour(
        "groups > 1", lambda c, strict: plain(c, strict, groups=True) and c.groups > 1, answer
    ),
    Behaviour(
        "float64", lambda c, strict: plain(c, strict, dtype=True) and c.dtype == "float64", answer
    ),
    Behaviour(
        "float16, bfloat16",
        lambda c, strict: plain(c, strict, dtype=True) and c.dtype in ("float16", "bfloat16"),
        answer,
    ),
)
