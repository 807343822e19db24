"""Infer, from a pooling output's values, the pads a framework applied and, for an average, the
divisor it used at the border.

The pads are found as for convolution (inference.py): a dense float64 map at stride 1 with
wide padding, sliced at every candidate start. A max pools with -inf padding. An average has
two dense maps, one per divisor rule: `include` divides by the whole window (padding counted),
`exclude` by the input elements it covers. The rules whose map reproduces the output are what
the values prove: `include`, `exclude`, `either` (no window the output holds touches padding),
and no rule at all where the output matches neither map.

A ceil_mode overhang is never counted: where the whole-window map cannot match the last windows
for that reason, the case's own pads with the overhang left out are tried as well.
Non-finite values (-inf, NaN: windows of padding alone) are compared as values of their own.
"""

from __future__ import annotations

import numpy as np

from harness.case import Case, Pads
from harness.families.pool.reference import avg_pool, max_pool
from harness.model import inference
from harness.model.inference import Inferred
from harness.model.oracle import effective_kernel

# Stand-ins for non-finite values, far from any input value (the inputs are about N(0, 1)).
NEG_INF, NAN = -100.0, 100.0
LOWEST = -1e30  # below it a value counts as -inf (an API may return the dtype's lowest value)


def finite(values: np.ndarray) -> np.ndarray:
    """-inf (or the lowest finite values) and NaN as their stand-ins, so outputs compare."""
    values = np.asarray(values, np.float64)
    return np.where(np.isnan(values), NAN, np.where(values < LOWEST, NEG_INF, values))


def dense(case: Case, x: np.ndarray, rule: str, margin: int) -> np.ndarray:
    """The stride-1 map with `margin` pads on every side: max, or an average under `rule`."""
    ones = (1,) * case.rank
    pads: Pads = (margin,) * (2 * case.rank)
    if rule == "max":
        return max_pool(x, case.kernel, ones, case.dilation, pads)
    return avg_pool(x, case.kernel, ones, case.dilation, pads, pads, rule == "include")


def counted_pads(case: Case, pads: Pads) -> Pads:
    """The pads that are padding, not ceil_mode overhang: the case's own, or what a word
    resolved to (`pads`; a word takes no ceil_mode)."""
    if case.padding.kind == "explicit":
        return case.padding.pads
    return (0,) * (2 * case.rank) if case.padding.kind == "valid" else pads


def reference(case: Case, x: np.ndarray, pads: Pads, include: bool | None = None) -> np.ndarray:
    """The float64 pooling of a case under window pads `pads` (ceil_mode overhang included);
    an average divides as the case asks unless `include` says otherwise."""
    if case.op.startswith("max_"):
        return max_pool(x, case.kernel, case.stride, case.dilation, pads)
    include = case.count_include_pad if include is None else include
    counted = counted_pads(case, pads)
    return avg_pool(x, case.kernel, case.stride, case.dilation, pads, counted, include)


def _matches(case: Case, output: np.ndarray, expected: np.ndarray) -> bool:
    if expected.shape != output.shape:
        return False
    scale = max(float(np.linalg.norm(output)), 1e-30)
    error = float(np.linalg.norm(output - finite(expected)))
    return error <= inference.MATCH_TOLERANCE[case.dtype] * scale


def _own_pads(case: Case, output: np.ndarray) -> Pads | None:
    """The case's explicit (or 'valid') low pads, the high side widened to the output's size."""
    if case.padding.kind not in ("explicit", "valid"):
        return None
    asked = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * case.rank
    pads = []
    for i, k, s, d, o, (low, high) in zip(
        case.spatial, case.kernel, case.stride, case.dilation, output.shape[2:], asked, strict=True
    ):
        pads += [low, max(high, (o - 1) * s + effective_kernel(k, d) - i - low)]
    return tuple(pads)


def infer(
    case: Case, output: np.ndarray, x: np.ndarray, cache: dict[tuple[str, int], np.ndarray]
) -> Inferred | None:
    """The pads (and, for an average, the divisor rule) consistent with `output`, or None."""
    cleaned = finite(output)

    def dense_for(rule: str):
        def at(margin: int) -> np.ndarray:
            if (rule, margin) not in cache:
                cache[rule, margin] = finite(dense(case, x, rule, margin))
            return cache[rule, margin]

        return at

    if case.op.startswith("max_"):
        return inference.infer(case, cleaned, dense_for("max"))
    fits = {
        rule: found
        for rule in ("include", "exclude")
        if (found := inference.infer(case, cleaned, dense_for(rule))) is not None
    }
    own = _own_pads(case, output)
    if "include" not in fits and own is not None and cleaned.size:
        if _matches(case, cleaned, reference(case, x, own, include=True)):
            ranges = tuple((p, p) for p in own)
            fits["include"] = Inferred(ranges)
    if not fits:
        return None
    if len(fits) == 2:
        first = fits["include"]
        divisor = "either" if first.overlaps(fits["exclude"]) else "include"
        return Inferred(first.ranges, first.proven, divisor)
    rule, found = next(iter(fits.items()))
    return Inferred(found.ranges, found.proven, rule)
