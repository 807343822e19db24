"""Convolution (conv1d, conv2d, conv3d) below the case: a weight `[O, C/groups, *k]`, no fields
of its own, no feature words or conventions rules beyond the shared ones."""

from __future__ import annotations

from harness.families.operators import Operators

OPERATORS = Operators(name="conv", ops={f"conv{rank}d": rank for rank in (1, 2, 3)})
