"""`convharness explain`: one case (or a file of cases) on every variant, as a table or JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from harness.catalog import variants
from harness.cli.cases import case_from_flags, read_cases
from harness.cli.options import headroom, max_case_memory, use_warm
from harness.model import registry
from harness.model.assess import CaseReport
from harness.releases import commands as release_commands
from harness.releases import side_by_side
from harness.running import memory, survey, warm
from harness.running.runner import Runner

EXPLAIN_KEYS = (
    "adapter",
    "framework",
    "version",
    "api",
    "device",
    "status",
    "shape",
    "pads",
    "pads_inferred",
    "verdict",
    "error",
    "max_abs_err",
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2g}"
    if isinstance(value, list):
        return "x".join(map(str, value)) if all(isinstance(v, int) for v in value) else str(value)
    return str(value)


def table(report: CaseReport) -> str:
    """The human form of one case: a row per adapter and device, then what differs."""
    header = (
        "adapter",
        "api",
        "device",
        "status",
        "shape",
        "pads t,b,l,r" if report.case.rank == 2 else "pads (low,high)/axis",
        "proven by values",
        "verdict",
        "max_abs_err",
    )
    rows = []
    for result in report.results:
        record = result.record(report.case.op)
        pads = ",".join(map(str, record["pads"])) if record["pads"] else "-"
        ranges = record["pads_inferred"]
        proven = ",".join(f"{lo}" if lo == hi else f"{lo}..{hi}" for lo, hi in ranges or []) or "-"
        if record.get("divisor"):  # an average: the divisor rule its border proves
            proven += f" ({record['divisor']} padding)"
        verdict = record["verdict"] + (f" (known: {result.known})" if result.known else "")
        rows.append(
            (
                record["adapter"],
                record["api"],
                record["device"],
                record["status"],
                _cell(record["shape"]),
                pads,
                proven,
                verdict,
                _cell(record["max_abs_err"]),
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [f"case {report.case.id}: {report.case.command()}", ""]
    for row in [header, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    errors: dict[str, list[str]] = {}  # the same message from several variants, once
    for result in report.results:
        error = result.record()["error"]
        if error:
            errors.setdefault(f"{error['type']}: {error['message']}", []).append(result.name)
    lines += [f"  {', '.join(names)}: {message}" for message, names in errors.items()]
    groups: dict[tuple[str, str | None], list] = {}
    for divergence in report.divergences:
        groups.setdefault((divergence.aspect, divergence.explained_by), []).append(divergence)
    status = {result.name: result.outcome.status for result in report.results}
    for (aspect, why), items in groups.items():
        names = sorted({d.left for d in items} | {d.right for d in items})
        if aspect == "accept":
            refused = [n for n in names if status[n] == "rejected"]
            accepted = [n for n in names if status[n] == "ok"]
            what = f"refused by {', '.join(refused)}; accepted by {', '.join(accepted)}"
        else:
            what = "; ".join(f"{d.left} vs {d.right}: {d.detail}" for d in items)
        reason = f"expected, {why}: {registry.load().get(why).summary}" if why else "UNEXPLAINED"
        lines.append(f"  {aspect} differs: {what}\n    [{reason}]")
    return "\n".join(lines)


def explain(args: argparse.Namespace) -> int:
    cases = read_cases(args.cases) if args.cases else [case_from_flags(args)]
    budget = max_case_memory(args)
    memory.check(cases, budget)
    chosen = variants.serving(release_commands.chosen_variants(args), {c.op for c in cases})
    env = survey.compile_cache_env(None)
    on_warm = use_warm(args, default=True)
    runner = Runner(
        chosen, env=env, headroom=headroom(budget), warm=on_warm, idle=warm.FIRST_USE_IDLE
    )
    with runner:
        runner.check(args.frameworks, args.variants, broken=False)
        for index, report in enumerate(survey.reports(runner, cases)):
            keys = EXPLAIN_KEYS + report.case.operators.result_keys(report.case.op)
            records = [r.record(report.case.op) for r in report.results]
            results = [{key: record[key] for key in keys} for record in records]
            if args.json and args.cases:
                print(json.dumps({"case": report.case.to_json(), "results": results}), flush=True)
            elif args.json:
                print(json.dumps(results, indent=2))
            else:
                print(("\n" if index else "") + table(report), flush=True)
                if args.releases:
                    print(side_by_side.table(report), flush=True)
    return 0
