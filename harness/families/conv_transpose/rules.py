"""The transposed convolution's conventions rules: the crops each framework's padding resolves
to, from the `crops` table of `[frameworks.<name>.conv_transpose]`, and the output size a case
states.

A transposed case's explicit pads are crops of the full transposed output, (i - 1)s + d(k-1) + 1
per axis (PyTorch's meaning); output_padding extends the high side, so the applied crop of an
axis is (low, high - output_padding). A word or an output_shape resolves per framework, by rules
named in data/conventions.toml:

  size   the output size of a word: full (full + output_padding), max_kernel_stride
         ((i-1)s + max(e, s), or full + output_padding when one is given; Keras, JAX 'VALID'),
         times_stride (i·s, or (i-1)s + e%2 + output_padding when one is given; Keras, JAX and
         TensorFlow 'SAME'), times_stride_only (i·s whatever output_padding; ONNX SAME_*),
         full_less_input_same (full - input_same + output_padding; Paddle 'SAME')
  total  the crop total a split divides: forward_minimal = max(0, full - out) (the 'SAME'
         padding of the forward convolution from `out` back to the input), with_output_padding
         = full + output_padding - out (ONNX), with_output_padding_minimal = max(0, that)
         (ONNX Runtime), input_same = the minimal 'SAME' padding of a forward convolution of the
         input itself, max(0, (ceil(i/s) - 1)s + d(k-1) + 1 - i), whatever the output (Paddle)
  split  oracle.split's rules: where an odd pixel of the total goes; the high crop is then
         whatever the output size leaves, full - out - low
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.families.conv_transpose.sizes import full_size
from harness.fields import Pads
from harness.model import oracle

if TYPE_CHECKING:
    from harness.case import Case

SIZES = ("full", "max_kernel_stride", "times_stride", "times_stride_only", "full_less_input_same")
TOTALS = ("forward_minimal", "with_output_padding", "with_output_padding_minimal", "input_same")
SHAPE_WITH_PADS = ("keep_low", "split")  # an output_shape with explicit pads: the low crop


@dataclass(frozen=True)
class WordRule:
    size: str
    total: str
    split: str
    citation: str


@dataclass(frozen=True)
class TransposeRules:
    """How one framework resolves a transposed case's padding into crops."""

    valid: WordRule
    same: WordRule | None
    same_lower: WordRule | None
    shape_with_pads: str  # keep_low: the explicit low crop stays; split: by the valid rule
    citation: str

    def pads(self, case: Case, pads: Pads | None, rounding: str) -> Pads | None:
        """The crops: a transposed case's padding words are read by these rules alone."""
        return self.crops(case)

    def divisor_of(self, case: Case) -> str | None:
        return None

    def crops(self, case: Case) -> Pads | None:
        """(low, high) crop per axis of the full output; None where the word has no meaning."""
        kind = case.padding.kind
        given = case.output_padding or (0,) * case.rank
        if kind == "explicit" and (case.output_shape is None or self.shape_with_pads == "keep_low"):
            found = []
            for axis, (low, high) in enumerate(case.padding.pairs()):
                if case.output_shape is None:
                    found += [low, high - given[axis]]
                else:
                    found += [low, _full(case, axis) - case.output_shape[axis] - low]
            return tuple(found)
        rule = {"valid": self.valid, "same": self.same, "same_lower": self.same_lower}.get(
            kind, self.valid
        )
        if rule is None:
            return None
        return tuple(c for axis in range(case.rank) for c in _word_crops(case, axis, rule))


def _full(case: Case, axis: int) -> int:
    return full_size(case.spatial[axis], case.kernel[axis], case.stride[axis], case.dilation[axis])


def word_size(case: Case, axis: int, size: str) -> int:
    """The output size a word asks for along an axis, by a named size rule."""
    if case.output_shape is not None:
        return case.output_shape[axis]
    i, s = case.spatial[axis], case.stride[axis]
    e = oracle.effective_kernel(case.kernel[axis], case.dilation[axis])
    given = case.output_padding[axis] if case.output_padding else None
    full = _full(case, axis)
    if size == "full":
        return full + (given or 0)
    if size == "max_kernel_stride":
        return (i - 1) * s + max(e, s) if given is None else full + given
    if size == "times_stride":
        return i * s if given is None else (i - 1) * s + e % 2 + given
    if size == "times_stride_only":
        return i * s
    if size == "full_less_input_same":
        return full - _input_same(case, axis) + (given or 0)
    raise ValueError(f"unknown size rule {size!r}")


def _input_same(case: Case, axis: int) -> int:
    """The minimal 'SAME' padding of a forward convolution of the input along an axis."""
    i, k, s, d = (v[axis] for v in (case.spatial, case.kernel, case.stride, case.dilation))
    return oracle.same_total("minimal", i, k, s, d)


def _word_crops(case: Case, axis: int, rule: WordRule) -> tuple[int, int]:
    full, out = _full(case, axis), word_size(case, axis, rule.size)
    given = case.output_padding[axis] if case.output_padding else 0
    total = full - out if rule.total == "forward_minimal" else full + given - out
    if rule.total == "input_same":
        total = _input_same(case, axis)
    elif rule.total != "with_output_padding":
        total = max(0, total)
    low, _ = oracle.split(rule.split, total)
    return (low, full - out - low)


def implied_spatial(case: Case) -> tuple[int, ...]:
    """The output size a case states for APIs that take one (TensorFlow's output_shape): its
    own output_shape; the crop's size for explicit pads; Keras's for a word."""
    if case.output_shape is not None:
        return case.output_shape
    given = case.output_padding or (0,) * case.rank
    if case.padding.kind == "explicit":
        return tuple(
            _full(case, a) - low - high + given[a]
            for a, (low, high) in enumerate(case.padding.pairs())
        )
    size = "times_stride" if case.padding.kind != "valid" else "max_kernel_stride"
    return tuple(word_size(case, axis, size) for axis in range(case.rank))


def _word_rule(data: Any, where: str) -> WordRule | None:
    if data is None:
        return None
    rule = WordRule(data["size"], data["total"], data["split"], data["citation"])
    if rule.size not in SIZES or rule.total not in TOTALS or rule.split not in oracle.SPLIT_RULES:
        raise ValueError(f"{where}: unknown transposed padding rule {data!r}")
    return rule


def parse_rules(body: dict[str, Any], where: str) -> TransposeRules | None:
    """The `crops` table of a conv_transpose family in conventions.toml (None for a table
    whose output rounding is not a transposed one)."""
    if not body["output"].startswith("transpose"):
        return None
    data = body.get("crops")
    if not isinstance(data, dict) or not data.get("citation"):
        raise ValueError(f"{where}: a transposed family needs a cited `crops` table")
    valid = _word_rule(data.get("valid"), where)
    if valid is None:
        raise ValueError(f"{where}: crops.valid is required")
    shape_with_pads = data.get("shape_with_pads", "keep_low")
    if shape_with_pads not in SHAPE_WITH_PADS:
        raise ValueError(f"{where}: shape_with_pads must be one of {', '.join(SHAPE_WITH_PADS)}")
    return TransposeRules(
        valid=valid,
        same=_word_rule(data.get("same"), where),
        same_lower=_word_rule(data.get("same_lower"), where),
        shape_with_pads=shape_with_pads,
        citation=data["citation"],
    )
