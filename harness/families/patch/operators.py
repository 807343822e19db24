"""Patch extraction (patches1d, patches2d, patches3d) below the case: no weight and no bias, the
case's channels are the input's (out_channels equals in_channels, groups 1), and the output has
C·prod(kernel) channels, one per channel and tap; a stride of 1 where unset; no fields of its
own; the patch-axis order its conventions tables state (rules.py)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from harness.families.operators import Operators
from harness.families.patch import rules
from harness.fields import CaseError

if TYPE_CHECKING:
    from harness.case import Case


def _check(case: Case) -> None:
    if case.bias or case.groups != 1 or case.out_channels != case.in_channels:
        raise CaseError(
            f"{case.op} has no weight: out_channels equals in_channels "
            f"({case.in_channels}), groups 1, no bias"
        )


OPERATORS = Operators(
    name="patch",
    ops={f"patches{rank}d": rank for rank in (1, 2, 3)},
    weighted=False,
    weight_shape=lambda case: (),
    check=_check,
    parse_rules=rules.parse_rules,
    output_channels=lambda case: case.in_channels * math.prod(case.kernel),
)
