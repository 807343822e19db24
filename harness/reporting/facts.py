"""Everything the report says, computed once from a store: the cells, divergences, runs, adapter
groups and the tallies every section reads.

Reads the store (through its row methods) and the data files; knows nothing of workers.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from harness.case import OPS, Case
from harness.model import oracle, recipes, registry
from harness.model.verdicts import EXPECTED
from harness.reporting import groups, messages
from harness.running.store import Store

# (allows the odd pixel after, allows it before) -> how the 'same' split reads
SPLITS = {
    (True, False): "odd pixel after",
    (False, True): "odd pixel before",
    (True, True): "either",
    (False, False): "neither",
}


@dataclass(frozen=True)
class Cell:
    """One stored outcome: a case on one adapter (variant-qualified) and device."""

    case_id: str
    label: str  # adapter, or adapter@device off the CPU
    variant: str
    framework: str
    version: str
    api: str
    status: str
    verdict: str
    known: str | None
    rule: str | None
    inferred: list[list[int]] | None
    error: str  # "Type: message" as the framework wrote it, or ""
    detail: str
    shape: list[int] | None = None
    error_type: str = ""
    message: str = ""
    max_abs_err: float | None = None


def _label(adapter: str, device: str) -> str:
    return adapter if device == "cpu" else f"{adapter}@{device}"


def _size(case: Case) -> int:
    return math.prod(case.input_shape) + sum(case.weight_shape)


class Survey:
    """Everything the report says, computed once from a store."""

    def __init__(self, store: Store) -> None:
        self.name = store.path.name
        self.meta = store.meta()
        self.cases = {case.id: case for _, case in store.planned()}
        self.order = [case.id for _, case in store.planned()]
        recorded = store.recorded_ids()
        self.recorded = [cid for cid in self.order if cid in recorded]
        self.cells: dict[str, dict[str, Cell]] = defaultdict(dict)
        for row in store.outcome_rows():
            (
                case_id,
                adapter,
                device,
                variant,
                framework,
                version,
                api,
                status,
                verdict,
                known,
                rule,
                inferred,
                error_type,
                message,
                detail,
                shape,
                max_abs_err,
            ) = row
            cell = Cell(
                case_id,
                _label(adapter, device),
                variant or "",
                framework,
                version or "",
                api,
                status,
                verdict,
                known,
                rule,
                json.loads(inferred or "null"),
                f"{error_type}: {message}" if error_type else (message or ""),
                detail or "",
                json.loads(shape or "null"),
                error_type or "",
                message or "",
                max_abs_err,
            )
            self.cells[case_id][cell.label] = cell
        self.divergences: dict[str, list[tuple[str, str, str, str | None, str]]] = defaultdict(list)
        for case_id, aspect, left, right, detail, why in store.divergence_rows():
            self.divergences[case_id].append(
                (
                    aspect,
                    _label(*left.rsplit("@", 1)),
                    _label(*right.rsplit("@", 1)),
                    why,
                    detail or "",
                )
            )
        self.runs = [
            dict(
                zip(
                    (
                        "id",
                        "started",
                        "finished",
                        "project_commit",
                        "platform",
                        "python",
                        "versions",
                        "devices",
                        "variants",
                        "skipped",
                    ),
                    row,
                    strict=True,
                )
            )
            for row in store.run_rows()
        ]
        self.labels = sorted({label for cells in self.cells.values() for label in cells})
        self.registry = registry.load()
        self.shrunk = {
            (cid, target): (case, ending) for cid, target, case, ending, _, _ in store.shrunk_rows()
        }
        self.groups = self._merge()
        self.group_of = {label: group for group in self.groups for label in group.members}

    def _merge(self) -> list[groups.Group]:
        """Adapters that answered every case alike, merged (see harness/reporting/groups.py)."""
        answers = {
            label: tuple(
                (c.status, c.verdict, c.known, str(c.shape), str(c.inferred))
                if (c := self.cells[cid].get(label))
                else None
                for cid in self.recorded
            )
            for label in self.labels
        }
        differing = {
            frozenset((left, right))
            for cid in self.recorded
            for _, left, right, _, _ in self.divergences[cid]
        }
        return groups.merge(self.labels, answers, differing)

    # facts

    def info(self) -> dict[str, Any]:
        """Versions, platform and devices, as recorded by the runs (last run wins)."""
        versions: dict[str, str] = {}
        variants: dict[str, Any] = {}
        devices: set[str] = set()
        skipped: dict[str, str] = {}
        platform_name = python = commit = ""
        for run in self.runs:
            versions.update(json.loads(run["versions"] or "{}"))
            variants.update(json.loads(run["variants"] or "{}"))
            devices.update(json.loads(run["devices"] or "[]"))
            skipped.update(json.loads(run["skipped"] or "{}"))
            platform_name, python = run["platform"] or "", run["python"] or ""
            commit = run["project_commit"] or commit
        return {
            "versions": versions,
            "variants": variants,
            "devices": sorted(devices),
            "skipped": skipped,
            "platform": platform_name,
            "python": python,
            "commit": commit,
        }

    def ops(self) -> dict[str, int]:
        """Recorded cases per operator, in the canonical order of operators."""
        counted = Counter(self.cases[case_id].op for case_id in self.recorded)
        return {op: counted[op] for op in OPS if counted[op]}

    def verdict_counts(self, op: str | None = None) -> dict[str, Counter]:
        """adapter -> verdict -> count, over every case or those of one operator."""
        counts: dict[str, Counter] = {label: Counter() for label in self.labels}
        for case_id in self.recorded:
            if op is not None and self.cases[case_id].op != op:
                continue
            for label, cell in self.cells[case_id].items():
                counts[label][cell.verdict + (" (known)" if cell.known else "")] += 1
        return counts

    def unexpected(self) -> list[Cell]:
        return [
            cell
            for case_id in self.recorded
            for cell in self.cells[case_id].values()
            if cell.verdict not in EXPECTED and not cell.known
        ]

    def unexplained(self) -> list[tuple[str, tuple[str, str, str, str | None, str]]]:
        return [
            (case_id, d)
            for case_id in self.recorded
            for d in self.divergences[case_id]
            if d[3] is None
        ]

    def _differ(self, case_id: str) -> dict[tuple[str, str], set[str]]:
        """(adapter, adapter) -> the aspects they differ in on one case, both orders."""
        differ: dict[tuple[str, str], set[str]] = defaultdict(set)
        for aspect, left, right, _, _ in self.divergences[case_id]:
            differ[(left, right)].add(aspect)
            differ[(right, left)].add(aspect)
        return differ

    def agreement(self, labels: list[str]) -> tuple[dict, dict, dict]:
        """Per pair of `labels` (a group stands for its members): (cases agreeing in shape,
        pads and values, cases both returned an output); per pair the count of each aspect
        they differ in on those cases; and per pair the cases where one refused (or could not
        express) what the other computed, counted apart, never as disagreement."""
        totals: Counter = Counter()
        agreeing: Counter = Counter()
        aspects: dict[tuple[str, str], Counter] = defaultdict(Counter)
        refusals: Counter = Counter()
        for case_id in self.recorded:
            cells = self.cells[case_id]
            differ = self._differ(case_id)
            for i, a in enumerate(labels):
                for b in labels[i + 1 :]:
                    x, y = cells.get(a), cells.get(b)
                    if x is None or y is None:
                        continue
                    if x.status == y.status == "ok":
                        totals[(a, b)] += 1
                        found = differ[(a, b)] - {"accept"}
                        for aspect in found:
                            aspects[(a, b)][aspect] += 1
                        agreeing[(a, b)] += not found
                    elif "ok" in (x.status, y.status):
                        refusals[(a, b)] += 1
        cells_out = {}
        for (a, b), total in totals.items():
            cells_out[(a, b)] = cells_out[(b, a)] = (agreeing[(a, b)], total)
        return cells_out, aspects, refusals

    def agreement_by(self, key) -> dict[tuple[str, str], tuple[int, int]]:
        """Over cases where two or more adapters returned an output, bucketed by
        key(case) -> (row, col): (cases where those outputs agree in shape, pads and values,
        cases)."""
        buckets: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for case_id in self.recorded:
            ok = {label for label, c in self.cells[case_id].items() if c.status == "ok"}
            if len(ok) < 2:
                continue
            bucket = buckets[key(self.cases[case_id])]
            bucket[1] += 1
            bucket[0] += not any(
                aspect != "accept" and left in ok and right in ok
                for aspect, left, right, _, _ in self.divergences[case_id]
            )
        return {k: (v[0], v[1]) for k, v in buckets.items()}

    def same_resolution(self) -> dict[str, Counter]:
        """Per adapter, over cases with padding 'same', per axis of each accepted output: which
        split of the least 'same' total the inferred pads allow (odd pixel after, before, or
        either: an even total, or a pad no window reads), and whether the size is ceil(i/s)."""
        found: dict[str, Counter] = defaultdict(Counter)
        for case_id in self.recorded:
            case = self.cases[case_id]
            if case.padding.kind != "same":
                continue
            for label, cell in self.cells[case_id].items():
                tally = found[label]
                if cell.status == "rejected":
                    tally["refused"] += 1
                if cell.status != "ok" or not cell.inferred:
                    continue
                axes = zip(
                    cell.inferred[0::2],
                    cell.inferred[1::2],
                    case.spatial,
                    case.kernel,
                    case.stride,
                    case.dilation,
                    strict=True,
                )
                for near, far, i, k, s, d in axes:
                    total = oracle.same_total("minimal", i, k, s, d)
                    allows = [
                        all(
                            lo <= p <= hi
                            for p, (lo, hi) in zip(
                                oracle.split(rule, total), (near, far), strict=True
                            )
                        )
                        for rule in ("extra_at_end", "extra_at_start")
                    ]
                    tally[SPLITS[allows[0], allows[1]]] += 1
                    size = (i + near[0] + far[0] - oracle.effective_kernel(k, d)) // s + 1
                    tally["size ceil(i/s)" if size == -(-i // s) else "size other"] += 1
        return found

    def rejections(self) -> list[tuple[str, str, str, int, Case]]:
        """(adapter group, rule or 'undocumented', the smallest case's message, count, smallest
        case), grouped by the message with its numbers taken out."""
        found: dict[tuple[str, str, str], list[tuple[Case, str]]] = defaultdict(list)
        for case_id in self.recorded:
            for label, cell in self.cells[case_id].items():
                if cell.status == "rejected" and label == self.group_of[label].first:
                    why = cell.rule or f"undocumented ({cell.known or cell.verdict})"
                    key = (self.group_of[label].name, why, messages.normalise(cell.error))
                    found[key].append((self.cases[case_id], cell.error))
        rows = []
        for (name, why, _), seen in sorted(found.items()):
            case, error = min(seen, key=lambda item: (_size(item[0]), item[0].id))
            rows.append((name, why, messages.shorten(messages.readable(error)), len(seen), case))
        return rows

    def divergence_log(self) -> list[dict[str, Any]]:
        """One minimal example per (adapter pair, aspect, explanation), with counts."""
        groups: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
        for case_id in self.recorded:
            for aspect, left, right, why, _ in self.divergences[case_id]:
                groups[(left, right, aspect, why or "")].append(case_id)
        log = []
        for (left, right, aspect, why), ids in sorted(groups.items()):
            smallest = min(ids, key=lambda cid: (_size(self.cases[cid]), cid))
            log.append(
                {
                    "left": left,
                    "right": right,
                    "aspect": aspect,
                    "explained_by": why or None,
                    "cases": len(ids),
                    "example": smallest,
                }
            )
        return log

    def recipe_checks(self) -> list[dict[str, Any]]:
        checks = []
        for recipe in recipes.load():
            tally: Counter = Counter()
            failed: list[str] = []
            for case_id in self.recorded:
                twin = recipe.twin(self.cases[case_id])
                if twin is None or twin.id not in self.cells:
                    continue
                source = self.cells[case_id].get(recipe.source)
                target = self.cells[twin.id].get(recipe.target)
                if source is None or target is None:
                    tally["not run"] += 1
                elif source.status != "ok":
                    tally["source refused"] += 1
                elif source.known or target.known:
                    tally["a known bug on one side"] += 1
                elif (
                    target.status == "ok"
                    and source.verdict == target.verdict == "PASS"
                    and source.inferred == target.inferred
                ):
                    tally["agreed"] += 1
                else:
                    tally["disagreed"] += 1
                    failed.append(case_id)
            checks.append({"recipe": recipe, "tally": tally, "failed": failed})
        return checks
