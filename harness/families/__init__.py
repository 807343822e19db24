"""The operator families, one folder each (conv, conv_transpose, pool, ...), found by their
folders: every subpackage of harness/families/ with an `operators` module is a family.

This module is the registry of what a case of each family is (its `Operators`, the `OPERATORS`
of harness/families/<family>/operators.py) and the operator table built from them; harness/case.py
reads it. The families' records (reference, inference, strategies, classic cases, recipes,
focus regions) are harness/families/<family>/record.py, gathered by harness/ops. A new family
is a new folder: no line here names one.
"""

from __future__ import annotations

import importlib
import pkgutil

from harness.families.operators import Operators


def family_names() -> tuple[str, ...]:
    """The families' folders, in name order: the order every listing uses."""
    return tuple(sorted(module.name for module in pkgutil.iter_modules(__path__) if module.ispkg))


def _operators(name: str) -> Operators:
    found = importlib.import_module(f"{__name__}.{name}.operators").OPERATORS
    if not isinstance(found, Operators) or found.name != name:
        raise TypeError(f"harness/families/{name}/operators.py must give OPERATORS named {name}")
    return found


OPERATORS: dict[str, Operators] = {name: _operators(name) for name in family_names()}

# operator -> (family, rank), in the order every listing uses
OPS: dict[str, tuple[str, int]] = {
    op: (entry.name, rank) for entry in OPERATORS.values() for op, rank in entry.ops.items()
}


def operators_of(op: str) -> Operators:
    """What a case of `op` is: its family's Operators (KeyError for an unknown op)."""
    return OPERATORS[OPS[op][0]]
