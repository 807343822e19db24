"""Pooling's part of the report: its rows of the convention matrix, and the classic pooling
questions, answered from a store's own outcomes: the ResNet stem's MaxPool2d(3, stride=2,
padding=1) on 112x112, ceil_mode on an odd size, and the divisor AvgPool2d(3, stride=2,
padding=1) uses at the border."""

from __future__ import annotations

from typing import Any, Protocol

from harness.families.pool.record import CLASSIC, POOL
from harness.reporting.behaviours import Behaviour, answer, plain, rounding
from harness.reporting.document import Paragraph, Section, Table
from harness.reporting.groups import merged

FAMILY = POOL.name  # whose part of the report this is

# One short heading per classic pooling case, in CLASSIC's order.
HEADINGS = (
    "MaxPool2d(3, 2, 1), 112x112",
    "MaxPool2d(2, 2, ceil_mode), 7x7",
    "MaxPool2d(3, 2, 1, ceil_mode), 7x7",
    "AvgPool2d(3, 2, 1), counting the padding",
    "AvgPool2d(3, 2, 1), not counting it",
    "3x3 stride-2 'same' average, 7x7",
)
# What a PASS proves of the corner window (4 input elements in a 3x3 window, 5 padding).
CORNER = {True: "corner / 9", False: "corner / 4"}


class Outcomes(Protocol):
    recorded: list[str]
    labels: list[str]
    cells: dict[str, dict[str, Any]]


def _answer(case_index: int, cell: Any) -> str:
    if cell.status != "ok":
        return cell.verdict if cell.status != "rejected" else f"refused ({cell.verdict})"
    shape = "x".join(map(str, cell.shape[2:])) if cell.shape else "?"
    answer = f"{shape} {cell.verdict}"
    case = CLASSIC[case_index]
    averages = "divisor" in case.operators.result_keys(case.op)  # an average proves its divisor
    if averages and cell.verdict == "PASS" and case.padding.kind != "valid":
        answer += f", {CORNER[case.count_include_pad]}"
    return answer


def section(survey: Outcomes) -> Section:
    """The pooling questions, with the adapters that answered alike merged into one row."""
    return merged(_section(survey))


def _section(survey: Outcomes) -> Section:
    section = Section("Pooling: the ResNet stem, ceil_mode on an odd size, the average's divisor")
    held = [i for i, case in enumerate(CLASSIC) if case.id in survey.recorded]
    if not held:
        section.blocks.append(Paragraph("This store does not hold the pooling questions."))
        return section
    section.blocks.append(
        Paragraph(
            "The same 1x3 input through each adapter: the output size and verdict, and for an "
            "average that matches the float64 reference, the divisor its corner window proves "
            "(4 input elements and 5 padding in a 3x3 window at padding 1). NOT_EXPRESSIBLE: the "
            "API has no way to say it (no explicit pads, no ceil_mode, no count_include_pad)."
        )
    )
    rows = []
    for label in survey.labels:
        cells = [survey.cells[CLASSIC[i].id].get(label) for i in held]
        if all(cell is None for cell in cells):
            continue
        rows.append(
            (
                label,
                *(_answer(i, cell) if cell else "-" for i, cell in zip(held, cells, strict=True)),
            )
        )
    section.blocks.append(Table(("adapter", *(HEADINGS[i] for i in held)), tuple(rows)))
    for i in held:
        case = CLASSIC[i]
        passed = [
            label
            for label in survey.labels
            if (cell := survey.cells[case.id].get(label)) is not None and cell.verdict == "PASS"
        ]
        section.blocks.append(
            Paragraph(f"{HEADINGS[i]} (`{case.command()}`): PASS on {', '.join(passed) or 'none'}.")
        )
    return section


BEHAVIOURS = (
    Behaviour(
        "pooling: output size, 'valid', stride > 1",
        lambda c, strict: plain(c, strict) and max(c.stride) > 1 and not c.ceil_mode,
        rounding,
    ),
    Behaviour(
        "pooling: ceil_mode",
        lambda c, strict: plain(c, strict, padding=True) and c.ceil_mode,
        answer,
    ),
    Behaviour(
        "pooling: 'same'",
        lambda c, strict: plain(c, strict, padding=True, empty=True) and c.padding.kind == "same",
        answer,
    ),
    Behaviour(
        "pooling: a pad past half the kernel",
        lambda c, strict: (
            plain(c, strict, padding=True, empty=True)
            and c.padding.kind == "explicit"
            and any(
                max(lo, hi) > k // 2
                for (lo, hi), k in zip(c.padding.pairs(), c.kernel, strict=True)
            )
        ),
        answer,
    ),
    Behaviour(
        "average pooling counting the padding",
        lambda c, strict: plain(c, strict, padding=True, empty=True) and c.count_include_pad,
        answer,
    ),
    Behaviour(
        "max pooling with dilation > 1",
        lambda c, strict: (
            plain(c, strict, dilation=True) and c.op.startswith("max") and max(c.dilation) > 1
        ),
        answer,
    ),
)
