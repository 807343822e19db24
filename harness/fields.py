"""The values a case is made of, below the case and its operator families: flat (low, high)
pads, per-axis ints, and the error a case that is not one raises. The families' case rules
(harness/families/*/operators.py) read and check their own fields with these."""

from __future__ import annotations

from typing import Any

Pads = tuple[int, ...]  # (low, high) per spatial axis, flattened: (top, bottom, left, right) in 2-d


class CaseError(ValueError):
    """A case, padding spec or case line that does not describe a case."""


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def pairs(pads: Pads) -> list[tuple[int, int]]:
    """Flat pads as one (low, high) pair per axis."""
    return [(pads[i], pads[i + 1]) for i in range(0, len(pads), 2)]


def axes(name: str, value: Any, rank: int, minimum: int) -> tuple[int, ...]:
    """One int per spatial axis (a single int means every axis)."""
    if is_int(value):
        value = [value] * rank
    if not isinstance(value, (list, tuple)) or len(value) != rank or not all(map(is_int, value)):
        raise CaseError(
            f"{name} must be an int or {rank} ints (one per spatial axis), got {value!r}"
        )
    if min(value) < minimum:
        raise CaseError(f"{name} must be >= {minimum}, got {list(value)}")
    return tuple(int(v) for v in value)
