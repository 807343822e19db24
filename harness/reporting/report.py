"""The published compatibility report, read from a store: REPORT.md, report.html, results.json,
trend.json.

Reads the store and the data files only; knows nothing of workers or adapter code. The same
store gives byte-identical REPORT.md and results.json: every time-dependent figure lives in
one marked place (the "Timing" section and the "timing" field).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import __version__
from harness.case import OPS, Case
from harness.model import oracle, recipes, registry
from harness.model.verdicts import EXPECTED
from harness.ops.conv import CLASSIC
from harness.reporting import charts, document
from harness.reporting.document import Code, Figure, Paragraph, Section, Table
from harness.reporting.pool_section import pooling_section
from harness.running.store import Store

RESULTS_SCHEMA = "convharness-results/2"  # 2: cases name their op; pads per axis at any rank
# (allows the odd pixel after, allows it before) -> how the 'same' split reads
SPLITS = {
    (True, False): "odd pixel after",
    (False, True): "odd pixel before",
    (True, True): "either",
    (False, False): "neither",
}
TITLE = "Convolution compatibility report"


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
    error: str
    detail: str
    shape: list[int] | None = None


def _label(adapter: str, device: str) -> str:
    return adapter if device == "cpu" else f"{adapter}@{device}"


def _size(case: Case) -> int:
    return math.prod(case.input_shape) + sum(case.weight_shape)


def normalise(message: str) -> str:
    """An error message with the case-specific parts (numbers, node names) taken out."""
    message = re.sub(r"\{\{function_node [^}]*\}\}", "", message)
    message = re.sub(r"\[Op:\w+\]( name:)?", "", message)
    message = re.sub(r"-?\d+(\.\d+)?", "N", message)
    message = " ".join(message.split())
    return message[:160] + ("..." if len(message) > 160 else "")


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

    def agreement(self) -> tuple[dict[tuple[str, str], tuple[int, int]], dict]:
        """Per adapter pair: (cases agreeing on everything, cases both answered), and per
        pair the count of each aspect they differ in."""
        totals: Counter = Counter()
        agreeing: Counter = Counter()
        aspects: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for case_id in self.recorded:
            answered = sorted(
                label
                for label, cell in self.cells[case_id].items()
                if cell.status in ("ok", "rejected")
            )
            differ = defaultdict(set)
            for aspect, left, right, _, _ in self.divergences[case_id]:
                differ[tuple(sorted((left, right)))].add(aspect)
            for i, a in enumerate(answered):
                for b in answered[i + 1 :]:
                    totals[(a, b)] += 1
                    if differ[(a, b)]:
                        for aspect in differ[(a, b)]:
                            aspects[(a, b)][aspect] += 1
                    else:
                        agreeing[(a, b)] += 1
        cells = {}
        for (a, b), total in totals.items():
            cells[(a, b)] = cells[(b, a)] = (agreeing[(a, b)], total)
        return cells, aspects

    def agreement_by(self, key) -> dict[tuple[str, str], tuple[int, int]]:
        """Cases where every answering adapter agrees, bucketed by key(case) -> (row, col)."""
        buckets: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for case_id in self.recorded:
            answering = [c for c in self.cells[case_id].values() if c.status in ("ok", "rejected")]
            if len(answering) < 2:
                continue
            bucket = buckets[key(self.cases[case_id])]
            bucket[1] += 1
            bucket[0] += not self.divergences[case_id]
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
        """(adapter, rule or 'undocumented', normalised message, count, smallest case)."""
        groups: dict[tuple[str, str, str], list[Case]] = defaultdict(list)
        for case_id in self.recorded:
            for label, cell in self.cells[case_id].items():
                if cell.status == "rejected":
                    why = cell.rule or f"undocumented ({cell.known or cell.verdict})"
                    groups[(label, why, normalise(cell.error))].append(self.cases[case_id])
        return [
            (label, why, message, len(found), min(found, key=lambda c: (_size(c), c.id)))
            for (label, why, message), found in sorted(groups.items())
        ]

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


def classic_section(survey: Survey) -> Section:
    """The question the project starts from, answered from this store's own outcomes."""
    section = Section("The classic question: 28x28 input, 3x3 kernel, stride 2")
    same, one = (case.id for case in CLASSIC[1:])
    if not {same, one} <= set(survey.recorded):
        section.blocks.append(Paragraph("This store does not hold the classic cases."))
        return section
    rows, told_apart = [], []
    for label in survey.labels:
        a, b = survey.cells[same].get(label), survey.cells[one].get(label)
        if a is None or b is None:
            continue
        rows.append((label, *(_answer(cell) for cell in (a, b))))
        if a.inferred and b.inferred and a.verdict == b.verdict == "PASS":
            told_apart.append((label, a.inferred, b.inferred))
    section.blocks.append(
        Paragraph(
            "The same input through `padding='same'` and through `padding=1`: the shape each "
            "adapter returned, and the pads [top, bottom, left, right] its values prove."
        )
    )
    section.blocks.append(Table(("adapter", "padding='same'", "padding=1"), tuple(rows)))
    for label, p, q in told_apart:  # the pads 'same' and padding=1 prove
        shapes = survey.cells[same][label].shape, survey.cells[one][label].shape
        differ = "different" if (p[0], p[2]) != (q[0], q[2]) else "the same"
        section.blocks.append(
            Paragraph(
                f"`{label}`: {'equal' if shapes[0] == shapes[1] else 'different'} shapes "
                f"({shapes[0]} and {shapes[1]}) and {differ} values. The values prove top/left "
                f"pads {p[0][0]}/{p[2][0]} for 'same' and {q[0][0]}/{q[2][0]} for padding=1; "
                f"bottom/right only within {p[1]} and {q[1]}, as no window reads the last pad row."
            )
        )
    return section


def _answer(cell: Cell) -> str:
    if cell.status != "ok":
        return f"{cell.status}: {cell.error}" if cell.status == "rejected" else cell.status
    return f"{cell.shape}, proves {cell.inferred}"


def _pct(agreeing: int, total: int) -> str:
    return f"{100 * agreeing / total:.0f}%" if total else "-"


def _what_this_is(survey: Survey, store_name: str) -> Section:
    info = survey.info()
    meta = survey.meta
    about = Section("What this is")
    about.blocks.append(
        Paragraph(
            f"{len(survey.recorded)} cases ("
            + ", ".join(f"{op} {n}" for op, n in survey.ops().items())
            + f"; {meta.get('profile') or 'custom'} profile, seed "
            f"{meta.get('seed')}, shard {meta.get('shard')}, plan `{meta.get('plan_id')}`) ran on "
            f"{len(survey.labels)} adapters. Every answer was compared with the analytic output "
            "size under the framework's documented convention, with a float64 NumPy reference, "
            "and with every other framework; the padding each framework applied was inferred "
            "from its output values. Generated by convharness "
            + __version__
            + " from `"
            + store_name
            + "`."
        )
    )
    about.blocks.append(
        Table(
            ("variant", "framework", "version"),
            tuple(
                (key.split(":")[0], key.split(":")[1], version)
                for key, version in sorted(info["versions"].items())
            ),
        )
    )
    environment = ", ".join(
        f"{name}: {' '.join(f'{k}={v}' for k, v in env.items()) or '-'}"
        for name, env in sorted(info["variants"].items())
    )
    about.blocks.append(
        Paragraph(
            f"Platform `{info['platform']}`, Python {info['python']}, devices "
            f"{', '.join(info['devices']) or '-'}, project commit `{info['commit'] or 'unknown'}`. "
            f"Variant environments: {environment}."
        )
    )
    if info["skipped"]:
        about.blocks.append(
            Paragraph(
                "Skipped: " + "; ".join(f"{k} ({v})" for k, v in sorted(info["skipped"].items()))
            )
        )
    return about


def _verdict_table(counts: dict[str, Counter]) -> Table:
    """adapter x verdict counts, for the adapters that answered at least once."""
    answering = [label for label, tally in counts.items() if sum(tally.values())]
    verdicts = sorted({v for label in answering for v in counts[label]})
    return Table(
        ("adapter", *verdicts),
        tuple(
            (label, *(str(counts[label][v]) if counts[label][v] else "" for v in verdicts))
            for label in answering
        ),
    )


def _verdicts_per_adapter(survey: Survey, store_name: str) -> Section:
    summary = Section("Verdicts per adapter")
    summary.blocks.append(_verdict_table(survey.verdict_counts()))
    per_op = survey.ops()
    for op in per_op if len(per_op) > 1 else ():
        summary.blocks.append(Paragraph(f"**{op}** ({per_op[op]} cases):"))
        summary.blocks.append(_verdict_table(survey.verdict_counts(op)))
    unexpected, unexplained = survey.unexpected(), survey.unexplained()
    summary.blocks.append(
        Paragraph(
            f"Unexpected verdicts: {len(unexpected)}. Unexplained divergences: {len(unexplained)}. "
            "A verdict marked `(known)` is a registered upstream bug (see below)."
        )
    )
    return summary


def _compatibility_matrix(survey: Survey, store_name: str) -> Section:
    matrix = Section("Compatibility matrix")
    cells, aspects = survey.agreement()
    matrix.blocks.append(
        Paragraph(
            "Share of the cases both adapters answered (output or refusal) where they agree on "
            "everything: accept or refuse, output shape, applied pads and values."
        )
    )
    short = {label: f"A{i + 1}" for i, label in enumerate(survey.labels)}
    matrix.blocks.append(
        Table(
            ("", *short.values()),
            tuple(
                (
                    f"{short[a]} {a}",
                    *("" if a == b else _pct(*cells.get((a, b), (0, 0))) for b in survey.labels),
                )
                for a in survey.labels
            ),
        )
    )
    matrix.blocks.append(
        Figure(
            charts.heatmap(survey.labels, survey.labels, cells, "adapter", "adapter"),
            "agreement between adapters",
        )
    )
    rows = []
    for (a, b), tally in sorted(aspects.items()):
        total = cells[(a, b)][1]
        rows.append(
            (
                a,
                b,
                str(total),
                *(_pct(total - tally[x], total) for x in ("accept", "shape", "pads", "values")),
            )
        )
    matrix.blocks.append(Paragraph("Pairs that differ at least once, per aspect (share agreeing):"))
    matrix.blocks.append(
        Table(("adapter", "adapter", "cases", "accept", "shape", "pads", "values"), tuple(rows))
    )
    return matrix


def _where_frameworks_differ(survey: Survey, store_name: str) -> Section:
    where = Section("Where frameworks differ")
    where.blocks.append(
        Paragraph(
            "Share of cases on which every answering adapter agrees on everything, by kernel "
            "size and stride (first spatial axis), and by input size modulo stride and dilation "
            "(first spatial axis), over every operator."
        )
    )
    by_kernel = survey.agreement_by(lambda c: (f"k={c.kernel[0]}", f"s={c.stride[0]}"))
    where.blocks.append(
        Figure(
            charts.heatmap(
                sorted({k[0] for k in by_kernel}, key=lambda t: int(t[2:])),
                sorted({k[1] for k in by_kernel}, key=lambda t: int(t[2:])),
                by_kernel,
                "kernel",
                "stride",
            ),
            "agreement over kernel size x stride",
        )
    )
    by_mod = survey.agreement_by(
        lambda c: (f"i%s={c.spatial[0] % c.stride[0]}", f"d={c.dilation[0]}")
    )
    where.blocks.append(
        Figure(
            charts.heatmap(
                sorted({k[0] for k in by_mod}),
                sorted({k[1] for k in by_mod}),
                by_mod,
                "input size mod stride",
                "dilation",
            ),
            "agreement over (input size mod stride) x dilation",
        )
    )
    where.blocks.append(
        Table(
            ("kernel, stride", "agreeing", "cases"),
            tuple((f"{k}, {s}", str(v[0]), str(v[1])) for (k, s), v in sorted(by_kernel.items())),
        )
    )
    return where


def _how_same_resolves(survey: Survey, store_name: str) -> Section:
    same = Section("How 'same' resolves, measured")
    found = survey.same_resolution()
    kinds = [
        "odd pixel after",
        "odd pixel before",
        "either",
        "neither",
        "size ceil(i/s)",
        "size other",
        "refused",
    ]
    same.blocks.append(
        Paragraph(
            "Over the cases with `padding='same'`, per axis of each accepted output: does the "
            "padding its values prove allow the least 'same' total, max(0, (ceil(i/s) - 1)s + "
            "d(k-1) + 1 - i), split with the odd pixel after (bottom/right: TensorFlow's rule), "
            "before (top/left: SAME_LOWER), either (an even total, or a pad no window reads), or "
            "neither; is the output size ceil(i/s); and how many cases each adapter refused."
        )
    )
    same.blocks.append(
        Table(
            ("adapter", *kinds),
            tuple(
                (label, *(str(found[label][k]) if found[label][k] else "" for k in kinds))
                for label in survey.labels
                if sum(found[label].values())
            ),
        )
    )
    bar_labels = [label for label in survey.labels if sum(found[label].values())]
    colours = {
        "odd pixel after": "#4c78a8",
        "odd pixel before": "#f58518",
        "either": "#9ecae9",
        "neither": "#b279a2",
        "refused": "#e45756",
    }
    same.blocks.append(
        Figure(
            charts.stacked_bars(
                bar_labels,
                {name: [found[x][name] for x in bar_labels] for name in colours},
                colours,
            ),
            "per-framework 'same' split, measured (axes of accepted outputs; refused cases)",
        )
    )
    return same


def _refusals(survey: Survey, store_name: str) -> Section:
    refusals = Section("Refusals")
    refusals.blocks.append(
        Paragraph(
            "What each adapter refused, grouped by the documented rule that explains it (see "
            "`harness/data/conventions.toml`) and the error message with its numbers taken out."
        )
    )
    refusals.blocks.append(
        Table(
            ("adapter", "rule", "message", "cases", "smallest example"),
            tuple(
                (label, why, message, str(n), f"`{case.command()}`")
                for label, why, message, n, case in survey.rejections()
            ),
        )
    )
    return refusals


def _attention(survey: Survey, store_name: str) -> Section:
    unexpected, unexplained = survey.unexpected(), survey.unexplained()
    attention = Section("Unexpected verdicts and unexplained divergences")
    if not unexpected and not unexplained:
        attention.blocks.append(
            Paragraph(
                "None: every verdict is documented or a registered "
                "upstream bug, and every difference is explained."
            )
        )
    for cell in unexpected:
        case = survey.cases[cell.case_id]
        attention.blocks.append(
            Paragraph(
                f"`{cell.verdict}` on `{cell.label}`: {cell.detail or cell.error}. Reproduce: "
                f"`convharness repro {cell.case_id} --store {store_name} --adapters {cell.label}` "
                f"or `{case.command()}`"
            )
        )
    for case_id, (aspect, left, right, _, detail) in unexplained:
        attention.blocks.append(
            Paragraph(
                f"`{left}` and `{right}` differ in {aspect} ({detail}). Reproduce: "
                f"`convharness repro {case_id} --store {store_name}`"
            )
        )
    return attention


def _registry_entries(survey: Survey, store_name: str) -> Section:
    known = Section("Known divergences (registry)")
    seen: Counter = Counter(
        cell.known for cid in survey.recorded for cell in survey.cells[cid].values() if cell.known
    )
    explained: Counter = Counter(
        d[3] for cid in survey.recorded for d in survey.divergences[cid] if d[3]
    )
    known.blocks.append(
        Paragraph(
            "Upstream bugs: a framework departing from its own documentation, with the upstream "
            "issue or a minimal reproduction. Conventions: documented refusals that make "
            "frameworks disagree."
        )
    )
    known.blocks.append(
        Table(
            ("id", "kind", "verdicts marked", "differences explained", "summary", "citation"),
            tuple(
                (e.id, e.kind, str(seen[e.id]), str(explained[e.id]), e.summary, e.citation)
                for e in survey.registry.entries
            ),
        )
    )
    for entry in survey.registry.entries:
        if entry.repro and seen[entry.id]:
            known.blocks.append(Paragraph(f"Reproduction of `{entry.id}`:"))
            known.blocks.append(Code(entry.repro.strip(), "python"))
    return known


def _divergence_log(survey: Survey, store_name: str) -> Section:
    log = Section("Divergence log")
    entries = survey.divergence_log()
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for item in entries:
        grouped[(item["aspect"], item["explained_by"] or "UNEXPLAINED")].append(item)
    log.blocks.append(
        Paragraph(
            "Every difference between two adapters on one case, by aspect and explanation: how "
            "many adapter pairs and cases, and the smallest case. results.json keeps one minimal "
            "example per (adapter pair, aspect, explanation)."
        )
    )
    rows = []
    for (aspect, why), items in sorted(grouped.items()):
        smallest = min(items, key=lambda i: (_size(survey.cases[i["example"]]), i["example"]))
        rows.append(
            (
                aspect,
                why,
                str(len(items)),
                str(sum(i["cases"] for i in items)),
                f"{smallest['left']} vs {smallest['right']}",
                f"`convharness repro {smallest['example']} --store {store_name}`",
            )
        )
    log.blocks.append(
        Table(
            ("aspect", "explained by", "pairs", "pair-cases", "smallest: pair", "reproduce"),
            tuple(rows),
        )
    )
    return log


def _porting_recipes(survey: Survey, store_name: str) -> Section:
    porting = Section("Porting recipes")
    porting.blocks.append(
        Paragraph(
            "Each recipe writes one framework's padding word as explicit pads in another. The "
            "survey runs every case with that word next to its explicit twin (same data, the "
            "pads written out) on the target, and compares them."
        )
    )
    for check in survey.recipe_checks():
        recipe, tally = check["recipe"], check["tally"]
        porting.blocks.append(
            Paragraph(
                f"{recipe.title} (`{recipe.id}`, `{recipe.source}` to `{recipe.target}`): "
                f"agreed on {tally['agreed']} cases, disagreed on {tally['disagreed']}, source "
                f"refused {tally['source refused']}, a registered upstream bug on one side "
                f"{tally['a known bug on one side']}."
            )
        )
        porting.blocks.append(Code(recipe.construction, "python"))
        for case_id in check["failed"][:5]:
            porting.blocks.append(Paragraph(f"Disagreed: `{survey.cases[case_id].command()}`"))
    return porting


def _timing(survey: Survey, store_name: str) -> Section:
    timing = Section("Timing")
    timing.blocks.append(
        Paragraph("The only section that changes between two reports of the same results.")
    )
    timing.blocks.append(
        Table(
            ("run", "started (UTC)", "finished (UTC)", "seconds"),
            tuple(
                (
                    str(run["id"]),
                    _utc(run["started"]),
                    _utc(run["finished"]),
                    f"{run['finished'] - run['started']:.0f}" if run["finished"] else "-",
                )
                for run in survey.runs
            ),
        )
    )
    return timing


def sections(survey: Survey, store_name: str) -> list[Section]:
    """The report's sections, in reading order; each is built by its own function."""
    return [
        _what_this_is(survey, store_name),
        _verdicts_per_adapter(survey, store_name),
        _compatibility_matrix(survey, store_name),
        classic_section(survey),
        pooling_section(survey),
        _where_frameworks_differ(survey, store_name),
        _how_same_resolves(survey, store_name),
        _refusals(survey, store_name),
        _attention(survey, store_name),
        _registry_entries(survey, store_name),
        _divergence_log(survey, store_name),
        _porting_recipes(survey, store_name),
        _timing(survey, store_name),
    ]


def _utc(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp)) if stamp else "-"


def results(survey: Survey) -> dict[str, Any]:
    """results.json: documented in reports/results-schema.md."""
    info = survey.info()
    devices = info["devices"]
    kind = "gpu" if any(d.startswith("gpu") for d in devices) else "cpu"
    counts = survey.verdict_counts()
    return {
        "schema": RESULTS_SCHEMA,
        "name": TITLE,
        "suite": {"name": "convharness", "version": __version__, "commit": info["commit"]},
        "platform": info["platform"],
        "python": info["python"],
        "execution_target": {"kind": kind, "devices": devices},
        "versions": info["versions"],
        "variants": info["variants"],
        "skipped": info["skipped"],
        "plan": {
            "id": survey.meta.get("plan_id"),
            "profile": survey.meta.get("profile"),
            "seed": survey.meta.get("seed"),
            "shard": survey.meta.get("shard"),
            "planned": len(survey.order),
            "recorded": len(survey.recorded),
        },
        "summary": {
            "verdicts": {label: dict(sorted(c.items())) for label, c in counts.items()},
            "verdicts_by_op": {
                op: {
                    label: dict(sorted(c.items()))
                    for label, c in survey.verdict_counts(op).items()
                    if c
                }
                for op in survey.ops()
            },
            "unexpected": len(survey.unexpected()),
            "unexplained": len(survey.unexplained()),
        },
        "cases": {cid: survey.cases[cid].to_json() for cid in survey.recorded},
        "cells": [
            [cid, c.label, c.status, c.verdict, c.known, c.inferred]
            for cid in survey.recorded
            for c in sorted(survey.cells[cid].values(), key=lambda c: c.label)
        ],
        "divergence_log": survey.divergence_log(),
        "recipes": [
            {"id": check["recipe"].id, **dict(sorted(check["tally"].items()))}
            for check in survey.recipe_checks()
        ],
        "timing": {
            "note": "the only field that changes between identical results",
            "runs": [
                {"started": _utc(r["started"]), "finished": _utc(r["finished"])}
                for r in survey.runs
            ],
        },
    }


def _trend_entry(survey: Survey) -> dict[str, Any]:
    finished = max((run["finished"] or run["started"] for run in survey.runs), default=0.0)
    return {
        "date": _utc(finished),
        "plan": survey.meta.get("plan_id"),
        "profile": survey.meta.get("profile"),
        "cases": len(survey.recorded),
        "versions": survey.info()["versions"],
        "verdicts": {
            label: dict(sorted(c.items())) for label, c in survey.verdict_counts().items()
        },
    }


def write(store: Store, out: Path) -> list[Path]:
    """Write the four report files into `out`; trend.json gains (or updates) this run's line."""
    survey = Survey(store)
    out.mkdir(parents=True, exist_ok=True)
    parts = sections(survey, store.path.name)
    paths = {
        name: out / name for name in ("REPORT.md", "report.html", "results.json", "trend.json")
    }
    paths["REPORT.md"].write_text(document.markdown(TITLE, parts))
    paths["report.html"].write_text(document.page(TITLE, parts))
    paths["results.json"].write_text(json.dumps(results(survey), indent=1, sort_keys=True) + "\n")
    trend = []
    if paths["trend.json"].exists():
        try:
            trend = json.loads(paths["trend.json"].read_text())
        except ValueError:
            trend = []
    entry = _trend_entry(survey)
    trend = [t for t in trend if (t.get("date"), t.get("plan")) != (entry["date"], entry["plan"])]
    trend = sorted([*trend, entry], key=lambda t: (t.get("date") or "", t.get("plan") or ""))
    paths["trend.json"].write_text(
        "[\n" + ",\n".join(json.dumps(t, sort_keys=True) for t in trend) + "\n]\n"
    )
    return list(paths.values())
