"""convharness: `explain` one case on every framework, or `run` a Hypothesis-drawn survey.

Bad input gets one line on stderr and exit status 2; `run` exits 1 when it found
an unexpected verdict or an unexplained divergence, 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from . import registry, strategies
from .assess import CaseReport
from .case import DTYPES, Case, CaseError, Padding
from .survey import UsageError, attention, environment, modules_for, run_cases, verdict_counts
from .workers import Pool

EXPLAIN_KEYS = (
    "adapter",
    "framework",
    "version",
    "api",
    "device",
    "status",
    "shape",
    "pads",
    "verdict",
    "error",
    "max_abs_err",
)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        raise UsageError(message)


def _ints(count: int):
    def parse(text: str) -> list[int]:
        try:
            values = [int(part) for part in text.split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {count} comma-separated ints"
            ) from None
        if len(values) == 1 and count == 2:
            values = values * 2
        if len(values) != count:
            raise argparse.ArgumentTypeError(f"{text!r} is not {count} comma-separated ints")
        return values

    parse.__name__ = f"{count} ints"
    return parse


def _frameworks(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def build_parser() -> Parser:
    parser = Parser(prog="convharness", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    explain = commands.add_parser("explain", help="run one case (or a file of cases) everywhere")
    explain.add_argument("--input", type=_ints(4), metavar="N,C,H,W")
    explain.add_argument("--out-channels", type=int, metavar="O")
    explain.add_argument("--kernel", type=_ints(2), metavar="KH,KW")
    explain.add_argument("--stride", type=_ints(2), default=[1, 1], metavar="SH,SW")
    explain.add_argument("--dilation", type=_ints(2), default=[1, 1], metavar="DH,DW")
    explain.add_argument("--groups", type=int, default=1, metavar="G")
    explain.add_argument(
        "--padding",
        default="valid",
        metavar="SPEC",
        help="valid, same, same_lower, P, PH,PW or T,B,L,R (write --padding=-1 "
        "for a negative value)",
    )
    explain.add_argument("--dtype", choices=DTYPES, default="float32")
    explain.add_argument("--no-bias", action="store_true")
    explain.add_argument(
        "--cases", type=Path, metavar="FILE", help="one JSON case per line instead of the flags"
    )
    explain.add_argument(
        "--frameworks",
        type=_frameworks,
        metavar="A,B",
        help="only these frameworks (default: all installed)",
    )
    explain.add_argument("--json", action="store_true", help="print JSON")

    run = commands.add_parser("run", help="draw cases with Hypothesis and survey every framework")
    run.add_argument("--examples", type=int, default=100, metavar="N")
    run.add_argument("--frameworks", type=_frameworks, metavar="A,B")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="where the JSON outcomes go (default runs/run-<time>.json)",
    )
    run.add_argument("--quiet", action="store_true")
    return parser


def _case_from_flags(args: argparse.Namespace) -> Case:
    missing = [
        flag
        for flag, value in (
            ("--input", args.input),
            ("--out-channels", args.out_channels),
            ("--kernel", args.kernel),
        )
        if value is None
    ]
    if missing:
        raise UsageError(f"explain needs {', '.join(missing)} (or --cases FILE)")
    n, c, h, w = args.input
    return Case(
        batch=n,
        in_channels=c,
        height=h,
        width=w,
        out_channels=args.out_channels,
        kernel=tuple(args.kernel),
        stride=tuple(args.stride),
        dilation=tuple(args.dilation),
        groups=args.groups,
        padding=Padding.parse(args.padding),
        bias=not args.no_bias,
        dtype=args.dtype,
    )


def read_cases(path: Path) -> list[Case]:
    """Every case in a file, or a UsageError naming the first bad line."""
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            cases.append(Case.from_json(json.loads(line)))
        except (json.JSONDecodeError, CaseError) as error:
            raise UsageError(f"{path}:{number}: {error}") from None
    if not cases:
        raise UsageError(f"{path} holds no case")
    return cases


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2g}"
    if isinstance(value, list):
        return "x".join(map(str, value)) if len(value) == 4 and value[0] is not None else str(value)
    return str(value)


def table(report: CaseReport) -> str:
    """The human form of one case: a row per adapter and device, then what differs."""
    header = (
        "adapter",
        "api",
        "device",
        "status",
        "shape",
        "pads t,b,l,r",
        "verdict",
        "max_abs_err",
    )
    rows = []
    for result in report.results:
        record = result.record()
        pads = ",".join(map(str, record["pads"])) if record["pads"] else "-"
        verdict = record["verdict"] + (f" (known: {result.known})" if result.known else "")
        rows.append(
            (
                record["adapter"],
                record["api"],
                record["device"],
                record["status"],
                _cell(record["shape"]),
                pads,
                verdict,
                _cell(record["max_abs_err"]),
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [f"case {report.case.id}: {report.case.command()}", ""]
    for row in [header, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    for result in report.results:
        record = result.record()
        if record["error"]:
            lines.append(
                f"  {record['adapter']}@{record['device']}: "
                f"{record['error']['type']}: {record['error']['message']}"
            )
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
    cases = read_cases(args.cases) if args.cases else [_case_from_flags(args)]
    modules = modules_for(args.frameworks)
    with Pool(modules) as pool:
        for index, report in enumerate(run_cases(pool, cases)):
            results = [{key: r.record()[key] for key in EXPLAIN_KEYS} for r in report.results]
            if args.json and args.cases:
                print(json.dumps({"case": report.case.to_json(), "results": results}), flush=True)
            elif args.json:
                print(json.dumps(results, indent=2))
            else:
                print(("\n" if index else "") + table(report), flush=True)
    return 0


def _write_json(path: Path, document: dict[str, Any]) -> None:
    """Write atomically, never over a file that is already there."""
    if path.exists():
        raise UsageError(f"{path} already exists; choose another --out")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=1) + "\n")
    os.replace(partial, path)


def run(args: argparse.Namespace) -> int:
    if args.examples < 1:
        raise UsageError(f"--examples must be >= 1, got {args.examples}")
    out = args.out or Path("runs") / time.strftime("run-%Y%m%d-%H%M%S.json")
    if out.exists():
        raise UsageError(f"{out} already exists; choose another --out")
    modules = modules_for(args.frameworks)
    started = time.time()
    cases = strategies.draw_cases(args.examples, args.seed)
    reports = []
    with Pool(modules) as pool:
        env = environment(pool)
        for report in run_cases(pool, cases):
            reports.append(report)
            if not args.quiet and sys.stderr.isatty():
                print(f"\r{len(reports)}/{len(cases)} cases", end="", file=sys.stderr, flush=True)
    if not args.quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    elapsed = time.time() - started
    counts = verdict_counts(reports)
    unexpected, unexplained = attention(reports)
    _write_json(
        out,
        {
            "schema": 1,
            "seed": args.seed,
            "examples": len(cases),
            "seconds": round(elapsed, 1),
            "environment": env,
            "summary": {name: dict(sorted(c.items())) for name, c in counts.items()},
            "unexpected_verdicts": unexpected,
            "unexplained_divergences": unexplained,
            "cases": [report.record() for report in reports],
        },
    )
    if not args.quiet:
        print(f"{len(cases)} cases in {elapsed:.0f} s (seed {args.seed})")
        for module, reason in env["skipped"].items():
            print(f"skipped {module}: {reason}")
        for name, tally in counts.items():
            print(f"  {name:<28} " + "  ".join(f"{v} {n}" for v, n in sorted(tally.items())))
        print(f"unexpected verdicts: {unexpected}; unexplained divergences: {unexplained}")
        for report in reports:
            for result in report.unexpected:
                print(
                    f"  {result.judgement.verdict} {result.name}: {result.judgement.detail}"
                    f"\n    {report.case.command()}"
                )
        print(f"outcomes written to {out}")
    return 1 if unexpected or unexplained else 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return explain(args) if args.command == "explain" else run(args)
    except (UsageError, CaseError) as error:
        print(f"convharness: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("convharness: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
