"""The operator families: one record per family (its operators, reference, output sizes,
padding inference, strategies, coverage regions, classic cases) drives every room that needs
to know which operator a case carries. The rest of the harness asks `family(case)`.

Every family is drawn through one focusing (harness/model/focus.py: some cases moved into the
corners where frameworks are known to go wrong) and one widening (harness/model/wide.py): its
own small edge cases, some made wide (many channels, depthwise, 1x1 and 3x3 kernels, large
spatial sizes), and its coverage regions with the focus and wide ones added.
"""

from __future__ import annotations

from dataclasses import replace

from harness.case import OPS, Case
from harness.model import focus, wide
from harness.ops.conv import CONV
from harness.ops.conv_transpose import CONV_TRANSPOSE
from harness.ops.family import Family
from harness.ops.pool import POOL


def _widened(record: Family) -> Family:
    """The family as every survey and suite draws it: its strategy widened, its coverage and
    regions with the wide regime's."""
    return replace(
        record,
        strategy=lambda op: wide.widened(focus.focused(record.strategy(op)), record.memory),
        coverage=lambda case: record.coverage(case) + wide.coverage(case) + focus.coverage(case),
        regions=lambda op: record.regions(op) + wide.regions(op),
    )


FAMILIES: dict[str, Family] = {
    record.name: _widened(record) for record in (CONV, CONV_TRANSPOSE, POOL)
}


def family(case: Case) -> Family:
    return FAMILIES[case.family]


def of_op(op: str) -> Family:
    """The family an operator belongs to."""
    return FAMILIES[OPS[op][0]]


def ops_of(names: list[str] | None) -> tuple[str, ...]:
    """Operators by name (all when None), in their canonical order; ValueError on an unknown one."""
    if names is None:
        return tuple(OPS)
    unknown = [name for name in names if name not in OPS]
    if unknown or not names:
        raise ValueError(
            f"unknown op {', '.join(unknown) or '(none)'}; choose from {','.join(OPS)}"
        )
    return tuple(op for op in OPS if op in names)


__all__ = ["FAMILIES", "Family", "family", "of_op", "ops_of"]
