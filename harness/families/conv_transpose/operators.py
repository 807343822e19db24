"""Transposed convolution (conv_transpose1d/2d/3d) below the case: a weight `[C_in, C_out/groups,
*k]` (PyTorch's), and the two fields only it takes, `output_padding` (extra outputs on the high
side, one per axis) and `output_shape` (the spatial size asked for, TensorFlow and ONNX style),
both left out of the JSON form and the id when not given; their checks, its feature words and
the `crops` table of its conventions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.families.conv_transpose import features, rules
from harness.families.conv_transpose.sizes import output_shape_range
from harness.families.operators import Operators
from harness.fields import CaseError, axes

if TYPE_CHECKING:
    from harness.case import Case

FIELDS = ("output_padding", "output_shape")


def _weight(case: Case) -> tuple[int, ...]:
    return (case.in_channels, case.out_channels // case.groups, *case.kernel)


def _check(case: Case) -> None:
    if case.output_padding != ():
        object.__setattr__(
            case, "output_padding", axes("output_padding", case.output_padding, case.rank, 0)
        )
    if case.output_shape is not None:
        if case.output_padding != ():
            raise CaseError("give output_padding or output_shape, not both")
        shape = axes("output_shape", case.output_shape, case.rank, 0)
        object.__setattr__(case, "output_shape", shape)
        for axis, size in enumerate(shape):
            low, high = output_shape_range(case, axis)
            if not low <= size <= high:
                raise CaseError(
                    f"output_shape {list(shape)}: axis {axis} takes {low}..{high} "
                    f"with padding {case.padding} on every framework, not {size}"
                )


def _to_json(case: Case) -> dict[str, Any]:
    """The fields a case sets; defaults are left out, so other ids stay."""
    found: dict[str, Any] = {}
    if case.output_padding != ():
        found["output_padding"] = list(case.output_padding)
    if case.output_shape is not None:
        found["output_shape"] = list(case.output_shape)
    return found


def _from_json(data: dict[str, Any], rank: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "output_padding" in data:
        found["output_padding"] = axes("output_padding", data["output_padding"], rank, 0)
    if data.get("output_shape") is not None:
        found["output_shape"] = axes("output_shape", data["output_shape"], rank, 0)
    return found


def _flags(case: Case) -> list[str]:
    join = ",".join
    flags = []
    if case.output_padding != ():
        flags.append(f"--output-padding {join(map(str, case.output_padding))}")
    if case.output_shape is not None:
        flags.append(f"--output-shape {join(map(str, case.output_shape))}")
    return flags


OPERATORS = Operators(
    name="conv_transpose",
    ops={f"conv_transpose{rank}d": rank for rank in (1, 2, 3)},
    weight_shape=_weight,
    fields=FIELDS,
    foreign="{name} is for transposed ops only, not {op}",
    check=_check,
    to_json=_to_json,
    from_json=_from_json,
    flags=_flags,
    vocabulary=features.VOCABULARY,
    features=features.features,
    parse_rules=rules.parse_rules,
    asks_size=lambda case: case.output_shape is not None,
)
