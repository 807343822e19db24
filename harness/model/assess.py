"""Assess one case: a verdict per adapter and device, then agreement across all of them.

Verdicts compare each framework with its own documentation and the float64
reference; agreement compares frameworks with each other (accept/reject, shape,
values). The registry is the only thing that makes a difference expected.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from harness.case import Case, Pads
from harness.families import operators_of
from harness.model import conventions as conventions_data
from harness.model import registry as registry_data
from harness.model.conventions import Convention, Resolved
from harness.model.inference import Inferred
from harness.model.outcome import Outcome
from harness.model.registry import Registry
from harness.model.verdicts import EXPECTED, TOLERANCE, Judgement, Verdict, judge, relative_error


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

    def record(self, op: str = "") -> dict[str, Any]:
        """The JSON form `explain --json` prints (plus the fields after max_abs_err), and the
        keys `op`'s family adds (Operators.result_keys: an average's proven `divisor`), read
        from what the values prove."""
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
        record = {
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
        inferred = judgement.inferred
        for key in operators_of(op).result_keys(op) if op else ():
            record[key] = getattr(inferred, key) if accepted and inferred else None
        return record


def _finite(value: float | None) -> float | str | None:
    if value is None or math.isfinite(value):
        return value
    return str(value)


@dataclass(frozen=True)
class Divergence:
    aspect: str  # accept | shape | pads | divisor | values
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
            "results": [result.record(self.case.op) for result in self.results],
            "divergences": [d.record() for d in self.divergences],
        }


@dataclass(frozen=True)
class Answer:
    """What comparing two adapters needs of one answer: live (Result) or stored (a row)."""

    name: str  # adapter@device
    framework: str
    status: str
    shape: tuple[int, ...] | None
    verdict: str
    known: str | None
    rule: str | None
    inferred: Inferred | None
    message: str = ""

    @classmethod
    def of(cls, result: Result) -> Answer:
        outcome, judgement = result.outcome, result.judgement
        return cls(
            result.name,
            outcome.info.framework,
            outcome.status,
            outcome.shape,
            judgement.verdict,
            result.known,
            judgement.rule,
            judgement.inferred,
            outcome.message or "",
        )


VALUE_FAILURES = frozenset({Verdict.VALUE_MISMATCH, Verdict.PADDING_UNEXPLAINED})


def compare(
    case: Case,
    answers: list[Answer],
    registry: Registry,
    values_differ: Callable[[int, int], str | None],
    resolved: Mapping[str, Resolved],
) -> list[Divergence]:
    """Every pair of answers that differ in acceptance, shape, applied pads or values.

    `values_differ(i, j)` says how answers i and j differ in values, or None if they agree;
    `resolved` is each framework's reading of the case (a documented difference in kind is
    judged on the facts of the side whose convention it is).
    """
    answered = [i for i, a in enumerate(answers) if a.status in ("ok", "rejected")]
    found = []
    for i, j in itertools.combinations(answered, 2):
        a, b = answers[i], answers[j]
        explained = a.known or b.known
        if a.status != b.status:
            refusing = a if a.status == "rejected" else b
            aspect, detail = "accept", f"{refusing.name} refuses: {refusing.message}"
            explained = refusing.known or registry.for_rule(refusing.rule)
        elif a.status == "rejected":
            continue
        elif a.shape != b.shape:
            aspect, detail = "shape", f"{list(a.shape or ())} vs {list(b.shape or ())}"
        elif _pads_differ(a.inferred, b.inferred):
            aspect = "pads"
            detail = f"applied pads {_proven(a.inferred)} vs {_proven(b.inferred)}"
        elif _divisors_differ(a.inferred, b.inferred):
            aspect = "divisor"
            detail = f"border divisor {_divisor(a.inferred)} vs {_divisor(b.inferred)} the padding"
        elif (difference := values_differ(i, j)) is not None:
            aspect, detail = "values", difference
        else:
            continue
        if explained is None and aspect != "accept":  # a documented difference in kind
            for side in (a, b):
                adapter = side.name.rsplit("@", 1)[0]
                facts = resolved[side.framework].facts
                explained = explained or registry.for_difference(aspect, (adapter,), facts)
        found.append(Divergence(aspect, a.name, b.name, detail, explained))
    return found


def _proven(inferred: Inferred | None) -> list[list[int]] | None:
    return inferred.to_json() if inferred else None


def _divisor(inferred: Inferred | None) -> str:
    rule = inferred.divisor if inferred else None
    return {"include": "counting", "exclude": "leaving out"}.get(rule or "", "unproven")


def _divisors_differ(a: Inferred | None, b: Inferred | None) -> bool:
    """Two averages whose values prove opposite divisor rules at the border."""
    rules = {a.divisor if a else None, b.divisor if b else None}
    return rules == {"include", "exclude"}


def _pads_differ(a: Inferred | None, b: Inferred | None) -> bool:
    return a is not None and b is not None and a.proven and b.proven and not a.overlaps(b)


def divergences(
    case: Case, results: list[Result], registry: Registry, resolved: Mapping[str, Resolved]
) -> list[Divergence]:
    """Differences between live results: values are compared output to output."""

    def values_differ(i: int, j: int) -> str | None:
        a, b = results[i].outcome.output, results[j].outcome.output
        assert a is not None and b is not None
        difference = relative_error(a, b)
        if difference <= 2 * TOLERANCE[case.dtype]:
            return None
        return f"relative difference {difference:.3g}"

    return compare(case, [Answer.of(r) for r in results], registry, values_differ, resolved)


def stored_divergences(
    case: Case,
    answers: list[Answer],
    registry: Registry,
    conventions: Mapping[str, Convention] | None = None,
) -> list[Divergence]:
    """Differences between stored answers (no outputs kept): two outputs that both match the
    float64 reference agree with each other, so values differ where exactly one fails it."""

    def values_differ(i: int, j: int) -> str | None:
        a, b = answers[i].verdict in VALUE_FAILURES, answers[j].verdict in VALUE_FAILURES
        return "one matches the float64 reference, the other does not" if a != b else None

    conventions = conventions if conventions is not None else conventions_data.load()
    frameworks = dict.fromkeys(a.framework for a in answers)  # each resolved once
    resolved = {name: conventions[name].resolve(case) for name in frameworks}
    return compare(case, answers, registry, values_differ, resolved)


class Arithmetic(Protocol):
    """What assessing needs of the case's family (its record, harness/ops)."""

    @property
    def reference(self) -> Callable[..., np.ndarray]:
        """reference(case, x, w, b, pads): the float64 output under explicit pads."""
        ...

    @property
    def infer(self) -> Callable[..., Inferred | None]:
        """infer(case, output, x, w, b, dense_cache): the pads an output proves."""
        ...


def assess(
    case: Case,
    outcomes: list[Outcome],
    arrays: tuple[np.ndarray, np.ndarray | None, np.ndarray | None],
    operator: Arithmetic,
    registry: Registry | None = None,
    conventions: dict[str, Convention] | None = None,
) -> CaseReport:
    """Every outcome of `case` judged, with `operator` the case's family (its reference and
    inference), then compared across frameworks."""
    registry = registry if registry is not None else registry_data.load()
    conventions = conventions if conventions is not None else conventions_data.load()
    x, w, b = arrays
    cache: dict[Pads, np.ndarray] = {}
    dense: dict[int, np.ndarray] = {}
    inferred: dict[tuple, Inferred | None] = {}  # outputs equal to the bit infer once

    def reference_for(pads: Pads) -> np.ndarray:
        if pads not in cache:
            cache[pads] = operator.reference(case, x, w, b, pads)
        return cache[pads]

    def infer(output: np.ndarray) -> Inferred | None:
        key = (output.shape, output.dtype.str, hashlib.sha1(output.tobytes()).digest())
        if key not in inferred:
            inferred[key] = operator.infer(case, output, x, w, b, dense)
        return inferred[key]

    # each framework's reading of the case, once: verdicts, the registry and comparisons use it
    resolved = {
        framework: conventions[framework].resolve(case)
        for framework in dict.fromkeys(o.info.framework for o in outcomes)
    }
    results = []
    for outcome in outcomes:
        expect = resolved[outcome.info.framework]
        if expect.arrange is not None and outcome.output is not None:  # through its convention
            outcome = dataclasses.replace(outcome, output=expect.arrange(outcome.output))
        judgement = judge(case, outcome, expect, reference_for, infer)
        known = None
        if judgement.verdict not in EXPECTED:
            known = registry.known_bug(outcome.info.adapter, judgement.verdict, expect.facts)
        results.append(Result(outcome, judgement, known))
    return CaseReport(case, results, divergences(case, results, registry, resolved))
