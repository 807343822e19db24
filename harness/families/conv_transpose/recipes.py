"""Porting recipes for the transposed convolution: the twin of a case in the target's spelling.

The source framework's documented crops of a case (conventions.py) are written out the way the
target states them; a twin is None where the target has no way to (then the recipe does not
hold for that case, and the report counts only the cases it does hold for: no groups but in
PyTorch, no strides with dilation in Keras). Forms:

  torch            padding = low crop, output_padding = low - high (symmetric crops, PyTorch)
  crops            explicit (low, high) crops, no output_padding (JAX: d(k-1) - crop pads)
  tf_output_shape  explicit pads (low, max(high, 0)) and output_shape = full - low - high
  keras_same       'same' (no output_padding) where both crops are (e - s) / 2; else 'same' with
                   output_padding = e - e % 2 - 2·low, where both crops are `low` and that is
                   below the stride
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from harness.case import Case, CaseError, Padding, Pads, pairs
from harness.families.conv_transpose.sizes import full_size
from harness.model.oracle import effective_kernel

FORMS = ("torch", "crops", "tf_output_shape", "keras_same")
SELECTIONS = ("same", "explicit", "output_shape")  # which cases a recipe ports


def selects(selection: str, case: Case) -> bool:
    if selection == "output_shape":
        return case.output_shape is not None
    if case.output_shape is not None:
        return False
    return case.padding.kind == selection


def twin(form: str, case: Case, crops: tuple[int, ...]) -> Case | None:
    """The case restated in the target's form, with the source's crops; None if it cannot be."""
    axes = pairs(crops)
    if form != "torch" and case.groups > 1:  # TensorFlow, Keras and lax.conv_transpose
        return None
    if form == "keras_same" and max(case.stride) > 1 and max(case.dilation) > 1:
        return None  # Keras refuses strides with dilation
    try:
        if form == "crops":
            return _replace(case, Padding.explicit(*crops), ())
        if form == "torch":
            limits = [max(s, d) for s, d in zip(case.stride, case.dilation, strict=True)]
            if any(
                low < 0 or not 0 <= low - high < m
                for (low, high), m in zip(axes, limits, strict=True)
            ):
                return None
            return _replace(
                case,
                Padding.explicit(*[low for low, _ in axes for _ in (0, 1)]),
                tuple(low - high for low, high in axes),
            )
        if form == "tf_output_shape":
            if any(low < 0 for low, _ in axes):
                return None
            full = [
                full_size(*axis)
                for axis in zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
            ]
            shape = tuple(f - low - high for f, (low, high) in zip(full, axes, strict=True))
            padding = Padding.explicit(*[p for low, high in axes for p in (low, max(high, 0))])
            return dataclasses.replace(case, padding=padding, output_padding=(), output_shape=shape)
        if form == "keras_same":
            if any(low != high for low, high in axes):
                return None
            extents = [
                effective_kernel(k, d) for k, d in zip(case.kernel, case.dilation, strict=True)
            ]
            lows = [low for low, _ in axes]
            if all(e - s == 2 * low for e, s, low in zip(extents, case.stride, lows, strict=True)):
                return _replace(case, Padding("same"), ())  # Keras's own size, i·s
            extra = tuple(e - e % 2 - 2 * low for e, low in zip(extents, lows, strict=True))
            if any(not 0 <= p < s for p, s in zip(extra, case.stride, strict=True)):
                return None
            return _replace(case, Padding("same"), extra)
    except CaseError:
        return None
    raise ValueError(f"unknown recipe form {form!r}")


def _replace(case: Case, padding: Padding, output_padding: tuple[int, ...]) -> Case:
    return dataclasses.replace(
        case, padding=padding, output_padding=output_padding, output_shape=None
    )


def recipe_twin(
    selection: str, form: str, case: Case, documented: Callable[[], Pads | None]
) -> Case | None:
    """A recipe's twin (the family record's `twin`): the case, if the recipe selects it, with
    the source's documented crops written in the target's form."""
    if not selects(selection, case):
        return None
    crops = documented()
    return None if crops is None else twin(form, case, crops)
