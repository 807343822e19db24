"""The published compatibility report, read from a store: REPORT.md, report.html, results.json,
trend.json.

Reads the store and the data files only; knows nothing of workers or adapter code. The same
store gives byte-identical REPORT.md and results.json: every time-dependent figure lives in
one marked place (the "Timing" appendix and the "timing" field). The report answers its readers
first: the findings (bugs, with a command each), the convention matrix, the classic questions
and their fixes; versions, per-variant rows and logs are appendices.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from harness import __version__
from harness.ops.conv import CLASSIC
from harness.releases import matrix as release_axis
from harness.reporting import behaviours, charts, document, findings, results, transposed_classic
from harness.reporting.document import Code, Figure, Paragraph, Section, Table
from harness.reporting.facts import Cell, Survey
from harness.reporting.pool_section import pooling_section
from harness.running.store import Store

TITLE = "Compatibility report: convolution, transposed convolution, pooling"
RESULTS_SCHEMA = results.SCHEMA


def classic_section(survey: Survey) -> Section:
    """The question the project starts from, answered from this store's own outcomes."""
    section = Section("The classic question: 28x28 input, 3x3 kernel, stride 2")
    same, one = (case.id for case in CLASSIC[1:])
    if not {same, one} <= set(survey.recorded):
        section.blocks.append(Paragraph("This store does not hold the classic cases."))
        return section
    rows, told_apart = [], []
    for label in _firsts(survey, [same, one]):
        a, b = survey.cells[same].get(label), survey.cells[one].get(label)
        if a is None or b is None:
            continue
        rows.append((_grouped(survey, label, [same, one]), *(_answer(cell) for cell in (a, b))))
        if a.inferred and b.inferred and a.verdict == b.verdict == "PASS":
            told_apart.append((label, a.inferred, b.inferred))
    section.blocks.append(
        Paragraph(
            "The same input through `padding='same'` and through `padding=1`: the shape each "
            "adapter returned, and the pads [top, bottom, left, right] its values prove."
        )
    )
    section.blocks.append(Table(("adapter", "padding='same'", "padding=1"), tuple(rows)))
    for label, p, q in told_apart[:1]:  # the pads 'same' and padding=1 prove
        shapes = survey.cells[same][label].shape, survey.cells[one][label].shape
        differ = "different" if (p[0], p[2]) != (q[0], q[2]) else "the same"
        section.blocks.append(
            Paragraph(
                f"For example `{label}`: "
                f"{'equal' if shapes[0] == shapes[1] else 'different'} shapes "
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


def _firsts(survey: Survey, case_ids: list[str]) -> list[str]:
    """One adapter per set answering these cases alike (shape, pads, verdict, status)."""
    seen: dict[tuple, str] = {}
    for label in survey.labels:
        key = tuple(
            (c.status, c.verdict, str(c.shape), str(c.inferred), c.error_type)
            if (c := survey.cells[cid].get(label))
            else None
            for cid in case_ids
        )
        seen.setdefault(key, label)
    return list(seen.values())


def _grouped(survey: Survey, label: str, case_ids: list[str]) -> str:
    """The adapters answering these cases as `label` does, named as a group."""
    from harness.reporting.groups import group_name

    def key(lab: str) -> tuple:
        return tuple(
            (c.status, c.verdict, str(c.shape), str(c.inferred), c.error_type)
            if (c := survey.cells[cid].get(lab))
            else None
            for cid in case_ids
        )

    return group_name([lab for lab in survey.labels if key(lab) == key(label)])


def _merged(section: Section) -> Section:
    """The section with the rows of its adapter tables that read alike merged into one, named
    as a group."""
    from harness.reporting.groups import group_name

    for index, block in enumerate(section.blocks):
        if not isinstance(block, Table) or not block.header or block.header[0] != "adapter":
            continue
        alike: dict[tuple[str, ...], list[str]] = {}
        for row in block.rows:
            alike.setdefault(tuple(row[1:]), []).append(row[0])
        section.blocks[index] = Table(
            block.header, tuple((group_name(names), *cells) for cells, names in alike.items())
        )
    return section


def _pct(agreeing: int, total: int) -> str:
    return f"{100 * agreeing / total:.0f}%" if total else "-"


def _opening(survey: Survey, store_name: str) -> Section:
    meta = survey.meta
    unexpected, unexplained = survey.unexpected(), survey.unexplained()
    about = Section("In short")
    about.blocks.append(
        Paragraph(
            f"{len(survey.recorded)} cases ("
            + ", ".join(f"{op} {n}" for op, n in survey.ops().items())
            + f"; `{meta.get('profile') or 'custom'}` profile, seed {meta.get('seed')}) ran on "
            f"{len(survey.labels)} adapters of {len(survey.info()['versions'])} framework "
            "variants (versions in the appendix). Each answer was checked against the "
            "framework's documented output size and refusals, a float64 NumPy reference and "
            "every other framework; the padding each framework applied was inferred from its "
            f"output values. Unexpected verdicts: {len(unexpected)}; unexplained divergences: "
            f"{len(unexplained)}. Every command below runs on its own after the README's "
            f"install (generated by convharness {__version__} from `{store_name}`)."
        )
    )
    return about


def _findings(survey: Survey, store_name: str) -> Section:
    section = Section("Findings")
    rows = findings.findings(survey)
    observed = [f for f in rows if f.observed]
    section.blocks.append(
        Paragraph(
            f"{len(observed)} upstream bugs or departures from documentation showed in this run"
            f" ({len(rows) - len(observed)} more are registered but no case reached them). "
            "Severity: silent wrong values, then wrong shape, then a wrong or missing error. "
            "Each command reruns a case that shows it and nothing else: the case `convharness "
            "shrink` reduced it to, or the smallest clean drawn case where it was not shrunk "
            "(`--variants` keeps only the frameworks involved)."
        )
    )
    section.blocks.append(
        Table(
            ("finding", "where", "severity", "cases", "adapters", "reproduce", "upstream"),
            tuple(
                (
                    f.title,
                    f.where,
                    f.severity.words,
                    str(f.cases),
                    "; ".join(f.adapters) or "-",
                    f.repro + (f" ({f.shrunk})" if f.shrunk else ""),
                    f.link,
                )
                for f in observed
            ),
            anchors=tuple(f.anchor for f in observed),
        )
    )
    unseen = [f for f in rows if not f.observed]
    if unseen:
        section.blocks.append(
            Paragraph(
                "Registered, not reached by any case of this run (each has its minimal repro in "
                "the Registry appendix): "
                + ", ".join(f"{f.title} ({f.severity.words}, #registry-{f.title})" for f in unseen)
                + "."
            )
        )
    recipe = next(
        (c for c in survey.recipe_checks() if c["recipe"].id == "jax-same-lower-in-tf"), None
    )
    answer = (
        "**Why is my output shifted by a pixel?** On a 28x28 input, a 3x3 kernel and stride 2, "
        "TensorFlow's, Keras's, JAX's and Flax's `'same'` pad (top 0, bottom 1) and PyTorch's "
        "`padding=1` pads (1, 1): the same 14x14 shape, values shifted by a pixel (see the "
        "classic question below). The fix: write 'same' as explicit pads in PyTorch "
        "(`F.pad(x, (0, 1, 0, 1))` then `padding=0`), see Porting recipes."
    )
    if recipe is not None:
        tally = recipe["tally"]
        answer += (
            f" Recipe `{recipe['recipe'].id}` checked on this run's twins: agreed on "
            f"{tally['agreed']}, disagreed on {tally['disagreed']}."
        )
    section.blocks.append(Paragraph(answer))
    return section


def _convention_matrix(survey: Survey, store_name: str) -> Section:
    section = Section("Convention matrix")
    names, rows, notes = behaviours.matrix(survey)
    section.blocks.append(
        Paragraph(
            "What each framework does, measured from this run's answers (not from its "
            "documentation). Adapters whose answers read alike in every row share a column. "
            "A cell lists the two commonest answers with their counts where they differ; "
            "numbers in brackets are registry entries (upstream bugs, or documented "
            "conventions) that marked some of its cases."
        )
    )
    section.blocks.append(Table(("behaviour", *names), tuple(rows)))
    flags = {
        name: env
        for name, env in survey.info()["variants"].items()
        if env and any(f"[{_tag(name)}]" in column for column in names)
    }
    for number, bug in enumerate(notes, 1):
        section.blocks.append(Paragraph(f"[{number}] `{bug}`: see #registry-{bug}"))
    if flags:
        section.blocks.append(
            Paragraph(
                "Variants in brackets run with: "
                + "; ".join(
                    f"[{_tag(name)}] " + " ".join(f"`{k}={v}`" for k, v in env.items())
                    for name, env in sorted(flags.items())
                )
                + "."
            )
        )
    return section


def _tag(variant: str) -> str:
    """A variant's bracketed tag, as adapter labels carry it: tensorflow-no-onednn -> no-onednn."""
    framework = variant.split("-", 1)
    return framework[1] if len(framework) == 2 else ""


def _verdict_table(survey: Survey, counts: dict[str, Counter], merged: bool) -> Table:
    """adapter (or adapter group) x verdict counts, for those that answered at least once."""
    answering = [label for label, tally in counts.items() if sum(tally.values())]
    if merged:
        answering = [label for label in answering if survey.group_of[label].first == label]
    verdicts = sorted({v for label in answering for v in counts[label]})
    return Table(
        ("adapter", *verdicts),
        tuple(
            (
                survey.group_of[label].name if merged else label,
                *(str(counts[label][v]) if counts[label][v] else "" for v in verdicts),
            )
            for label in answering
        ),
    )


def _verdicts(survey: Survey, store_name: str) -> Section:
    summary = Section("Verdicts")
    summary.blocks.append(
        Paragraph(
            "Per adapter group (adapters that answered every case identically share a row; "
            "per adapter and per operator in the appendix). A verdict marked `(known)` is a "
            "registered upstream bug."
        )
    )
    summary.blocks.append(_verdict_table(survey, survey.verdict_counts(), merged=True))
    return summary


def _agreement(survey: Survey, store_name: str) -> Section:
    section = Section("Agreement between adapters", appendix=True)
    heads = [group.first for group in survey.groups]
    names = {group.first: group.name for group in survey.groups}
    cells, aspects, refusals = survey.agreement(heads)
    section.blocks.append(
        Paragraph(
            "Over the cases both sides computed: the share where they agree in shape, applied "
            "pads and values. A case one side refused (or could not express) is counted apart, "
            "in the last column of the table below, not as disagreement."
        )
    )
    short = [names[h] for h in heads]
    section.blocks.append(
        Figure(
            charts.heatmap(
                short,
                short,
                {(names[a], names[b]): v for (a, b), v in cells.items()},
                "adapter",
                "adapter",
            ),
            "share of the cases both adapters computed where they agree (shape, pads, values)",
        )
    )
    rows = []
    for i, a in enumerate(heads):
        for b in heads[i + 1 :]:
            agreeing, total = cells.get((a, b), (0, 0))
            tally = aspects.get((a, b), Counter())
            rows.append(
                (
                    names[a],
                    names[b],
                    str(total),
                    *(_pct(total - tally[x], total) for x in ("shape", "pads", "values")),
                    str(refusals[(a, b)]),
                )
            )
    section.blocks.append(
        Table(
            ("adapter", "adapter", "both computed", "shape", "pads", "values", "one refused"),
            tuple(rows),
        )
    )
    return section


def _where_frameworks_differ(survey: Survey, store_name: str) -> Section:
    where = Section("Where frameworks differ", appendix=True)
    where.blocks.append(
        Paragraph(
            "Over the cases two or more adapters computed: the share where all their outputs "
            "agree (shape, pads, values), by kernel size and stride, and by input size modulo "
            "stride and dilation (first spatial axis, every operator). Refusals are not "
            "counted as disagreement."
        )
    )
    by_kernel = survey.agreement_by(lambda c: (f"k={c.kernel[0]}", f"s={c.stride[0]}"))
    where.blocks.append(
        Figure(
            charts.heatmap(
                sorted({k[0] for k in by_kernel}, key=lambda t: int(t[2:])),
                sorted({k[1] for k in by_kernel}, key=lambda t: int(t[2:])),
                by_kernel,
                "kernel size",
                "stride",
            ),
            "share of cases where every computed output agrees, by kernel size x stride",
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
            "share of cases where every computed output agrees, by (input size mod stride) x "
            "dilation",
        )
    )
    disagreeing = sorted(((k, s), v) for (k, s), v in by_kernel.items() if v[0] < v[1])
    where.blocks.append(
        Paragraph(
            "Kernel and stride cells with disagreement: "
            + (
                ", ".join(f"{k}, {s}: {v[1] - v[0]} of {v[1]}" for (k, s), v in disagreeing)
                if disagreeing
                else "none"
            )
            + "."
        )
    )
    return where


SAME_KINDS = ("odd pixel after", "odd pixel before", "either", "neither")


def _how_same_resolves(survey: Survey, store_name: str) -> Section:
    same = Section("How 'same' resolves, measured", appendix=True)
    found = survey.same_resolution()
    sizes = ("size ceil(i/s)", "size other")
    same.blocks.append(
        Paragraph(
            "Over the cases with `padding='same'`, per axis of each computed output: does the "
            "padding its values prove allow the least 'same' total, max(0, (ceil(i/s) - 1)s + "
            "d(k-1) + 1 - i), split with the odd pixel after (bottom/right: TensorFlow's rule), "
            "before (top/left: SAME_LOWER), either (an even total, or a pad no window reads), or "
            "neither; and is the output size ceil(i/s). The last column counts cases refused."
        )
    )
    heads = [g.first for g in survey.groups if sum(found[g.first].values())]
    same.blocks.append(
        Table(
            ("adapter", *SAME_KINDS, *sizes, "cases refused"),
            tuple(
                (
                    survey.group_of[label].name,
                    *(
                        str(found[label][k]) if found[label][k] else ""
                        for k in (*SAME_KINDS, *sizes)
                    ),
                    str(found[label]["refused"]) if found[label]["refused"] else "",
                )
                for label in heads
            ),
        )
    )
    colours = dict(zip(SAME_KINDS, ("#0072b2", "#e69f00", "#56b4e9", "#cc79a7"), strict=True))
    bars = [label for label in heads if any(found[label][k] for k in SAME_KINDS)]
    same.blocks.append(
        Figure(
            charts.stacked_bars(
                [survey.group_of[label].name for label in bars],
                {name: [found[x][name] for x in bars] for name in SAME_KINDS},
                colours,
                "axes of computed outputs",
            ),
            "where each adapter's 'same' puts the odd pixel, per axis of a computed output",
        )
    )
    return same


def _porting_recipes(survey: Survey, store_name: str) -> Section:
    porting = Section("Porting recipes")
    porting.blocks.append(
        Paragraph(
            "Each recipe states one framework's padding word (or option) in another's explicit "
            "terms. The survey runs every case that uses it next to its explicit twin (same "
            "data, written out) on the target, and compares them. The constructions are in the "
            "appendix (#recipe-<id>)."
        )
    )
    checks = survey.recipe_checks()
    porting.blocks.append(
        Table(
            ("recipe", "from", "to", "agreed", "disagreed", "source refused", "a known bug"),
            tuple(
                (
                    f"{c['recipe'].title} (#recipe-{c['recipe'].id})",
                    c["recipe"].source,
                    c["recipe"].target,
                    *(
                        str(c["tally"][k])
                        for k in (
                            "agreed",
                            "disagreed",
                            "source refused",
                            "a known bug on one side",
                        )
                    ),
                )
                for c in checks
            ),
        )
    )
    for check in checks:
        for case_id in check["failed"][:3]:
            porting.blocks.append(
                Paragraph(f"`{check['recipe'].id}` disagreed: `{survey.cases[case_id].command()}`")
            )
    return porting


def _recipe_constructions(survey: Survey, store_name: str) -> Section:
    section = Section("Porting recipes: constructions", appendix=True)
    checks = survey.recipe_checks()
    section.blocks.append(
        Table(
            ("recipe", "id"),
            tuple((c["recipe"].title, c["recipe"].id) for c in checks),
            anchors=tuple(f"recipe-{c['recipe'].id}" for c in checks),
        )
    )
    for check in checks:
        section.blocks.append(Paragraph(f"**{check['recipe'].title}** (`{check['recipe'].id}`):"))
        section.blocks.append(Code(check["recipe"].construction, "python"))
    return section


# appendices


def _versions(survey: Survey, store_name: str) -> Section:
    info = survey.info()
    meta = survey.meta
    about = Section("Versions and environment", appendix=True)
    about.blocks.append(
        Paragraph(
            f"Plan `{meta.get('plan_id')}`, shard {meta.get('shard')}, from `{store_name}`. "
            f"Platform `{info['platform']}`, Python {info['python']}, devices "
            f"{', '.join(info['devices']) or '-'}, project commit `{info['commit'] or 'unknown'}`."
        )
    )
    about.blocks.append(
        Table(
            ("variant", "framework", "version", "environment"),
            tuple(
                (
                    key.split(":")[0],
                    key.split(":")[1],
                    version,
                    " ".join(
                        f"{k}={v}" for k, v in info["variants"].get(key.split(":")[0], {}).items()
                    )
                    or "-",
                )
                for key, version in sorted(info["versions"].items())
            ),
        )
    )
    if info["skipped"]:
        about.blocks.append(
            Paragraph(
                "Skipped: " + "; ".join(f"{k} ({v})" for k, v in sorted(info["skipped"].items()))
            )
        )
    return about


def _verdicts_per_variant(survey: Survey, store_name: str) -> Section:
    summary = Section("Verdicts per adapter and operator", appendix=True)
    summary.blocks.append(_verdict_table(survey, survey.verdict_counts(), merged=False))
    for op, n in survey.ops().items():
        summary.blocks.append(Paragraph(f"**{op}** ({n} cases):"))
        summary.blocks.append(_verdict_table(survey, survey.verdict_counts(op), merged=False))
    return summary


def _refusals(survey: Survey, store_name: str) -> Section:
    refusals = Section("Refusals", appendix=True)
    refusals.blocks.append(
        Paragraph(
            "What each adapter group refused, grouped by the documented rule that explains it "
            "(see `harness/data/conventions.toml`) and by the message with its numbers taken "
            "out; the message shown is the smallest case's."
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


def _registry_entries(survey: Survey, store_name: str) -> Section:
    known = Section("Registry", appendix=True)
    seen: Counter = Counter(
        cell.known for cid in survey.recorded for cell in survey.cells[cid].values() if cell.known
    )
    explained: Counter = Counter(
        d[3] for cid in survey.recorded for d in survey.divergences[cid] if d[3]
    )
    known.blocks.append(
        Paragraph(
            "Upstream bugs: a framework departing from its own documentation, with the upstream "
            "issue or a minimal reproduction. Conventions: documented refusals and rules that "
            "make frameworks disagree."
        )
    )
    entries = survey.registry.entries
    known.blocks.append(
        Table(
            ("id", "kind", "verdicts marked", "differences explained", "summary", "citation"),
            tuple(
                (e.id, e.kind, str(seen[e.id]), str(explained[e.id]), e.summary, e.citation)
                for e in entries
            ),
            anchors=tuple(f"registry-{e.id}" for e in entries),
        )
    )
    for entry in entries:
        if entry.repro:
            known.blocks.append(Paragraph(f"Minimal reproduction of `{entry.id}`:"))
            known.blocks.append(Code(entry.repro.strip(), "python"))
    return known


def _divergence_log(survey: Survey, store_name: str) -> Section:
    log = Section("Divergence log", appendix=True)
    entries = survey.divergence_log()
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for item in entries:
        grouped[(item["aspect"], item["explained_by"] or "UNEXPLAINED")].append(item)
    log.blocks.append(
        Paragraph(
            "Every difference between two adapters on one case, by aspect and explanation: how "
            "many adapter pairs and cases, and the cleanest small case (batch >= 1, float32, no "
            "other registered bug where one exists). results.json keeps one example per "
            "(adapter pair, aspect, explanation)."
        )
    )
    rows = []
    for (aspect, why), items in sorted(grouped.items()):
        ids = [i["example"] for i in items]
        case = findings.example(survey, ids, None if why == "UNEXPLAINED" else why)
        pair = next(i for i in items if i["example"] == case.id)
        rows.append(
            (
                aspect,
                why,
                str(len(items)),
                str(sum(i["cases"] for i in items)),
                f"{pair['left']} vs {pair['right']}",
                f"`{case.command()}`",
            )
        )
    log.blocks.append(
        Table(
            ("aspect", "explained by", "pairs", "pair-cases", "example: pair", "reproduce"),
            tuple(rows),
        )
    )
    return log


def _trend(trend: list[dict[str, Any]]) -> list[Section]:
    """A chart of trend.json, in the HTML only (REPORT.md depends on the store alone), once it
    holds two runs or more."""
    if len(trend) < 2:
        return []
    section = Section("Trend", appendix=True, html_only=True)
    series: dict[str, list[float]] = {"unexpected": [], "known bugs": [], "cases": []}
    for entry in trend:
        tallies = entry.get("verdicts", {}).values()
        series["cases"].append(float(entry.get("cases", 0)))
        series["known bugs"].append(
            float(sum(n for t in tallies for v, n in t.items() if v.endswith("(known)")))
        )
        series["unexpected"].append(float(entry.get("unexpected", 0)))
    section.blocks.append(
        Figure(
            charts.lines(
                [t.get("date", "") for t in trend],
                series,
                {"cases": "#0072b2", "known bugs": "#e69f00", "unexpected": "#cc79a7"},
                "count",
            ),
            "cases, answers marked as registered bugs and unexpected verdicts, per run",
        )
    )
    return [section]


def _timing(survey: Survey, store_name: str) -> Section:
    timing = Section("Timing", appendix=True)
    timing.blocks.append(
        Paragraph("The only section that changes between two reports of the same results.")
    )
    timing.blocks.append(
        Table(
            ("run", "started (UTC)", "finished (UTC)", "seconds"),
            tuple(
                (
                    str(run["id"]),
                    results.utc(run["started"]),
                    results.utc(run["finished"]),
                    f"{run['finished'] - run['started']:.0f}" if run["finished"] else "-",
                )
                for run in survey.runs
            ),
        )
    )
    return timing


def sections(survey: Survey, store_name: str, trend: list[dict] | None = None) -> list[Section]:
    """The report's sections, in reading order; each is built by its own function. The
    appendices (versions, per-variant rows, logs) come last."""
    return [
        _opening(survey, store_name),
        _findings(survey, store_name),
        _convention_matrix(survey, store_name),
        *release_axis.sections(survey),
        _verdicts(survey, store_name),
        classic_section(survey),
        _merged(transposed_classic.section(survey)),
        _merged(pooling_section(survey)),
        _how_same_resolves(survey, store_name),
        _where_frameworks_differ(survey, store_name),
        _porting_recipes(survey, store_name),
        _recipe_constructions(survey, store_name),
        _versions(survey, store_name),
        _verdicts_per_variant(survey, store_name),
        _agreement(survey, store_name),
        _refusals(survey, store_name),
        _registry_entries(survey, store_name),
        _divergence_log(survey, store_name),
        *_trend(trend or []),
        _timing(survey, store_name),
    ]


def _read_trend(path: Path) -> list[dict[str, Any]]:
    if path.exists():
        try:
            trend = json.loads(path.read_text())
        except ValueError:
            return []
        return trend if isinstance(trend, list) else []
    return []


def write(store: Store, out: Path) -> list[Path]:
    """Write the four report files into `out`; trend.json gains (or updates) this run's line."""
    survey = Survey(store)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        name: out / name for name in ("REPORT.md", "report.html", "results.json", "trend.json")
    }
    entry = results.trend_entry(survey)
    trend = [
        t
        for t in _read_trend(paths["trend.json"])
        if (t.get("date"), t.get("plan")) != (entry["date"], entry["plan"])
    ]
    trend = sorted([*trend, entry], key=lambda t: (t.get("date") or "", t.get("plan") or ""))
    parts = sections(survey, store.path.name, trend)
    paths["REPORT.md"].write_text(document.markdown(TITLE, parts))
    paths["report.html"].write_text(document.page(TITLE, parts))
    paths["results.json"].write_text(results.dumps(results.results(survey, TITLE)))
    paths["trend.json"].write_text(
        "[\n" + ",\n".join(json.dumps(t, sort_keys=True) for t in trend) + "\n]\n"
    )
    return list(paths.values())
