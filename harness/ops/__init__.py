"""The operator families: one record per family (its operators, reference, output sizes,
padding inference, strategies, coverage regions, classic cases) drives every room that needs
to know which operator a case carries. The rest of the harness asks `family(case)`.
"""

from __future__ import annotations

from harness.case import OPS, Case
from harness.ops.conv import CONV
from harness.ops.conv_transpose import CONV_TRANSPOSE
from harness.ops.family import Family
from harness.ops.pool import POOL

FAMILIES: dict[str, Family] = {family.name: family for family in (CONV, CONV_TRANSPOSE, POOL)}


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
