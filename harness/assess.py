"""Assess one case: a verdict per adapter and device, then agreement across all of them.

Verdicts compare each framework with its own documentation and the float64
reference; agreement compares frameworks with each other (accept/reject, shape,
values). The registry is the only thing that makes a difference expected.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import conventions as conventions_data
from . import inference, reference
from . import registry as registry_data
from .case import Case
from .conventions import Convention
from .features import Pads
from .inference import Inferred
from .outcome import Outcome
from .registry import Registry
from .verdicts import EXPECTED, TOLERANCE, Judgement, judge, relative_error


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    judgement: Judgement
    known: str | None = None  # the upstream-bug entry that explains an unexpected verdict

    @property
    def name(self) -> str:
        return f"{self.outcome.info.adapter}@{self.outcome.info.device}"

    @property
    def unexpected(self) -> bool:
        return self.judgement.verdict not in EXPECTED and self.known is None

    def record(self) -> dict[str, Any]:
        """The JSON form `explain --json` prints (plus the fields after max_abs_err)."""
        info, outcome, judgement = self.outcome.info, self.outcome, self.judgement
        error = None
        if outcome.status == "rejected":
            error = {"type": outcome.error_type, "message": outcome.message}
        elif outcome.status != "ok":
            kind = {
                "not_expressible": "NotExpressible",
                "skipped": "Skipped",
                "crashed": "Crash",
                "timeout": "Timeout",
            }
            error = {"type": kind[outcome.status], "message": outcome.message}
        accepted = outcome.status == "ok"
        return {
            "adapter": info.adapter,
            "framework": info.framework,
            "version": info.version,
            "api": info.api,
            "device": info.device,
            "status": outcome.status,
            "shape": list(outcome.shape) if outcome.shape is not None else None,
            "pads": list(judgement.pads) if accepted and judgement.pads else None,
            "pads_inferred": judgement.inferred.to_json() if judgement.inferred else None,
            "verdict": judgement.verdict,
            "error": error,
            "max_abs_err": _finite(judgement.max_abs_err),
            "rel_err": _finite(judgement.rel_err),
            "detail": judgement.detail,
            "rule": judgement.rule,
            "known": self.known,
        }


def _finite(value: float | None) -> float | str | None:
    if value is None or math.isfinite(value):
        return value
    return str(value)


@dataclass(frozen=True)
class Divergence:
    aspect: str  # accept | shape | pads | values
    left: str  # adapter@device
    right: str
    detail: str
    explained_by: str | None

    def record(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class CaseReport:
    case: Case
    results: list[Result]
    divergences: list[Divergence] = field(default_factory=list)

    @property
    def unexpected(self) -> list[Result]:
        return [result for result in self.results if result.unexpected]

    @property
    def unexplained(self) -> list[Divergence]:
        return [d for d in self.divergences if d.explained_by is None]

    def record(self) -> dict[str, Any]:
        return {
            "id": self.case.id,
            "case": self.case.to_json(),
            "command": self.case.command(),
            "results": [result.record() for result in self.results],
            "divergences": [d.record() for d in self.divergences],
        }


def _explains(registry: Registry, result: Result) -> str | None:
    """Why this side of a difference is expected: its known bug or its documented refusal."""
    return result.known or registry.for_rule(result.judgement.rule)


def _proven(result: Result) -> list[list[int]] | None:
    inferred = result.judgement.inferred
    return inferred.to_json() if inferred else None


def _pads_differ(a: Inferred | None, b: Inferred | None) -> bool:
    return a is not None and b is not None and a.proven and b.proven and not a.overlaps(b)


def divergences(case: Case, results: list[Result], registry: Registry) -> list[Divergence]:
    """Every pair of answers that differ in acceptance, shape or values."""
    answered = [r for r in results if r.outcome.status in ("ok", "rejected")]
    found = []
    for a, b in itertools.combinations(answered, 2):
        oa, ob = a.outcome, b.outcome
        if oa.status != ob.status:
            rejected = a if oa.status == "rejected" else b
            aspect, detail = "accept", f"{rejected.name} refuses: {rejected.outcome.message}"
            explained = _explains(registry, rejected)
        elif oa.status == "rejected":
            continue
        elif oa.shape != ob.shape:
            aspect = "shape"
            detail = f"{list(oa.shape or ())} vs {list(ob.shape or ())}"
            explained = a.known or b.known
        elif _pads_differ(a.judgement.inferred, b.judgement.inferred):
            aspect = "pads"
            detail = f"applied pads {_proven(a)} vs {_proven(b)}"
            explained = a.known or b.known
        else:
            assert oa.output is not None and ob.output is not None
            err = relative_error(oa.output, ob.output)
            if err <= 2 * TOLERANCE[case.dtype]:
                continue
            aspect, detail = "values", f"relative difference {err:.3g}"
            explained = a.known or b.known
        found.append(Divergence(aspect, a.name, b.name, detail, explained))
    return found


def assess(
    case: Case,
    outcomes: list[Outcome],
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    registry: Registry | None = None,
    conventions: dict[str, Convention] | None = None,
) -> CaseReport:
    registry = registry if registry is not None else registry_data.load()
    conventions = conventions if conventions is not None else conventions_data.load()
    x, w, b = arrays
    cache: dict[Pads, np.ndarray] = {}
    dense: dict[int, np.ndarray] = {}

    def reference_for(pads: Pads) -> np.ndarray:
        if pads not in cache:
            cache[pads] = reference.conv2d(x, w, b, case.stride, case.dilation, pads, case.groups)
        return cache[pads]

    def dense_for(margin: int) -> np.ndarray:
        if margin not in dense:
            dense[margin] = inference.dense_reference(case, x, w, b, margin)
        return dense[margin]

    def infer(output: np.ndarray) -> Inferred | None:
        return inference.infer(case, output, dense_for)

    results = []
    for outcome in outcomes:
        convention = conventions[outcome.info.framework]
        judgement = judge(case, outcome, convention, reference_for, infer)
        known = None
        if judgement.verdict not in EXPECTED:
            known = registry.known_bug(
                outcome.info.adapter, judgement.verdict, convention.facts(case)
            )
        results.append(Result(outcome, judgement, known))
    return CaseReport(case, results, divergences(case, results, registry))
