"""The transposed convolution's words in the feature vocabulary (harness/model/features.py):
how the output size a case states relates to its stride and its full output, and the
stride-dilated input that lax.conv_transpose pads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.families.conv_transpose.rules import implied_spatial
from harness.fields import Pads, pairs
from harness.model.oracle import output_size

if TYPE_CHECKING:
    from harness.case import Case

VOCABULARY: dict[str, type] = {
    "output_padding_past": bool,  # output_padding >= max(stride, dilation) on some axis
    "output_padding_past_stride": bool,  # output_padding >= stride on some axis
    # the output size stated (output_shape, or what the pads, output_padding or Keras's word
    # give) is not 0..stride-1 past the smallest one the padding allows, on some axis
    "output_size_past_stride": bool,
    "output_shape": bool,  # the case asks for an output size
    "output_padding": bool,  # the case gives an output_padding (even 0)
    # an output_shape a stride or more past the full output, (i - 1)s + d(k-1) + 1, on some axis
    "output_shape_past_full": bool,
    # the stride-dilated input, padded by d(k-1) - crop per side, is smaller than nothing:
    # an output size below 1 - d(k-1) (lax.conv_transpose's refusal)
    "dilated_padded_negative": bool,
}


def _extra(case: Case) -> tuple[int, ...]:
    """Per axis, how far the output size the case states (output_shape, or the size its pads
    and output_padding give; Keras's for a word) goes past the smallest one its padding gives:
    one strided forward convolution maps back from s sizes, extras 0..s-1. Under 'same' the
    smallest is (i - 1)s + 1 (TensorFlow's 'SAME' range ends at i·s)."""
    if case.output_shape is None and case.padding.kind == "explicit":
        return case.output_padding or (0,) * case.rank
    asked = implied_spatial(case)
    pairs_ = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * case.rank
    found = []
    for axis, (low, high) in enumerate(pairs_):
        i, k, s, d = (v[axis] for v in (case.spatial, case.kernel, case.stride, case.dilation))
        smallest = (i - 1) * s + d * (k - 1) + 1 - low - high
        if case.padding.kind in ("same", "same_lower"):
            smallest = (i - 1) * s + 1
        found.append(asked[axis] - smallest)
    return tuple(found)


def features(case: Case, pads: Pads, rounding: str) -> dict[str, Any]:
    """The words of VOCABULARY for a transposed case whose crops are `pads`."""
    given = _extra(case)
    axes = list(zip(given, case.stride, case.dilation, strict=True))
    given_ = case.output_padding or (0,) * case.rank
    literal = list(zip(given_, case.stride, case.dilation, strict=True))
    geometry = list(zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True))
    transposed = [
        output_size(i, k, s, d, low, high, "transpose")
        for (i, k, s, d), (low, high) in zip(geometry, pairs(pads), strict=True)
    ]
    return {
        "output_padding_past": any(p >= max(s, d) for p, s, d in literal),
        "output_padding_past_stride": any(p >= s for p, s, _ in literal),
        "output_size_past_stride": any(not 0 <= p < s for p, s, _ in axes),
        "output_shape": case.output_shape is not None,
        "output_padding": bool(case.output_padding),
        "output_shape_past_full": case.output_shape is not None
        and any(
            o - ((i - 1) * s + d * (k - 1) + 1) >= s
            for o, (i, k, s, d) in zip(case.output_shape, geometry, strict=True)
        ),
        "dilated_padded_negative": any(
            o + d * (k - 1) < 0 for o, (_, k, _, d) in zip(transposed, geometry, strict=True)
        ),
    }
