"""The registry of the operator families' records: one record per family folder, found by the
folder (harness/families/<family>/record.py: its operators, reference, padding inference,
strategies, coverage regions, classic cases, focus moves, recipe twins), drives every room
above the model that needs to know which operator a case carries. Those rooms ask
`family(case)` or `of_op(op)`; a room of the model is handed the record by its caller.

Every family is drawn through one focusing (harness/model/focus.py: some cases moved into the
corners where frameworks are known to go wrong, a region drawn among every family's moves) and
one widening (harness/model/wide.py): its own small edge cases, some made wide (many channels,
depthwise, 1x1 and 3x3 kernels, large spatial sizes), and its coverage regions with the focus
and wide ones added.
"""

from __future__ import annotations

import importlib
from dataclasses import replace

from harness.case import OPS, Case
from harness.families import OPERATORS
from harness.families.family import Family
from harness.model import focus, wide


def _record(name: str) -> Family:
    """The family's record: the one `Family` named `name` in harness/families/<name>/record.py."""
    module = importlib.import_module(f"harness.families.{name}.record")
    found = [value for value in vars(module).values() if isinstance(value, Family)]
    if len(found) != 1 or found[0].name != name:
        raise TypeError(f"harness/families/{name}/record.py must hold one Family named {name}")
    return found[0]


RECORDS = tuple(_record(name) for name in OPERATORS)  # every family folder's, in its order
MOVES = focus.all_moves(record.focus for record in RECORDS)  # the focus regions a draw picks


def _widened(record: Family) -> Family:
    """The family as every survey and suite draws it: its strategy focused and widened, its
    coverage and regions with the wide regime's."""

    def strategy(op: str):
        return wide.widened(focus.focused(record.strategy(op), MOVES, record.focus), record.memory)

    return replace(
        record,
        strategy=strategy,
        coverage=lambda case: record.coverage(case) + wide.coverage(case) + focus.coverage(case),
        regions=lambda op: record.regions(op) + wide.regions(op),
    )


FAMILIES: dict[str, Family] = {record.name: _widened(record) for record in RECORDS}


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
