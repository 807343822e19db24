"""Named facts about a case: the vocabulary of every `when` in the data files.

Refusal rules and registry entries select cases by these names alone, so the
data files stay declarative and this module is the one place that computes them.
"""

from __future__ import annotations

from typing import Any

from .case import Case
from .oracle import output_size, same_total

Pads = tuple[int, int, int, int]

# name -> the kind of value it takes in a `when` table
FEATURES: dict[str, type] = {
    "padding": str,  # valid | same | same_lower | explicit
    "dtype": str,
    "strided": bool,  # a stride > 1 on some axis
    "dilated": bool,  # a dilation > 1 on some axis
    "grouped": bool,
    "empty_batch": bool,
    "negative_pad": bool,  # an explicit pad < 0 (a crop)
    "asymmetric_pad": bool,  # explicit, top != bottom or left != right
    "mixed_pad": bool,  # an axis cropped (negative pad) on one side and padded on the other
    "padded_negative": bool,  # cropping leaves a negative size on some axis
    "crop_past_input": bool,  # the negative pads alone remove more than an axis holds
    "same_crops": bool,  # a 'same' word whose unclamped total is negative (stride > kernel)
    "output": str,  # positive | zero | negative: the smallest output dim, framework's rounding
}


def output_hw(case: Case, pads: Pads, rounding: str = "floor") -> tuple[int, int]:
    top, bottom, left, right = pads
    return (
        output_size(
            case.height, case.kernel[0], case.stride[0], case.dilation[0], top, bottom, rounding
        ),
        output_size(
            case.width, case.kernel[1], case.stride[1], case.dilation[1], left, right, rounding
        ),
    )


def features(case: Case, pads: Pads, rounding: str = "floor") -> dict[str, Any]:
    """The named facts of a case whose padding resolves to `pads` (top, bottom, left, right).

    `output` is computed with the framework's own rounding (oracle.output_size).
    """
    top, bottom, left, right = pads
    smallest = min(output_hw(case, pads, rounding))
    explicit = case.padding.kind == "explicit"
    return {
        "padding": case.padding.kind,
        "dtype": case.dtype,
        "strided": max(case.stride) > 1,
        "dilated": max(case.dilation) > 1,
        "grouped": case.groups > 1,
        "empty_batch": case.batch == 0,
        "negative_pad": explicit and min(pads) < 0,
        "asymmetric_pad": explicit and (top != bottom or left != right),
        "mixed_pad": explicit
        and any(min(a, b) < 0 < max(a, b) for a, b in ((top, bottom), (left, right))),
        "padded_negative": case.height + top + bottom < 0 or case.width + left + right < 0,
        "same_crops": case.padding.kind in ("same", "same_lower")
        and any(
            same_total("unclamped", i, k, s, d) < 0
            for i, k, s, d in zip(
                (case.height, case.width), case.kernel, case.stride, case.dilation, strict=True
            )
        ),
        "crop_past_input": any(
            max(-a, 0) + max(-b, 0) > size
            for a, b, size in ((top, bottom, case.height), (left, right, case.width))
        ),
        "output": "negative" if smallest < 0 else "zero" if smallest == 0 else "positive",
    }


def check_when(when: Any, where: str) -> dict[str, Any]:
    """Validate a `when` table from a data file; raises ValueError naming `where`."""
    if not isinstance(when, dict):
        raise ValueError(f"{where}: 'when' must be a table")
    for name, wanted in when.items():
        if name not in FEATURES:
            raise ValueError(f"{where}: unknown feature {name!r} (known: {', '.join(FEATURES)})")
        kind = FEATURES[name]
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values or not all(type(v) is kind for v in values):
            raise ValueError(f"{where}: feature {name!r} takes {kind.__name__} values")
    return when


def matches(when: dict[str, Any], facts: dict[str, Any]) -> bool:
    """True when every named feature has the wanted value (a list means any of them)."""
    for name, wanted in when.items():
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if facts[name] not in allowed:
            return False
    return True
