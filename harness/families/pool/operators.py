"""Pooling (max_pool1d/2d/3d, avg_pool1d/2d/3d) below the case: no weight and no bias (channels
pass through: out_channels equals in_channels, groups 1), a stride that defaults to the kernel,
and two fields only it takes, both false by default and left out of the JSON form and the id
when false: `ceil_mode` (PyTorch's: round the output size up) and, for averages,
`count_include_pad` (the divisor counts the padding); their checks, its feature words (from
features.py), the ceil_mode and divisor rules of its conventions, and the `divisor` key of an
average's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.families.operators import Operators
from harness.families.pool import features, rules
from harness.fields import CaseError

if TYPE_CHECKING:
    from harness.case import Case

FLAGS = ("ceil_mode", "count_include_pad")  # in the JSON form and the id only when true


def averages(op: str) -> bool:
    return op.startswith("avg_")


def _check(case: Case) -> None:
    for name in ("ceil_mode", "count_include_pad", "bias"):
        if not isinstance(getattr(case, name), bool):
            raise CaseError(f"{name} must be true or false, got {getattr(case, name)!r}")
    if case.count_include_pad and not averages(case.op):
        raise CaseError(f"count_include_pad is an average pooling option; {case.op} takes none")
    if case.bias or case.groups != 1 or case.out_channels != case.in_channels:
        raise CaseError(
            f"{case.op} has no weight: out_channels equals in_channels "
            f"({case.in_channels}), groups 1, no bias"
        )
    if case.ceil_mode and case.padding.kind in ("same", "same_lower"):
        raise CaseError(f"ceil_mode takes explicit pads or 'valid', not {case.padding.kind!r}")


def _from_json(data: dict[str, Any], rank: int) -> dict[str, Any]:
    found = {}
    for name in FLAGS:
        found[name] = data.get(name, False)
        if not isinstance(found[name], bool):
            raise CaseError(f"{name} must be true or false, got {found[name]!r}")
    return found


OPERATORS = Operators(
    name="pool",
    ops={f"{kind}_pool{rank}d": rank for kind in ("max", "avg") for rank in (1, 2, 3)},
    weighted=False,
    weight_shape=lambda case: (),
    stride_defaults_to_kernel=True,
    fields=FLAGS,
    foreign="{name} is a pooling option; {op} takes none",
    check=_check,
    to_json=lambda case: {name: True for name in FLAGS if getattr(case, name)},
    from_json=_from_json,
    flags=lambda case: [f"--{name.replace('_', '-')}" for name in FLAGS if getattr(case, name)],
    vocabulary=features.VOCABULARY,
    features=features.features,
    parse_rules=rules.parse_rules,
    result_keys=lambda op: ("divisor",) if averages(op) else (),
)
