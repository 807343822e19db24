"""Shrinking: a difference the survey found, handed over in its smallest form.

A finding is one difference on one case: an adapter's verdict (unexpected, or a registered
upstream bug's), or an unexplained divergence between two adapters in one aspect. Hypothesis
searches the cases no larger than the drawn one (every size, kernel, stride, dilation, channel
count and pad between its simplest value and the drawn one; float32 and no bias preferred) for
those that still show the same difference and no other, on the real frameworks, through the
same workers (isolation and timeouts as for any case), and shrinks to the smallest; a last
pass then lowers one field at a time while the difference stays. Each
finding has a time budget; when it runs out, the smallest case seen so far is kept, and the
result says so. A try is one case on the workers, so a try that hangs costs the variant's own
case limit (the command line sets it from the variant's case times in the store, or
`--timeout`: timeouts.py); a try under way when the budget runs out is the last, and no case is
tried twice.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hypothesis import HealthCheck, Phase, assume, find, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky, NoSuchExample, Unsatisfiable

from harness.case import Case, CaseError, Padding
from harness.model.assess import CaseReport


@dataclass(frozen=True)
class Target:
    """The difference to keep: on `adapters` (one, or a pair), a `verdict` (with the registry
    entry that explains it, if any), or a divergence in `aspect`."""

    adapters: tuple[str, ...]
    verdict: str | None = None
    known: str | None = None
    aspect: str | None = None

    def describe(self) -> str:
        if self.aspect:
            return f"{' and '.join(self.adapters)} differ in {self.aspect}"
        return f"{self.verdict}{f' ({self.known})' if self.known else ''} on {self.adapters[0]}"


class Ending(StrEnum):
    """How a shrink ended."""

    SMALLEST = "smallest"  # the shrinker found no smaller case showing it
    BUDGET = "budget"  # the time budget ran out: the smallest case seen so far
    GONE = "gone"  # the drawn case itself no longer shows it (flaky, or fixed)


@dataclass(frozen=True)
class Shrunk:
    original: Case
    case: Case
    target: Target
    ending: Ending
    tries: int
    seconds: float


def _label(result) -> str:
    info = result.outcome.info
    return info.adapter if info.device == "cpu" else f"{info.adapter}@{info.device}"


def _pair(divergence) -> set[str]:
    return {divergence.left.removesuffix("@cpu"), divergence.right.removesuffix("@cpu")}


def shows(report: CaseReport, target: Target) -> bool:
    """The report shows the target's difference and no other: no unexpected verdict or
    registered upstream bug but the target's own (other adapters showing the very same verdict
    are the same difference), and no unexplained divergence in another aspect."""
    if target.aspect:
        found = any(
            d.aspect == target.aspect
            and d.explained_by is None
            and _pair(d) == set(target.adapters)
            for d in report.divergences
        )
        others = [d for d in report.unexplained if d.aspect != target.aspect]
        return found and not others and not any(r.unexpected or r.known for r in report.results)
    labels = {_label(r): r for r in report.results}
    result = labels.get(target.adapters[0])
    if result is None or result.judgement.verdict != target.verdict or result.known != target.known:
        return False
    elsewhere = [
        r
        for r in report.results
        if (r.unexpected or r.known not in (None, target.known))
        and (r.judgement.verdict, r.known) != (target.verdict, target.known)
    ]
    return not elsewhere and not report.unexplained


def size(case: Case) -> int:
    """What 'smaller' means: input and weight elements, then the kernel and the stride."""
    return math.prod(case.input_shape) + math.prod(case.weight_shape)


def _up_to(low: int, high: int) -> st.SearchStrategy[int]:
    """Values between `low` and the drawn `high`; the drawn one half the time, so the search
    starts near the case that shows the difference, and shrinks towards `low`."""
    if high <= low:
        return st.just(high)
    return st.one_of(st.integers(low, high), st.just(high))


def _axes(values: tuple[int, ...], low: int = 1) -> st.SearchStrategy[tuple[int, ...]]:
    return st.tuples(*(_up_to(low, v) for v in values))


def _pad(value: int) -> st.SearchStrategy[int]:
    return _up_to(0, value) if value >= 0 else _up_to(value, 0).map(lambda p: value - p)


def _padding(padding: Padding) -> st.SearchStrategy[Padding]:
    if padding.kind != "explicit":
        return st.just(padding)
    return st.tuples(*(_pad(p) for p in padding.pads)).map(lambda pads: Padding.explicit(*pads))


def smaller(case: Case) -> st.SearchStrategy[Case]:
    """Cases no larger than `case` in any field; the operator and the padding word stay."""
    tied = case.in_channels == case.out_channels and case.groups == 1

    @st.composite
    def draw(d) -> Case:
        groups = d(st.sampled_from(sorted({1, case.groups})))
        per_in = d(_up_to(1, case.in_channels // case.groups))
        per_out = per_in if tied else d(_up_to(1, case.out_channels // case.groups))
        try:
            candidate = dataclasses.replace(
                case,
                batch=d(_up_to(1, case.batch)) if case.batch else 0,
                in_channels=groups * per_in,
                out_channels=groups * per_out,
                spatial=d(_axes(case.spatial)),
                kernel=d(_axes(case.kernel)),
                stride=d(_axes(case.stride)),
                dilation=d(_axes(case.dilation)),
                padding=d(_padding(case.padding)),
                groups=groups,
                bias=d(st.sampled_from([False, case.bias])),
                dtype=d(st.sampled_from(sorted({"float32", case.dtype}, key="float32".__ne__))),
            )
        except CaseError:
            assume(False)
            raise
        assume(size(candidate) <= size(case))
        return candidate

    return draw()


def _simpler(case: Case) -> list[Case]:
    """One-field steps down from `case`, simplest first: each axis of every size to 1 and to
    its half, channels to one per group, groups to 1, pads to 0 and halfway, batch to 1 (a
    batch of 0 stays), float32, no bias."""
    steps: list[dict] = []

    def lowered(value: int, low: int) -> list[int]:
        return sorted({low, (value + low) // 2} - {value})

    for name in ("spatial", "kernel", "stride", "dilation"):
        axes = getattr(case, name)
        for axis, value in enumerate(axes):
            steps += [{name: axes[:axis] + (v,) + axes[axis + 1 :]} for v in lowered(value, 1)]
    if case.batch > 1:
        steps += [{"batch": v} for v in lowered(case.batch, 1)]
    per_in, per_out = case.in_channels // case.groups, case.out_channels // case.groups
    steps += [{"in_channels": v * case.groups} for v in lowered(per_in, 1)]
    steps += [{"out_channels": v * case.groups} for v in lowered(per_out, 1)]
    if case.in_channels == case.out_channels:
        steps += [{"in_channels": v, "out_channels": v} for v in lowered(case.in_channels, 1)]
    if case.groups > 1:
        steps.append({"groups": 1, "in_channels": per_in, "out_channels": per_out})
    pads = case.padding.pads
    for i, pad in enumerate(pads):
        for v in sorted({0, pad // 2} - {pad}, key=abs):
            steps.append({"padding": Padding.explicit(*pads[:i], v, *pads[i + 1 :])})
    if case.dtype != "float32":
        steps.append({"dtype": "float32"})
    if case.bias:
        steps.append({"bias": False})
    found = []
    for step in steps:
        try:
            candidate = dataclasses.replace(case, **step)
        except CaseError:
            continue
        if size(candidate) <= size(case) and candidate.id != case.id:
            found.append(candidate)
    return found


def _greedy(best: Case, still_shows: Callable[[Case], bool]) -> Case:
    """One-field steps while any still shows the difference (each accepted step restarts)."""
    improved = True
    while improved:
        improved = False
        for candidate in _simpler(best):
            if still_shows(candidate):
                best, improved = candidate, True
                break
    return best


def shrink(
    case: Case,
    target: Target,
    run: Callable[[Case], CaseReport],
    budget: float = 60.0,
    max_examples: int = 200,
) -> Shrunk:
    """The smallest case found within `budget` seconds that shows `target` as `case` does;
    `run` runs one case on the real frameworks and assesses it. The drawn case is always
    tried; after the budget, no other is."""
    start = time.monotonic()
    best = case
    tries = 0
    seen: dict[str, bool] = {}  # case id -> whether it shows the target

    def still_shows(candidate: Case) -> bool:
        nonlocal best, tries
        if candidate.id in seen:
            return seen[candidate.id]
        if tries and time.monotonic() - start > budget:
            return False
        tries += 1
        seen[candidate.id] = shown = shows(run(candidate), target)
        if shown and (size(candidate), candidate.id) < (size(best), best.id):
            best = candidate
        return shown

    if not still_shows(case):
        return Shrunk(case, case, target, Ending.GONE, tries, time.monotonic() - start)
    try:
        find(
            smaller(case),
            still_shows,
            settings=settings(
                max_examples=max_examples,
                database=None,
                deadline=None,
                phases=[Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            ),
        )
    except (NoSuchExample, Unsatisfiable, Flaky):  # Flaky: the budget ran out mid-shrink
        pass
    _greedy(best, still_shows)  # what Hypothesis left: one field at a time, within the budget
    seconds = time.monotonic() - start
    ending = Ending.BUDGET if seconds > budget else Ending.SMALLEST
    return Shrunk(case, best, target, ending, tries, seconds)
