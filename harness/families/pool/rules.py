"""What a framework documents about pooling beyond padding words: how `ceil_mode` rounds the
output size up, which divisor an average uses at the border, and what a window that holds no
input element returns. Read from the `[frameworks.<name>.pool]` tables of conventions.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.fields import Pads, pairs
from harness.model.oracle import effective_kernel, output_size

if TYPE_CHECKING:
    from harness.case import Case

# last_window_starts_inside: ceil((i + pads - eff) / s) + 1 outputs, less the last one when it
#   would start in the high padding: (out - 1)s >= i + low (PyTorch's pooling_output_shape).
# truncated_ceil: (i + pads - eff + s - 1) / s + 1 in C integer division (towards zero), every
#   window kept, even one that starts in the high padding (Paddle's PoolOutputSize).
CEIL_RULES = ("last_window_starts_inside", "truncated_ceil")
# flag: the case's count_include_pad says; exclude: padding is never counted.
DIVISOR_RULES = ("flag", "exclude")
# "never": the API allows no such window; "lowest": the dtype's lowest finite value
EMPTY_WINDOW = ("-inf", "nan", "zero", "lowest", "never")


def ceil_output(rule: str, i: int, k: int, s: int, d: int, low: int, high: int) -> int:
    """The output size of one axis under ceil_mode."""
    if rule not in CEIL_RULES:
        raise ValueError(f"unknown ceil rule {rule!r}")
    span = i + low + high - effective_kernel(k, d)
    if rule == "truncated_ceil":
        numerator = span + s - 1
        return (numerator // s if numerator >= 0 else -(-numerator // s)) + 1
    out = -(-span // s) + 1
    if out > 0 and (out - 1) * s >= i + low:
        out -= 1
    return out


@dataclass(frozen=True)
class PoolRules:
    ceil: str | None  # None: the framework has no ceil_mode
    divisor: str
    empty_window: dict[str, str]  # op kind (max, avg) -> what a window of no input returns
    citation: str

    def pads(self, case: Case, pads: Pads | None, rounding: str) -> Pads | None:
        """The pads the words give, widened by the overhang (window_pads)."""
        return None if pads is None else self.window_pads(case, pads, rounding)

    def window_pads(self, case: Case, pads: Pads, rounding: str) -> Pads | None:
        """The pads whose floor formula gives the output size, per axis: the high side widened
        by an overhang where the output has more windows than the floor formula gives (ceil_mode,
        or a rounding towards zero; the overhang is never padding), or narrowed to end with
        the last window where it has fewer (ceil_mode dropping a window that starts in a high
        pad as large as the kernel, which floor mode keeps). None where the case asks for a
        ceil_mode the framework does not have."""
        if case.ceil_mode and self.ceil is None:
            return None
        window = []
        for i, k, s, d, (low, high) in zip(
            case.spatial, case.kernel, case.stride, case.dilation, pairs(pads), strict=True
        ):
            if case.ceil_mode and self.ceil:
                out = ceil_output(self.ceil, i, k, s, d, low, high)
            else:
                out = output_size(i, k, s, d, low, high, rounding)
            floor = output_size(i, k, s, d, low, high)
            # truncated_ceil's empty axis where floor's is negative (its division towards zero)
            truncated = case.ceil_mode and self.ceil == "truncated_ceil" and out == 0 > floor
            if out > max(floor, 0) or 0 <= out < floor or truncated:
                high = (out - 1) * s + effective_kernel(k, d) - i - low
            window += [low, high]
        return tuple(window)

    def divisor_of(self, case: Case) -> str | None:
        """`include` or `exclude` the padding, for an average; None for a max."""
        if not case.op.startswith("avg_"):
            return None
        counted = self.divisor == "flag" and case.count_include_pad
        return "include" if counted else "exclude"


@dataclass(frozen=True)
class WordsOnly:
    """A pooling table that states no ceil_mode and no divisor: the words alone."""

    def pads(self, case: Case, pads: Pads | None, rounding: str) -> Pads | None:
        return None if case.ceil_mode else pads

    def divisor_of(self, case: Case) -> str | None:
        return None


def parse_rules(body: dict[str, Any], where: str) -> PoolRules | WordsOnly:
    """The pooling rules of one family table, validated; WordsOnly where it has none."""
    if "divisor" not in body:
        return WordsOnly()
    ceil, divisor = body.get("ceil"), body["divisor"]
    empty = body.get("empty_window", {})
    if ceil is not None and ceil.get("rule") not in CEIL_RULES:
        raise ValueError(f"{where}: ceil rule must be one of {', '.join(CEIL_RULES)}")
    if divisor.get("rule") not in DIVISOR_RULES:
        raise ValueError(f"{where}: divisor rule must be one of {', '.join(DIVISOR_RULES)}")
    if set(empty) - {"max", "avg", "citation"} or not all(
        value in EMPTY_WINDOW for key, value in empty.items() if key != "citation"
    ):
        raise ValueError(f"{where}: empty_window gives max and avg one of {EMPTY_WINDOW}")
    citations = [part.get("citation") for part in (ceil, divisor, empty) if part]
    if not all(citations):
        raise ValueError(f"{where}: every pooling rule needs a citation")
    return PoolRules(
        ceil=ceil["rule"] if ceil else None,
        divisor=divisor["rule"],
        empty_window={key: value for key, value in empty.items() if key != "citation"},
        citation="; ".join(citations),
    )
