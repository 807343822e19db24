"""The convention matrix: what each framework does with the questions porting engineers ask
(rounding, where 'same' puts the odd pixel, strided 'same', stride with dilation, negative pads,
empty outputs and batches, ...), measured from this run's answers, one row per behaviour.

A behaviour is data: which cases ask the question, and how one answer reads. Each family's
behaviours are its report module's (harness/reporting/<family>_section.py, BEHAVIOURS),
reached through harness/reporting/sections.py. Every cell of the matrix summarises the answers
of one adapter group to those cases; a registered upstream bug that marked any of them becomes
a footnote. Operators whose family has no behaviours of its own get one row: whether the
adapter runs them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from harness.case import OPS, Case
from harness.model import oracle
from harness.reporting.facts import Cell, Survey
from harness.reporting.groups import group_name

_STATUS = {
    "ok": "computes",
    "rejected": "refuses",
    "not_expressible": "cannot say it",
    "crashed": "crashes",
    "timeout": "hangs",
}
_WRONG = {"SHAPE_MISMATCH": "wrong shape", "VALUE_MISMATCH": "wrong values"}


def answer(cell: Cell, case: Case) -> str | None:
    """How an answer reads when the question is 'does it run this?'."""
    if cell.status == "skipped":
        return None
    return _WRONG.get(cell.verdict) or _STATUS.get(cell.status, cell.status)


def valid_sizes(case: Case) -> tuple[list[int], list[int]]:
    floor, ceil = [], []
    for i, k, s, d in zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True):
        span = i - oracle.effective_kernel(k, d)
        floor.append(span // s + 1)
        ceil.append(-(-span // s) + 1)
    return floor, ceil


def rounding(cell: Cell, case: Case) -> str | None:
    if cell.status != "ok" or not cell.shape:
        return answer(cell, case)
    floor, ceil = valid_sizes(case)
    spatial = cell.shape[2:]
    return "floor" if spatial == floor else "ceil" if spatial == ceil else "other size"


def odd_pixel(cell: Cell, case: Case) -> str | None:
    """Where the odd pixel of an odd 'same' total went, per the pads the values prove."""
    if cell.status != "ok" or not cell.inferred:
        return answer(cell, case)
    seen = set()
    axes = zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
    for axis, (i, k, s, d) in enumerate(axes):
        total = oracle.same_total("minimal", i, k, s, d)
        if total % 2 == 0:
            continue
        near, far = cell.inferred[2 * axis], cell.inferred[2 * axis + 1]
        for rule, words in (("extra_at_end", "after"), ("extra_at_start", "before")):
            before, after = oracle.split(rule, total)
            if near[0] <= before <= near[1] and far[0] <= after <= far[1]:
                seen.add(words)
    return {frozenset({"after"}): "after (bottom/right)", frozenset({"before"}): "before"}.get(
        frozenset(seen), "either" if seen else "neither"
    )


def empty(cell: Cell, case: Case) -> str | None:
    if cell.status != "ok":
        return answer(cell, case)
    return "empty result" if cell.verdict == "PASS" else _WRONG.get(cell.verdict, cell.verdict)


def plain(case: Case, strict: bool, **allowed: bool) -> bool:
    """A case that is ordinary in everything a behaviour does not ask about: batch >= 1,
    padding 'valid', no dilation, a non-empty output and, when strict, float32 and one group."""
    return (
        (allowed.get("batch", False) or case.batch >= 1)
        and (not strict or allowed.get("dtype", False) or case.dtype == "float32")
        and (not strict or allowed.get("groups", False) or case.groups == 1)
        and (allowed.get("dilation", False) or max(case.dilation) == 1)
        and (allowed.get("padding", False) or case.padding.kind == "valid")
        and (allowed.get("empty", False) or min(valid_sizes(case)[0]) > 0)
    )


@dataclass(frozen=True)
class Behaviour:
    title: str
    # the cases that ask the question; strict: and are plain float32 ungrouped cases otherwise
    asks: Callable[[Case, bool], bool]
    reads: Callable[[Cell, Case], str | None]  # how one answer reads; None: not counted


def _is_op(op: str) -> Callable[[Case, bool], bool]:
    return lambda case, strict: case.op == op


ByFamily = Mapping[str, tuple["Behaviour", ...]]  # each family's behaviours, by its name


def behaviours(survey: Survey, by_family: ByFamily) -> list[tuple[str, Behaviour]]:
    """(family, behaviour) for every family this run covers; one 'runs it' row per operator of
    a family without behaviours of its own."""
    rows: list[tuple[str, Behaviour]] = []
    for family in dict.fromkeys(OPS[op][0] for op in survey.ops()):
        if by_family.get(family):
            rows += [(family, b) for b in by_family[family]]
        else:
            rows += [
                (family, Behaviour(f"{op}: runs", _is_op(op), answer))
                for op in survey.ops()
                if OPS[op][0] == family
            ]
    return rows


def summarise(tally: Counter) -> str:
    """'computes' when every answer reads alike, else the two commonest with their counts."""
    if not tally:
        return "-"
    total = sum(tally.values())
    if len(tally) == 1:
        return next(iter(tally))
    return ", ".join(f"{words} {n}/{total}" for words, n in tally.most_common(2)) + (
        " ..." if len(tally) > 2 else ""
    )


def _column(survey: Survey, label: str, rows, asked) -> tuple[tuple[str, frozenset], ...]:
    """One adapter's cells: per behaviour, its summary and the registered bugs that marked it."""
    column = []
    for _, b in rows:
        tally: Counter = Counter()
        bugs: set[str] = set()
        for cid in asked[b.title]:
            cell = survey.cells[cid].get(label)
            if cell is None:
                continue
            words = b.reads(cell, survey.cases[cid])
            if words is not None:
                tally[words] += 1
            if cell.known:
                bugs.add(cell.known)
        column.append((summarise(tally), frozenset(bugs)))
    return tuple(column)


ENOUGH = 3  # fewer plain cases than this: count cases of any dtype and groups too


def _asked(survey: Survey, family: str, behaviour: Behaviour) -> list[str]:
    ours = [cid for cid in survey.recorded if OPS[survey.cases[cid].op][0] == family]
    strict = [cid for cid in ours if behaviour.asks(survey.cases[cid], True)]
    if len(strict) >= ENOUGH:
        return strict
    return [cid for cid in ours if behaviour.asks(survey.cases[cid], False)]


def matrix(
    survey: Survey, by_family: ByFamily
) -> tuple[list[str], list[tuple[str, ...]], list[str]]:
    """(column names, rows, footnotes): one column per set of adapters whose cells read alike
    in every row; each row a behaviour of `by_family` and one summary per column, with footnote
    numbers for the registered bugs that marked its cases."""
    rows = behaviours(survey, by_family)
    asked = {b.title: _asked(survey, family, b) for family, b in rows}
    columns: dict[tuple, list[str]] = {}
    for label in survey.labels:
        columns.setdefault(_column(survey, label, rows, asked), []).append(label)
    footnotes: list[str] = []
    table: list[list[str]] = [[b.title] for _, b in rows]
    for column in columns:
        for index, (text, bugs) in enumerate(column):
            for bug in sorted(bugs):
                if bug not in footnotes:
                    footnotes.append(bug)
            refs = "".join(f" [{footnotes.index(bug) + 1}]" for bug in sorted(bugs))
            table[index].append(text + refs)
    names = [group_name(labels) for labels in columns.values()]
    return names, [tuple(row) for row in table], footnotes
