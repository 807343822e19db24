"""What a case of a family's operators is: the part of an operator family that sits below the
case itself (harness/case.py asks it, and so do the features, the conventions, the inputs and
the focus and wide regimes), with no array code and no framework.

A family gives its operators and ranks, whether they carry a weight, the case fields only it
takes (their checks, JSON form and `explain` flags), the `when` words it adds to the feature
vocabulary, the extra rules its conventions tables hold, and the keys its result rows add.
The rest of a family (reference, inference, strategies, classic cases, recipes) is its record,
harness/families/family.py, above the model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from harness.fields import Pads

if TYPE_CHECKING:
    from harness.case import Case


class FamilyRules(Protocol):
    """What a family's conventions table says beyond the padding words (conventions.Rules)."""

    def pads(self, case: Case, pads: Pads | None, rounding: str) -> Pads | None:
        """The pads the framework applies, from those its words give (`pads`)."""
        ...

    def divisor_of(self, case: Case) -> str | None:
        """An average's divisor rule ("include" or "exclude" the padding); None for others."""
        ...


def arranged(rules: FamilyRules | None, case: Case) -> Callable[[Any], Any] | None:
    """What brings a framework's output to the harness's canonical form, where its family's
    rules document an arrangement of their own (an `arrange(case, output)` method: the order of
    a patch axis, say); None where the output is canonical as it comes."""
    arrange = getattr(rules, "arrange", None)
    return None if arrange is None else lambda output: arrange(case, output)


def dense_weight(case: Case) -> tuple[int, ...]:
    """[O, C/groups, *kernel]: a convolution's weight (PyTorch's layout)."""
    return (case.out_channels, case.in_channels // case.groups, *case.kernel)


@dataclass(frozen=True)
class Operators:
    name: str  # the family's name, as case.family and the conventions tables spell it
    ops: dict[str, int]  # operator -> rank, in the order every listing uses
    # False: no weight, no bias, one group, channels pass through (pooling)
    weighted: bool = True
    weight_shape: Callable[[Case], tuple[int, ...]] = dense_weight
    stride_defaults_to_kernel: bool = False  # an unset stride is the kernel (most pooling APIs)
    fields: tuple[str, ...] = ()  # case fields only this family takes
    foreign: str = "{name} is not an option of {op}"  # the line refusing one on another case
    check: Callable[[Case], None] = lambda case: None  # the checks of a case of this family
    to_json: Callable[[Case], dict[str, Any]] = lambda case: {}  # its fields, when set
    from_json: Callable[[dict[str, Any], int], dict[str, Any]] = lambda data, rank: {}
    flags: Callable[[Case], list[str]] = lambda case: []  # its fields as `explain` flags
    # the `when` words it adds (all bool: a case of another family has each one false)
    vocabulary: dict[str, type] = field(default_factory=dict)
    features: Callable[[Case, Pads, str], dict[str, Any]] = lambda case, pads, rounding: {}
    # the rules of a `[frameworks.<name>.<family>]` table beyond the words; None: none
    parse_rules: Callable[[dict[str, Any], str], FamilyRules | None] = lambda body, where: None
    result_keys: Callable[[str], tuple[str, ...]] = lambda op: ()  # keys an op's rows add
    # the case asks for its output size itself (the wide regime keeps its sizes then)
    asks_size: Callable[[Case], bool] = lambda case: False
    # the channels of the output (its out_channels, but where the family makes more of them)
    output_channels: Callable[[Case], int] = lambda case: case.out_channels

    def refuse_foreign(self, case: Case) -> str | None:
        """The line refusing this family's fields on `case`, if `case` sets one."""
        unset_values = {f.name: f.default for f in dataclasses.fields(case)}
        for name in self.fields:
            value, unset = getattr(case, name), unset_values[name]
            if not (value is unset or (type(value) is type(unset) and value == unset)):
                return self.foreign.format(name=name, op=case.op)
        return None
