"""Named facts about a case: the vocabulary of every `when` in the data files.

Refusal rules and registry entries select cases by these names alone, so the
data files stay declarative and this module is the one place that computes them.
"""

from __future__ import annotations

from typing import Any

from harness.case import Case, Pads, pairs
from harness.model import transposed
from harness.model.oracle import effective_kernel, output_size, same_total

# name -> the kind of value it takes in a `when` table
FEATURES: dict[str, type] = {
    "op": str,  # conv1d | conv2d | conv3d
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
    # transposed ops
    "output_padding_past": bool,  # output_padding >= max(stride, dilation) on some axis
    "output_padding_past_stride": bool,  # output_padding >= stride on some axis
    # the output size stated (output_shape, or what the pads, output_padding or Keras's word
    # give) is not 0..stride-1 past the smallest one the padding allows, on some axis
    "output_size_past_stride": bool,
    "output_shape": bool,  # the case asks for an output size
    "output_padding": bool,  # the case gives an output_padding (even 0)
    "stride_past_kernel": bool,  # a stride larger than the dilated kernel on some axis
    # an output_shape a stride or more past the full output, (i - 1)s + d(k-1) + 1, on some axis
    "output_shape_past_full": bool,
    # the stride-dilated input, padded by d(k-1) - crop per side, is smaller than nothing:
    # an output size below 1 - d(k-1) (lax.conv_transpose's refusal)
    "dilated_padded_negative": bool,
    "ceil_mode": bool,  # pooling rounds the output size up
    "count_include_pad": bool,  # average pooling asks for a divisor that counts the padding
    "pad_past_half": bool,  # an explicit pad > half the (undilated) kernel, k // 2
    "kernel_exceeds_input": bool,  # the dilated kernel is larger than the padded input
    "input_under_kernel": bool,  # the input, before any padding, is smaller than the kernel
    "pad_reaches_kernel": bool,  # an explicit pad >= the (undilated) kernel
    "pad_reaches_dilated_kernel": bool,  # an explicit pad >= the dilated kernel, d(k-1) + 1
    "window_outside": bool,  # some window holds no input element (padding or overhang only)
    "last_axis_strided_to_one": bool,  # the last spatial axis: stride > 1, one output
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
    smallest = min(output_spatial(case, pads, rounding))
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
        "ceil_mode": case.ceil_mode,
        "count_include_pad": case.count_include_pad,
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
        "last_axis_strided_to_one": case.stride[-1] > 1
        and output_spatial(case, pads, rounding)[-1] == 1,
        **_transposed_features(case),
        "dilated_padded_negative": case.family == "conv_transpose"
        and any(
            o + d * (k - 1) < 0
            for o, k, d in zip(
                output_spatial(case, pads, "transpose"), case.kernel, case.dilation, strict=True
            )
        ),
    }


def _extra(case: Case) -> tuple[int, ...]:
    """Per axis of a transposed case, how far the output size it states (output_shape, or
    the size its pads and output_padding give; Keras's for a word) goes past the smallest one
    its padding gives: one strided forward convolution maps back from s sizes, extras 0..s-1.
    Under 'same' the smallest is (i - 1)s + 1 (TensorFlow's 'SAME' range ends at i·s)."""
    if case.family != "conv_transpose":
        return (0,) * case.rank
    if case.output_shape is None and case.padding.kind == "explicit":
        return case.output_padding or (0,) * case.rank
    asked = transposed.implied_spatial(case)
    pairs_ = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * case.rank
    found = []
    for axis, (low, high) in enumerate(pairs_):
        i, k, s, d = (v[axis] for v in (case.spatial, case.kernel, case.stride, case.dilation))
        smallest = (i - 1) * s + d * (k - 1) + 1 - low - high
        if case.padding.kind in ("same", "same_lower"):
            smallest = (i - 1) * s + 1
        found.append(asked[axis] - smallest)
    return tuple(found)


def _transposed_features(case: Case) -> dict[str, Any]:
    given = _extra(case)
    axes = list(zip(given, case.stride, case.dilation, strict=True))
    given_ = case.output_padding or (0,) * case.rank
    literal = list(zip(given_, case.stride, case.dilation, strict=True))
    return {
        "output_padding_past": any(p >= max(s, d) for p, s, d in literal),
        "output_padding_past_stride": any(p >= s for p, s, _ in literal),
        "output_size_past_stride": any(not 0 <= p < s for p, s, _ in axes),
        "output_shape": case.output_shape is not None,
        "output_padding": bool(case.output_padding),
        "output_shape_past_full": case.output_shape is not None
        and any(
            o - ((i - 1) * s + d * (k - 1) + 1) >= s
            for o, i, k, s, d in zip(
                case.output_shape,
                case.spatial,
                case.kernel,
                case.stride,
                case.dilation,
                strict=True,
            )
        ),
        "stride_past_kernel": any(
            s > d * (k - 1) + 1
            for k, s, d in zip(case.kernel, case.stride, case.dilation, strict=True)
        ),
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
