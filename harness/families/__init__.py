"""The operator families, one folder each: conv, conv_transpose, pool.

This module is the registry of what a case of each family is (its `Operators`, from
harness/families/<family>/operators.py) and the operator table built from them; harness/case.py
reads it. The families' records (reference, inference, strategies, classic cases, recipes,
focus regions) are harness/families/<family>/record.py, gathered by harness/ops.
"""

from __future__ import annotations

from harness.families.conv.operators import OPERATORS as CONV
from harness.families.conv_transpose.operators import OPERATORS as CONV_TRANSPOSE
from harness.families.operators import Operators
from harness.families.pool.operators import OPERATORS as POOL

OPERATORS: dict[str, Operators] = {entry.name: entry for entry in (CONV, CONV_TRANSPOSE, POOL)}

# operator -> (family, rank), in the order every listing uses
OPS: dict[str, tuple[str, int]] = {
    op: (entry.name, rank) for entry in OPERATORS.values() for op, rank in entry.ops.items()
}
