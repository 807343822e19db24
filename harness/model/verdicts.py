"""One verdict per (case, adapter, device): what was measured against what is documented.

Pure: no I/O, no framework. The caller passes the reference as a function of
the pads, so each padding is computed once however many frameworks share it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from harness.case import Case, Pads
from harness.model.conventions import Resolved
from harness.model.inference import Inferred
from harness.model.outcome import Outcome


class Verdict(StrEnum):
    """The verdicts, in the order tables list them; each equals its name as a string."""

    PASS = "PASS"
    SHAPE_MISMATCH = "SHAPE_MISMATCH"
    VALUE_MISMATCH = "VALUE_MISMATCH"
    EXPECTED_REJECT = "EXPECTED_REJECT"
    UNEXPECTED_REJECT = "UNEXPECTED_REJECT"
    UNEXPECTED_ACCEPT = "UNEXPECTED_ACCEPT"
    NOT_EXPRESSIBLE = "NOT_EXPRESSIBLE"
    SKIPPED = "SKIPPED"
    CRASH = "CRASH"
    TIMEOUT = "TIMEOUT"
    PADDING_MISMATCH = "PADDING_MISMATCH"
    PADDING_UNEXPLAINED = "PADDING_UNEXPLAINED"
    DIVISOR_MISMATCH = "DIVISOR_MISMATCH"  # an average's border divides by another count


(
    PASS,
    SHAPE_MISMATCH,
    VALUE_MISMATCH,
    EXPECTED_REJECT,
    UNEXPECTED_REJECT,
    UNEXPECTED_ACCEPT,
    NOT_EXPRESSIBLE,
    SKIPPED,
    CRASH,
    TIMEOUT,
    PADDING_MISMATCH,
    PADDING_UNEXPLAINED,
    DIVISOR_MISMATCH,
) = VERDICTS = tuple(Verdict)

# The one list of verdicts that need no registry entry: everything else is unexpected.
EXPECTED = frozenset({PASS, EXPECTED_REJECT, NOT_EXPRESSIBLE, SKIPPED})

# Largest accepted ||out - ref|| / ||ref|| against the float64 reference, per dtype.
# Inputs are exact in every dtype (inputs.py), so this only bounds accumulation and the
# rounding of the output. Measured worst cases on CPU (1,000 drawn cases, every framework):
# float32 2e-8, float16 3.4e-4, bfloat16 2.4e-3; the bounds leave about 10x room. A one-pixel
# padding shift gives errors near 1. TF32 math on a GPU (about 1e-3) exceeds the float32 bound.
TOLERANCE = {"float64": 1e-12, "float32": 1e-5, "float16": 5e-3, "bfloat16": 2e-2}


@dataclass(frozen=True)
class Judgement:
    verdict: str
    detail: str = ""
    pads: Pads | None = None  # the pads the convention says were applied (accepted cases)
    expected_shape: tuple[int, ...] | None = None
    rel_err: float | None = None
    max_abs_err: float | None = None
    rule: str | None = None  # the documented refusal that explains a rejection
    inferred: Inferred | None = None  # the pads the output values prove (accepted cases)


_DIVIDES = {"include": "counts", "exclude": "leaves out"}


def relative_error(out: np.ndarray, ref: np.ndarray) -> float:
    """||out - ref|| / ||ref|| (absolute when ref is all zeros); inf if out is not finite where
    ref is. Where ref is not finite (a pooling window of padding alone: -inf, NaN), out must
    hold the same value, and the rest is compared."""
    special = ~np.isfinite(ref)
    if special.any():
        same = (out == ref) | (np.isnan(out) & np.isnan(ref))
        if not np.all(same[special]):
            return float("inf")
        out, ref = out[~special], ref[~special]
    if not np.all(np.isfinite(out)):
        return float("inf")
    diff = float(np.linalg.norm(out - ref))
    scale = float(np.linalg.norm(ref))
    return diff / scale if scale > 0 else diff


def judge(
    case: Case,
    outcome: Outcome,
    expect: Resolved,
    reference: Callable[[Pads], np.ndarray],
    infer: Callable[[np.ndarray], Inferred | None],
) -> Judgement:
    """`reference(pads)` is the float64 output under given pads; `infer(output)` the pads an
    output proves (inference.infer), or None when no padding reproduces it."""
    status = outcome.status
    if status == "skipped":
        return Judgement(SKIPPED, outcome.message or "")
    if status == "crashed":
        return Judgement(CRASH, outcome.message or "")
    if status == "timeout":
        return Judgement(TIMEOUT, outcome.message or "")
    if status == "not_expressible":
        return Judgement(NOT_EXPRESSIBLE, outcome.message or "")

    refusals = expect.refusals(outcome.info.api, outcome.info.variant)
    if status == "rejected":
        error = f"{outcome.error_type}: {outcome.message}"
        for rule in refusals:
            if rule.explains(error) and rule.error in (None, outcome.error_type):
                return Judgement(EXPECTED_REJECT, rule.citation, rule=rule.id)
        if refusals:
            wanted = "; ".join(f"{r.error}: {r.message}" for r in refusals)
            return Judgement(UNEXPECTED_REJECT, f"refused, but not as documented ({wanted})")
        return Judgement(UNEXPECTED_REJECT, "no documented refusal covers this case")

    assert outcome.output is not None
    output, pads = outcome.output, expect.pads
    shape = tuple(output.shape)
    if pads is None:
        return Judgement(UNEXPECTED_ACCEPT, f"{case.padding} has no documented meaning here")
    found = infer(output)  # also for an accept that should not be: what did it compute?
    if refusals:
        rules = ", ".join(rule.id for rule in refusals)
        return Judgement(
            UNEXPECTED_ACCEPT, f"documented to refuse ({rules})", pads=pads, inferred=found
        )
    if expect.negative:
        return Judgement(
            UNEXPECTED_ACCEPT, "the formula gives a negative output size", pads=pads, inferred=found
        )

    def decide(
        verdict: str, detail: str, rel: float | None = None, max_abs: float | None = None
    ) -> Judgement:
        return Judgement(
            verdict,
            detail,
            pads=pads,
            expected_shape=expect.shape,
            rel_err=rel,
            max_abs_err=max_abs,
            inferred=found,
        )

    applied = f"the output proves pads {found.to_json()}, documented {list(pads)}" if found else ""
    if shape != expect.shape:
        if found is not None and found.proven and not found.contains(pads):
            return decide(PADDING_MISMATCH, applied)
        return decide(SHAPE_MISMATCH, f"expected {list(expect.shape or ())}, got {list(shape)}")
    try:
        ref = reference(pads)
    except ValueError as error:  # the pads crop away the whole input
        return Judgement(UNEXPECTED_ACCEPT, str(error), pads=pads)
    rel = relative_error(output, ref)
    finite = np.isfinite(ref)
    with np.errstate(invalid="ignore"):
        max_abs = float(np.max(np.abs(output - ref)[finite])) if finite.any() else 0.0
    tolerance = TOLERANCE[case.dtype]
    if rel <= tolerance:
        return decide(PASS, "", rel, max_abs)
    if found is None:
        return decide(
            PADDING_UNEXPLAINED,
            f"no padding reproduces the output (relative error {rel:.3g} with the documented pads)",
            rel,
            max_abs,
        )
    if found.proven and not found.contains(pads):
        return decide(PADDING_MISMATCH, applied, rel, max_abs)
    if found.divisor not in (None, "either", expect.divisor):
        return decide(
            DIVISOR_MISMATCH,
            f"the border's divisor {_DIVIDES[found.divisor]} the padding; documented: it "
            f"{_DIVIDES.get(expect.divisor or '', 'is not documented')} (relative error {rel:.3g})",
            rel,
            max_abs,
        )
    return decide(VALUE_MISMATCH, f"relative error {rel:.3g} > {tolerance:g}", rel, max_abs)
