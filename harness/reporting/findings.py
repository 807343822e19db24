"""The findings: every upstream bug and departure from documentation the survey knows of or
found, with how bad it is, what it hit in this run and one command that shows it.

One row per registry `upstream_bug` entry (observed in this run or not), per unexpected verdict
(adapter group, verdict) and per unexplained divergence (adapter pair, aspect). The example
behind each repro line is the smallest case that shows the finding alone: batch >= 1 and
float32 where such a case exists, and no other registered bug in the same case.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from enum import IntEnum

from harness.case import Case
from harness.model.outcome import unreleased
from harness.model.registry import Entry
from harness.model.verdicts import Verdict
from harness.reporting.facts import Survey, _size

_URL = re.compile(r"https?://[^\s;,)]+")


class Severity(IntEnum):
    """Worst first: a wrong value nobody is told of outranks a wrong shape, which outranks a
    wrong or missing error."""

    SILENT_WRONG_VALUES = 1
    WRONG_SHAPE = 2
    WRONG_ERROR = 3

    @property
    def words(self) -> str:
        return {1: "silent wrong values", 2: "wrong shape", 3: "wrong or missing error"}[self]


_BY_VERDICT = {
    Verdict.VALUE_MISMATCH: Severity.SILENT_WRONG_VALUES,
    Verdict.PADDING_MISMATCH: Severity.SILENT_WRONG_VALUES,
    Verdict.PADDING_UNEXPLAINED: Severity.SILENT_WRONG_VALUES,
    Verdict.SHAPE_MISMATCH: Severity.WRONG_SHAPE,
}
_BY_ASPECT = {
    "values": Severity.SILENT_WRONG_VALUES,
    "pads": Severity.SILENT_WRONG_VALUES,
    "shape": Severity.WRONG_SHAPE,
}


def severity(verdicts: set[str], aspects: frozenset[str] | set[str] = frozenset()) -> Severity:
    """The worst class among the verdicts a finding gives and the aspects it differs in."""
    found = [_BY_VERDICT.get(Verdict(v), Severity.WRONG_ERROR) for v in verdicts]
    found += [_BY_ASPECT.get(a, Severity.WRONG_ERROR) for a in aspects]
    return min(found, default=Severity.WRONG_ERROR)


@dataclass(frozen=True)
class Finding:
    """One row of the findings; `example` and `target` say what `convharness shrink` keeps."""

    anchor: str  # the row's id in report.html
    title: str  # registry id, or what was found
    where: str  # framework API(s)
    severity: Severity
    cases: int  # cases of this run it hit
    adapters: tuple[str, ...]  # adapter groups it hit
    repro: str  # a command that shows it, or where its minimal repro is
    link: str  # upstream issue, or the registry's own repro
    summary: str
    example: str | None = None  # the drawn case behind the repro
    target: tuple = ()  # (adapters, verdict, known, aspect): the difference it shows
    shrunk: str = ""  # how the repro's case was shrunk, or why not

    @property
    def observed(self) -> bool:
        return self.cases > 0


def upstream_link(entry: Entry) -> str:
    """The upstream issue or pull request the entry cites, else its first address, else the
    registry's minimal repro."""
    urls = _URL.findall(entry.citation)
    for url in urls:
        if "github.com" in url and ("/issues/" in url or "/pull/" in url):
            return url
    return urls[0] if urls else f"minimal repro: #registry-{entry.id}"


def _clean(survey: Survey, case_id: str, entry_id: str | None) -> bool:
    """No other registered bug in the case: every mark and explanation is this one's."""
    cells = survey.cells[case_id].values()
    bugs = {e.id for e in survey.registry.entries if e.kind == "upstream_bug"}
    marks = {c.known for c in cells if c.known} | {
        d[3] for d in survey.divergences[case_id] if d[3] in bugs
    }
    return marks <= {entry_id}


def example(survey: Survey, case_ids: list[str], entry_id: str | None = None) -> Case:
    """The case a reader should run: batch >= 1, float32, nothing else wrong, then smallest."""

    def rank(case_id: str) -> tuple:
        case = survey.cases[case_id]
        return (
            not _clean(survey, case_id, entry_id),
            case.batch == 0,
            case.dtype != "float32",
            _size(case),
            case_id,
        )

    return survey.cases[min(case_ids, key=rank)]


def _command(case: Case, variants: set[str]) -> str:
    return case.command() + (f" --variants {','.join(sorted(variants))}" if variants else "")


def target_key(target: tuple) -> str:
    """The JSON description of a finding's difference, as the store keys shrunk cases."""
    adapters, verdict, known, aspect = target
    return json.dumps(
        {"adapters": list(adapters), "verdict": verdict, "known": known, "aspect": aspect},
        sort_keys=True,
    )


def _shrunk(survey: Survey, case: Case, target: tuple) -> tuple[Case, str]:
    """The repro's case: the shrunk one when `convharness shrink` kept one, else the drawn."""
    found = survey.shrunk.get((case.id, target_key(target)))
    if found is None:
        return case, "drawn (not shrunk)"
    smaller, ending = found
    words = {
        "smallest": "shrunk",
        "budget": "shrunk until its time budget ran out",
        "gone": "not shrunk: the drawn case no longer shows it",
    }
    return smaller, words.get(ending, ending)


def _registered(survey: Survey, entry: Entry) -> Finding:
    hit: dict[str, set[str]] = defaultdict(set)  # case -> adapter labels it marked or explained
    verdicts: set[str] = set()
    aspects: set[str] = set()
    for case_id in survey.recorded:
        for label, cell in survey.cells[case_id].items():
            if cell.known == entry.id:
                hit[case_id].add(label)
                verdicts.add(cell.verdict)
        for aspect, left, right, why, _ in survey.divergences[case_id]:
            if why == entry.id:
                hit[case_id].update(
                    label
                    for label in (left, right)
                    if unreleased(label.split("@")[0]) in entry.adapters
                )
                aspects.add(aspect)
    marked = {
        label for cid in hit for label, cell in survey.cells[cid].items() if cell.known == entry.id
    }
    labels = marked or {label for found in hit.values() for label in found}
    apis = sorted(
        {survey.cells[cid][label].api for cid, found in hit.items() for label in found & labels}
    ) or list(entry.adapters)
    target: tuple = ()
    drawn: Case | None = None
    how = ""
    if hit:
        drawn = example(survey, list(hit), entry.id)
        marking = sorted(
            label for label, c in survey.cells[drawn.id].items() if c.known == entry.id
        )
        if marking:
            cell = survey.cells[drawn.id][marking[0]]
            target = ((marking[0],), cell.verdict, entry.id, None)
        case, how = _shrunk(survey, drawn, target) if target else (drawn, "drawn")
        chosen = {survey.cells[drawn.id][label].variant for label in hit[drawn.id]}
        repro = f"`{_command(case, chosen)}`"
    elif entry.repro:
        repro = f"not reached in this run; minimal repro: #registry-{entry.id}"
    else:
        repro = "not reached in this run"
    return Finding(
        anchor=f"finding-{entry.id}",
        title=entry.id,
        where=", ".join(apis[:3]) + (f" (+{len(apis) - 3})" if len(apis) > 3 else ""),
        severity=severity(verdicts or set(entry.verdicts), aspects),
        cases=len(hit),
        adapters=tuple(dict.fromkeys(survey.group_of[label].name for label in sorted(labels))),
        repro=repro,
        link=upstream_link(entry),
        summary=entry.summary,
        example=drawn.id if drawn else None,
        target=target,
        shrunk=how,
    )


def _unexpected(survey: Survey) -> list[Finding]:
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    apis: dict[tuple[str, str], str] = {}
    for cell in survey.unexpected():
        key = (survey.group_of[cell.label].name, cell.verdict)
        found[key].append(cell.case_id)
        apis[key] = cell.api
    rows = []
    for (group, verdict), case_ids in sorted(found.items()):
        drawn = example(survey, case_ids)
        showing = sorted(
            label
            for label, c in survey.cells[drawn.id].items()
            if c.verdict == verdict and not c.known
        )
        target = ((showing[0],), verdict, None, None)
        case, how = _shrunk(survey, drawn, target)
        variants = {c.variant for c in survey.cells[drawn.id].values() if c.verdict == verdict}
        rows.append(
            Finding(
                anchor=f"finding-{verdict.lower()}-{re.sub(r'[^a-z0-9]+', '-', group.lower())}",
                title=f"{verdict} (not registered)",
                where=apis[(group, verdict)],
                severity=severity({verdict}),
                cases=len(set(case_ids)),
                adapters=(group,),
                repro=f"`{_command(case, variants)}`",
                link="-",
                summary=f"{group} gives {verdict}, which no convention or registry entry explains.",
                example=drawn.id,
                target=target,
                shrunk=how,
            )
        )
    return rows


def _unexplained(survey: Survey) -> list[Finding]:
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    for case_id, (aspect, left, right, _, _) in survey.unexplained():
        pair = tuple(sorted((survey.group_of[left].name, survey.group_of[right].name)))
        found[(pair[0], pair[1], aspect)].append(case_id)
        pairs[(case_id, aspect)] = (left, right)
    rows = []
    for (a, b, aspect), case_ids in sorted(found.items()):
        drawn = example(survey, case_ids)
        target = (tuple(sorted(pairs[(drawn.id, aspect)])), None, None, aspect)
        case, how = _shrunk(survey, drawn, target)
        rows.append(
            Finding(
                anchor=f"finding-{aspect}-{re.sub(r'[^a-z0-9]+', '-', (a + '-' + b).lower())}",
                title=f"{aspect} differ (unexplained)",
                where=f"{a} vs {b}",
                severity=severity(set(), {aspect}),
                cases=len(set(case_ids)),
                adapters=(a, b),
                repro=f"`{case.command()}`",
                link="-",
                summary=f"{a} and {b} differ in {aspect}; nothing registered says why.",
                example=drawn.id,
                target=target,
                shrunk=how,
            )
        )
    return rows


def findings(survey: Survey) -> list[Finding]:
    """Every finding, worst first: observed before not reached, then by severity and cases."""
    rows = [_registered(survey, e) for e in survey.registry.entries if e.kind == "upstream_bug"]
    rows += _unexpected(survey) + _unexplained(survey)
    return sorted(rows, key=lambda f: (not f.observed, f.severity, -f.cases, f.title))
