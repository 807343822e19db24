"""Named facts about a case: the vocabulary of every `when` in the data files.

Refusal rules and registry entries select cases by these names alone, so the
data files stay declarative. This module computes the shared ones; each operator family adds
its own words (Operators.vocabulary and .features, harness/families/<family>/), which are
false on a case of another family.
"""

from __future__ import annotations

from typing import Any

from harness.case import Case, Pads, pairs
from harness.families import OPERATORS
from harness.model.oracle import effective_kernel, output_size, same_total

# name -> the kind of value it takes in a `when` table
FEATURES: dict[str, type] = {
    "op": str,  # an operator of case.OPS: conv2d, conv_transpose1d, avg_pool3d, ...
    "rank": int,  # spatial axes
    "padding": str,  # valid | same | same_lower | explicit
    "dtype": str,
    "strided": bool,  # a stride > 1 on some axis
    "dilated": bool,  # a dilation > 1 on some axis
    "grouped": bool,
    "empty_batch": bool,
    "negative_pad": bool,  # an explicit pad < 0 (a crop)
    "asymmetric_pad": bool,  # explicit, low != high on some axis
    "mixed_pad": bool,  # an axis cropped (negative pad) on one side and padded on the other
    "padded_negative": bool,  # cropping leaves a negative size on some axis
    "crop_past_input": bool,  # the negative pads alone remove more than an axis holds
    "same_crops": bool,  # a 'same' word whose unclamped total is negative (stride > kernel)
    "output": str,  # positive | zero | negative: the smallest output dim, framework's rounding
    "stride_past_kernel": bool,  # a stride larger than the dilated kernel on some axis
    "pad_past_half": bool,  # an explicit pad > half the (undilated) kernel, k // 2
    "kernel_exceeds_input": bool,  # the dilated kernel is larger than the padded input
    "input_under_kernel": bool,  # the input, before any padding, is smaller than the kernel
    "pad_reaches_kernel": bool,  # an explicit pad >= the (undilated) kernel
    "pad_reaches_dilated_kernel": bool,  # an explicit pad >= the dilated kernel, d(k-1) + 1
    "window_outside": bool,  # some window holds no input element (padding or overhang only)
    "last_axis_strided_to_one": bool,  # the last spatial axis: stride > 1, one output
    "empty_axis_truncates_to_one": bool,  # no output by floor, one by division towards zero
    "undilated_kernel_exceeds_input": bool,  # the undilated kernel is larger than the padded input
}
# and each family's own words (Operators.vocabulary), false on another family's case
OWN: dict[str, dict[str, type]] = {name: entry.vocabulary for name, entry in OPERATORS.items()}
FEATURES.update({word: kind for vocabulary in OWN.values() for word, kind in vocabulary.items()})
ELSEWHERE: dict[str, dict[str, Any]] = {
    name: {
        word: False
        for other, vocabulary in OWN.items()
        if other != name
        for word in vocabulary
        if word not in OWN[name]
    }
    for name in OWN
}


def output_spatial(case: Case, pads: Pads, rounding: str = "floor") -> tuple[int, ...]:
    """The output size of every spatial axis under `pads` and a documented rounding."""
    return tuple(
        output_size(i, k, s, d, low, high, rounding)
        for i, k, s, d, (low, high) in zip(
            case.spatial, case.kernel, case.stride, case.dilation, pairs(pads), strict=True
        )
    )


def features(case: Case, pads: Pads, rounding: str = "floor") -> dict[str, Any]:
    """The named facts of a case whose padding resolves to `pads` (low, high per axis).

    `output` is computed with the framework's own rounding (oracle.output_size).
    """
    axes = list(
        zip(case.spatial, case.kernel, case.stride, case.dilation, pairs(pads), strict=True)
    )
    sizes = output_spatial(case, pads, rounding)
    smallest = min(sizes)
    explicit = case.padding.kind == "explicit"
    # the pads the case asks for (`pads` may add a pooling ceil_mode overhang)
    asked_pads = case.padding.pairs() if explicit else [(0, 0)] * case.rank
    asked = list(zip(case.kernel, case.dilation, asked_pads, strict=True))
    return {
        "op": case.op,
        "rank": case.rank,
        "padding": case.padding.kind,
        "dtype": case.dtype,
        "strided": max(case.stride) > 1,
        "dilated": max(case.dilation) > 1,
        "grouped": case.groups > 1,
        "empty_batch": case.batch == 0,
        # the pads the case states (a transposed case's resolved crops fold output_padding in)
        "negative_pad": explicit and min(case.padding.pads) < 0,
        "asymmetric_pad": explicit and any(low != high for low, high in case.padding.pairs()),
        "mixed_pad": explicit and any(min(a, b) < 0 < max(a, b) for a, b in case.padding.pairs()),
        "padded_negative": any(i + low + high < 0 for i, *_, (low, high) in axes),
        "same_crops": case.padding.kind in ("same", "same_lower")
        and any(same_total("unclamped", i, k, s, d) < 0 for i, k, s, d, _ in axes),
        "crop_past_input": any(max(-a, 0) + max(-b, 0) > i for i, *_, (a, b) in axes),
        "output": "negative" if smallest < 0 else "zero" if smallest == 0 else "positive",
        "pad_past_half": explicit and any(max(a, b) > k // 2 for k, _, (a, b) in asked),
        "kernel_exceeds_input": any(
            i + a + b < effective_kernel(k, d)
            for i, (k, d, (a, b)) in zip(case.spatial, asked, strict=True)
        ),
        "input_under_kernel": any(
            i < effective_kernel(k, d)
            for i, k, d in zip(case.spatial, case.kernel, case.dilation, strict=True)
        ),
        "pad_reaches_kernel": explicit and any(max(a, b) >= k for k, _, (a, b) in asked),
        "pad_reaches_dilated_kernel": explicit
        and any(max(a, b) >= effective_kernel(k, d) for k, d, (a, b) in asked),
        "window_outside": any(_window_outside(*axis) for axis in axes),
        "last_axis_strided_to_one": case.stride[-1] > 1 and sizes[-1] == 1,
        "empty_axis_truncates_to_one": any(  # floor's size 0, division towards zero's 1
            output_size(i, k, s, d, low, high) == 0
            and output_size(i, k, s, d, low, high, "truncate_span") == 1
            for i, k, s, d, (low, high) in axes
        ),
        "undilated_kernel_exceeds_input": any(i + low + high < k for i, k, *_, (low, high) in axes),
        "stride_past_kernel": any(
            s > d * (k - 1) + 1
            for k, s, d in zip(case.kernel, case.stride, case.dilation, strict=True)
        ),
        **ELSEWHERE[case.family],
        **case.operators.features(case, pads, rounding),
    }


def _window_outside(i: int, k: int, s: int, d: int, pads: tuple[int, int]) -> bool:
    """Whether a window along this axis (under these pads) holds no input element."""
    low, high = pads
    out = output_size(i, k, s, d, low, high)
    return any(all(not 0 <= o * s - low + j * d < i for j in range(k)) for o in range(max(out, 0)))


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
