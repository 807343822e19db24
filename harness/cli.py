"""convharness: `explain` one case on every framework, `run` a survey into a store, `merge` stores.

Bad input gets one line on stderr and exit status 2, and so does a framework or variant asked
for (--frameworks, --variants) that is not installed or does not import; one not asked for is
skipped, and `run` says whether it is not installed or installed but failing to import. `run`
exits 1 when its store holds an unexpected verdict or an unexplained divergence, 0 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from harness import ops
from harness.case import DTYPES, OPS, Case, CaseError, Padding, op_rank
from harness.catalog import variants
from harness.errors import UsageError
from harness.families import operators_of
from harness.model import registry
from harness.model.assess import CaseReport
from harness.model.verdicts import EXPECTED
from harness.reporting import report, repro
from harness.running import memory, pool, survey
from harness.running.runner import Runner
from harness.running.store import Plan, Store, StoreLock, merge
from harness.running.timeouts import TimeoutPolicy
from harness.running.workers import Worker

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


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        raise UsageError(message)


def _ints(text: str) -> list[int]:
    """Comma-separated ints; how many a flag needs is checked against the case's rank."""
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not comma-separated ints") from None


_ints.__name__ = "comma-separated ints"


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--frameworks",
        type=_names,
        metavar="A,B",
        help="only these frameworks' variants (default: every installed one)",
    )
    parser.add_argument(
        "--variants",
        type=_names,
        metavar="A,B",
        help="only these variants, by name (see harness/data/variants.toml)",
    )


def _size(text: str) -> int:
    try:
        return memory.parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _budget(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-case-memory",
        type=_size,
        metavar="SIZE",
        help="refuse a case that needs more (e.g. 2GiB; default 1/16 of this machine's memory, "
        f"{memory.readable(memory.default_budget())}); each worker may grow "
        f"{memory.WORKER_FACTOR} times this past its size after import",
    )


def _warm_flags(parser: argparse.ArgumentParser, default: str) -> None:
    """--warm / --no-warm (and --pool / --no-pool, their deprecated spellings); `default` says
    what the command does without them."""
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument(
        "--warm",
        "--pool",
        dest="warm",
        action="store_true",
        default=None,
        help="run on warm workers, which outlive this command, starting those missing "
        f"(default: {default}; CONVHARNESS_WARM=0 or 1 says it for every command)",
    )
    chosen.add_argument(
        "--no-warm",
        "--no-pool",
        dest="warm",
        action="store_false",
        help="start this command's own workers, which end with it",
    )


def build_parser() -> Parser:
    parser = Parser(prog="convharness", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    explain = commands.add_parser("explain", help="run one case (or a file of cases) everywhere")
    explain.add_argument(
        "--op",
        choices=list(OPS),
        help="the operator (default: conv1d, conv2d or conv3d by the rank of --input)",
    )
    explain.add_argument("--input", type=_ints, metavar="N,C,*SPATIAL")
    explain.add_argument("--out-channels", type=int, metavar="O")
    explain.add_argument("--kernel", type=_ints, metavar="K,...", help="one per spatial axis")
    explain.add_argument(
        "--stride", type=_ints, metavar="S,...", help="default 1; for pooling, the kernel"
    )
    explain.add_argument("--dilation", type=_ints, default=[1], metavar="D,...")
    explain.add_argument("--groups", type=int, default=1, metavar="G")
    explain.add_argument(
        "--padding",
        default="valid",
        metavar="SPEC",
        help="valid, same, same_lower, P, one pad per axis, or low,high per axis "
        "(T,B,L,R in 2-d; write --padding=-1 for a negative value)",
    )
    explain.add_argument(
        "--output-padding",
        type=_ints,
        metavar="P,...",
        help="transposed ops: extra outputs on the high side, one per axis",
    )
    explain.add_argument(
        "--output-shape",
        type=_ints,
        metavar="H,...",
        help="transposed ops: the spatial output size asked for (TensorFlow, ONNX)",
    )
    explain.add_argument("--dtype", choices=DTYPES, default="float32")
    explain.add_argument("--no-bias", action="store_true")
    explain.add_argument(
        "--ceil-mode",
        action=argparse.BooleanOptionalAction,
        help="pooling: round the output size up (default: off)",
    )
    explain.add_argument(
        "--count-include-pad",
        action=argparse.BooleanOptionalAction,
        help="average pooling: the divisor counts the padding (default: off)",
    )
    explain.add_argument(
        "--cases", type=Path, metavar="FILE", help="one JSON case per line instead of the flags"
    )
    _selection(explain)
    _budget(explain)
    _warm_flags(explain, f"on; started ones exit after {pool.EXPLAIN_IDLE:g} s idle")
    explain.add_argument("--json", action="store_true", help="print JSON")

    run = commands.add_parser("run", help="survey drawn cases on every variant, into a store")
    run.add_argument(
        "--examples",
        type=int,
        metavar="N",
        help="cases to draw (default by --profile: "
        + ", ".join(f"{k} {v}" for k, v in survey.PROFILE_EXAMPLES.items())
        + ")",
    )
    run.add_argument(
        "--cases", type=Path, metavar="FILE", help="run the cases in this file instead of drawing"
    )
    run.add_argument("--profile", choices=list(survey.PROFILE_EXAMPLES), default="dev")
    run.add_argument("--seed", type=int, metavar="S")
    run.add_argument(
        "--ops",
        type=_names,
        metavar="A,B",
        help=f"draw only these operators (default: all of {','.join(OPS)})",
    )
    run.add_argument("--shard", metavar="I/N", help="run the I-th of N disjoint shards")
    _selection(run)
    run.add_argument(
        "--store",
        type=Path,
        metavar="PATH",
        help="the SQLite store to write (default runs/run-<time>.db)",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue the store's plan: run only its cases not yet recorded",
    )
    run.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="a fixed limit per case and variant (default: each variant's own, "
        f"{TimeoutPolicy.multiple:g}x the {TimeoutPolicy.quantile * 100:.0f}%% quantile of its "
        f"case times, at least {TimeoutPolicy.floor:g} s; {TimeoutPolicy.ceiling:g} s until it has "
        f"answered {TimeoutPolicy.samples} cases)",
    )
    _budget(run)
    _warm_flags(run, "on where warm workers are running")
    run.add_argument(
        "--compile-cache",
        type=Path,
        metavar="DIR",
        help="persistent JAX compilation cache (default ~/.cache/convharness/jax)",
    )
    run.add_argument(
        "--shrink-budget",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="shrink each unexpected finding for up to this long (default 60; 0: do not); "
        "a try that hangs costs the variant's limit (or --timeout)",
    )
    run.add_argument("--quiet", action="store_true")

    repro = commands.add_parser("repro", help="standalone scripts that reproduce a divergence")
    repro.add_argument("case_ids", nargs="*", metavar="CASE_ID", help="cases in --store")
    repro.add_argument("--store", type=Path, metavar="PATH")
    repro.add_argument("--cases", type=Path, metavar="FILE", help="cases from a file instead")
    repro.add_argument(
        "--adapters",
        type=_names,
        metavar="A,B",
        help="adapters to write scripts for (default: those the case's divergences involve)",
    )
    repro.add_argument(
        "--out", type=Path, metavar="DIR", help="write the scripts here (default: print them)"
    )

    shrinking = commands.add_parser(
        "shrink", help="shrink the differences a store found to their smallest cases"
    )
    shrinking.add_argument("case_id", nargs="?", metavar="CASE_ID", help="a case in --store")
    shrinking.add_argument("--store", type=Path, required=True, metavar="PATH")
    shrinking.add_argument(
        "--adapters",
        type=_names,
        metavar="A[,B]",
        help="the adapter whose verdict to keep, or the pair whose divergence to keep "
        "(default: every difference of the case)",
    )
    shrinking.add_argument(
        "--all", action="store_true", help="every finding of the store, as the report lists them"
    )
    shrinking.add_argument(
        "--budget", type=float, default=60.0, metavar="SECONDS", help="per finding (default 60)"
    )
    shrinking.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="the most one try may take (default: each variant's own limit, learned from its "
        "case times in the store as `run` learns it)",
    )

    published = commands.add_parser("report", help="write the compatibility report of a store")
    published.add_argument("store", type=Path, metavar="STORE")
    published.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="e.g. reports/<name>/ (trend.json there gains this run)",
    )

    summary = commands.add_parser(
        "summary", help="verdict counts of a store; exit 1 on anything unexpected"
    )
    summary.add_argument("store", type=Path, metavar="STORE")

    pooled = commands.add_parser(
        "workers", help="the warm pool: workers that outlive one command (start, stop, status)"
    )
    pooled.add_argument("action", choices=("start", "stop", "status"))
    _selection(pooled)
    _budget(pooled)
    pooled.add_argument(
        "--idle",
        type=float,
        default=pool.IDLE,
        metavar="SECONDS",
        help=f"start: each exits after this long with no command (default {pool.IDLE:g})",
    )
    pooled.add_argument(
        "--compile-cache",
        type=Path,
        metavar="DIR",
        help="start: the JAX compilation cache, as `run --compile-cache` (default the same)",
    )

    joined = commands.add_parser("merge", help="join stores of one plan (shards, variants)")
    joined.add_argument("stores", type=Path, nargs="+", metavar="STORE")
    joined.add_argument("--out", type=Path, required=True, metavar="PATH")
    return parser


def _per_axis(values: list[int]) -> int | list[int]:
    """One value means every axis."""
    return values[0] if len(values) == 1 else values


def _case_from_flags(args: argparse.Namespace) -> Case:
    operators = operators_of(args.op) if args.op is not None else None
    weighted = operators is None or operators.weighted
    missing = [
        flag
        for flag, value in (
            ("--input", args.input),
            ("--out-channels", args.out_channels if weighted else 0),
            ("--kernel", args.kernel),
        )
        if value is None
    ]
    if missing:
        raise UsageError(f"explain needs {', '.join(missing)} (or --cases FILE)")
    if len(args.input) < 3:
        raise UsageError(f"--input takes N,C and the spatial sizes, got {args.input}")
    op = args.op or f"conv{len(args.input) - 2}d"
    rank = op_rank(op)
    if len(args.input) != rank + 2:
        raise UsageError(f"{op} takes --input N,C and {rank} spatial size(s), got {args.input}")
    kernel_stride = operators is not None and operators.stride_defaults_to_kernel
    fields = {
        "op": op,
        "input": args.input,
        "out_channels": args.out_channels,
        "kernel": _per_axis(args.kernel),
        "stride": _per_axis(args.stride or (args.kernel if kernel_stride else [1])),
        "dilation": _per_axis(args.dilation),
        "groups": args.groups,
        "padding": Padding.parse(args.padding, rank).to_json(),
        "bias": not args.no_bias and weighted,
        "dtype": args.dtype,
        "ceil_mode": args.ceil_mode,
        "count_include_pad": args.count_include_pad,
        "output_padding": None if args.output_padding is None else _per_axis(args.output_padding),
        "output_shape": None if args.output_shape is None else _per_axis(args.output_shape),
    }
    return Case.from_json({key: value for key, value in fields.items() if value is not None})


def read_cases(path: Path) -> list[Case]:
    """Every case in a file, or a UsageError naming the first bad line (a case given twice:
    both its lines). `explain`, `run` and `repro` read case files here."""
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    cases = []
    first_line: dict[str, int] = {}  # case id -> the line it first appears on
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = Case.from_json(json.loads(line))
        except (json.JSONDecodeError, CaseError) as error:
            raise UsageError(f"{path}:{number}: {error}") from None
        if case.id in first_line:
            raise UsageError(
                f"{path}:{number}: the same case as line {first_line[case.id]} "
                f"(case {case.id}); give each case once"
            )
        first_line[case.id] = number
        cases.append(case)
    if not cases:
        raise UsageError(f"{path} holds no case")
    return cases


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


def _max_case_memory(args: argparse.Namespace) -> int:
    return args.max_case_memory or memory.default_budget()


def _headroom(budget: int) -> int:
    """The bytes each worker may grow past its size after import, for a budget per case."""
    return memory.WORKER_FACTOR * budget


def _use_warm(args: argparse.Namespace, default: bool) -> bool:
    """--warm or --no-warm; else CONVHARNESS_WARM (or the older CONVHARNESS_POOL) = 0 or 1;
    else `default`."""
    if args.warm is not None:
        return bool(args.warm)
    for name in ("CONVHARNESS_WARM", "CONVHARNESS_POOL"):
        value = os.environ.get(name, "").strip()
        if value in ("0", "1"):
            return value == "1"
        if value:
            raise UsageError(f"{name} takes 0 or 1, got {value!r}")
    return default


def explain(args: argparse.Namespace) -> int:
    cases = read_cases(args.cases) if args.cases else [_case_from_flags(args)]
    budget = _max_case_memory(args)
    memory.check(cases, budget)
    chosen = variants.select(args.frameworks, args.variants)
    env = survey.compile_cache_env(None)
    warm = _use_warm(args, default=True)
    runner = Runner(chosen, env=env, headroom=_headroom(budget), pool=warm, idle=pool.EXPLAIN_IDLE)
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
    return 0


def _plan(
    args: argparse.Namespace, stack: contextlib.ExitStack
) -> tuple[Callable[[], Store], list[Case], list[variants.Variant]]:
    """Validate every argument and take the store's lock (held until `stack` closes: a second
    run on the store is refused); give back what creates (or reopens) the store, the cases to
    run and the variants. Nothing is written yet."""
    if args.resume:
        given = [
            flag
            for flag, value in (
                ("--examples", args.examples),
                ("--cases", args.cases),
                ("--seed", args.seed),
                ("--shard", args.shard),
                ("--ops", args.ops),
                ("--frameworks", args.frameworks),
                ("--variants", args.variants),
            )
            if value is not None
        ]
        if given:
            raise UsageError(f"--resume takes the plan from the store; drop {', '.join(given)}")
        if args.store is None:
            raise UsageError("--resume needs --store PATH")
        store = stack.enter_context(Store.open(args.store))  # held: pending stays pending
        names, pending = list(store.meta()["variants"]), store.pending()
        memory.check(pending, _max_case_memory(args))
        return (lambda: store), pending, variants.select(names=names)
    if args.examples is not None and args.examples < 1:
        raise UsageError(f"--examples must be >= 1, got {args.examples}")
    if args.examples is not None and args.cases is not None:
        raise UsageError("give --examples or --cases, not both")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError(f"--timeout must be > 0, got {args.timeout:g}")
    shard = survey.parse_shard(args.shard or "1/1")
    try:
        chosen_ops = ops.ops_of(args.ops)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.ops is not None and args.cases is not None:
        raise UsageError("--ops narrows drawn cases; a --cases file says its own")
    chosen = variants.select(args.frameworks, args.variants)
    path = args.store or Path("runs") / time.strftime("run-%Y%m%d-%H%M%S.db")
    if path.exists():
        raise UsageError(
            f"{path} already exists; use --resume to continue it, or choose another --store"
        )
    seed = args.seed if args.seed is not None else 0
    if args.cases is not None:
        full = read_cases(args.cases)
    else:
        examples = args.examples or survey.PROFILE_EXAMPLES[args.profile]
        full = survey.full_plan(examples, seed, chosen_ops)
    memory.check(full, _max_case_memory(args))
    plan = Plan(
        cases=survey.shard_of(full, shard),
        plan_id=survey.plan_id(full),
        shard=shard,
        seed=None if args.cases else seed,
        profile=args.profile,
        variants=tuple(v.name for v in chosen),
    )
    cases = [case for _, case in plan.cases]
    lock = stack.enter_context(StoreLock.take(path))
    return (lambda: stack.enter_context(Store.create(path, plan, lock))), cases, chosen


def _summary(store: Store, out=None) -> None:
    out = out or sys.stdout
    planned, recorded = len(store.planned()), len(store.recorded_ids())
    print(f"{recorded}/{planned} planned cases recorded in {store.path}", file=out)
    seconds = store.adapter_seconds()
    for name, tally in store.verdict_counts().items():
        n, spent = seconds.get(name, (0, 0.0))
        rate = f"{n / spent:7.1f} cases/s" if spent else " " * 13
        print(
            f"  {name:<34} {rate}  " + "  ".join(f"{v} {k}" for k, v in sorted(tally.items())),
            file=out,
        )
    unexpected, unexplained = store.attention()
    print(f"unexpected verdicts: {unexpected}; unexplained divergences: {unexplained}", file=out)
    for shown, (case_json, name, verdict, detail) in enumerate(store.unexpected()):
        if shown == 20:
            print(f"  ... and {unexpected - 20} more", file=out)
            break
        command = Case.from_json(json.loads(case_json)).command()
        print(f"  {verdict} {name}: {detail}\n    {command}", file=out)


def run(args: argparse.Namespace) -> int:
    env = survey.compile_cache_env(args.compile_cache)
    with contextlib.ExitStack() as stack:
        opened, cases, chosen = _plan(args, stack)
        runner = None
        if cases:  # a variant asked for that cannot run stops it before the store is written
            runner = stack.enter_context(
                Runner(
                    chosen,
                    env=env,
                    timeout=args.timeout,
                    headroom=_headroom(_max_case_memory(args)),
                    pool=_use_warm(args, default=bool(pool.described())),
                )
            )
            runner.check(args.frameworks, args.variants, broken=False)
        store = opened()
        total = len(store.planned())
        try:
            if runner is not None:
                survey.execute(runner, store, cases, total, args.quiet)
                for name, reason in runner.skipped.items():
                    print(f"skipped {name}: {reason}")
        except KeyboardInterrupt:
            print(
                f"convharness: interrupted; {len(store.recorded_ids())}/{total} cases are "
                f"recorded; continue with: convharness run --store {store.path} --resume",
                file=sys.stderr,
            )
            return 130
        _shrink_new_findings(store, args.shrink_budget, args.timeout, runner)
        if not args.quiet:
            _summary(store)
        unexpected, unexplained = store.attention()
    return 1 if unexpected or unexplained else 0


def _newest_store_with(case_id: str) -> Path:
    """Without --store: the newest store under runs/ that plans the case."""
    for path in sorted(Path("runs").glob("*.db"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            with Store.open(path, writable=False) as store:
                if any(case.id == case_id for _, case in store.planned()):
                    return path
        except UsageError:
            continue
    raise UsageError(f"no store under runs/ holds case {case_id}; name one with --store")


def _repro_targets(args: argparse.Namespace) -> list[tuple[Case, list[str]]]:
    if args.cases is not None:
        if args.case_ids or not args.adapters:
            raise UsageError("with --cases, name --adapters and no CASE_ID")
        return [(case, args.adapters) for case in read_cases(args.cases)]
    if not args.case_ids:
        raise UsageError("repro needs CASE_ID... [--store PATH], or --cases FILE --adapters A,B")
    path = args.store or _newest_store_with(args.case_ids[0])
    with Store.open(path, writable=False) as store:
        planned = {case.id: case for _, case in store.planned()}
        targets = []
        for case_id in args.case_ids:
            if case_id not in planned:
                raise UsageError(f"case {case_id} is not in {path}")
            adapters = args.adapters or store.divergent_adapters(case_id)
            if not adapters:
                raise UsageError(f"case {case_id} has no recorded divergence; name --adapters")
            targets.append((planned[case_id], adapters))
    return targets


def reproduce(args: argparse.Namespace) -> int:
    scripts = [
        repro.script(case, adapter)
        for case, adapters in _repro_targets(args)
        for adapter in adapters
    ]
    if args.out is None:
        for name, source in scripts:
            print(f"# ---- {name} ----\n{source}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, source in scripts:
        (args.out / name).write_text(source)
        print(args.out / name)
    print(f"run them one after another in {args.out}: each compares with the ones before it")
    return 0


Target = tuple[tuple[str, ...], str | None, str | None, str | None]


def _shrink_targets(args: argparse.Namespace, store: Store) -> tuple[list, dict[str, str]]:
    """[(drawn case, (adapters, verdict, known, aspect))] for every difference to shrink, and
    the variant of every adapter label."""
    from harness.reporting.facts import Survey
    from harness.reporting.findings import findings

    facts = Survey(store)
    variant_of = {
        label: cell.variant for cells in facts.cells.values() for label, cell in cells.items()
    }
    if args.all:
        if args.case_id or args.adapters:
            raise UsageError("--all takes no CASE_ID and no --adapters")
        found = [
            (facts.cases[f.example], f.target) for f in findings(facts) if f.target and f.example
        ]
        return found, variant_of
    if args.case_id is None:
        raise UsageError("shrink needs CASE_ID --store PATH [--adapters A[,B]], or --all")
    if args.case_id not in facts.recorded:
        raise UsageError(f"case {args.case_id} is not recorded in {store.path}")
    case, wanted = facts.cases[args.case_id], set(args.adapters or ())
    targets: list[tuple[Case, Target]] = []
    for label, cell in sorted(facts.cells[args.case_id].items()):
        if (cell.known or cell.verdict not in EXPECTED) and (not wanted or wanted == {label}):
            targets.append((case, ((label,), cell.verdict, cell.known, None)))
    for aspect, left, right, why, _ in facts.divergences[args.case_id]:
        if why is None and (not wanted or wanted == {left, right}):
            targets.append((case, (tuple(sorted((left, right))), None, None, aspect)))
    if not targets:
        raise UsageError(
            f"case {args.case_id} shows no unexpected verdict, registered bug or unexplained "
            "divergence" + (f" on {', '.join(sorted(wanted))}" if wanted else "")
        )
    return targets, variant_of


def _case_limits(store: Store, timeout: float | None) -> dict[str, float]:
    """variant -> the most one case may take: `timeout` (--timeout), else the limit its case
    times in the store set (timeouts.py), as the run that recorded them learned it."""
    times = store.case_seconds()
    if timeout is not None:
        return dict.fromkeys(times, timeout)
    policy = TimeoutPolicy()
    return {name: policy.learned(seconds) for name, seconds in times.items()}


def _shrink(
    store: Store,
    targets: list,
    variant_of: dict[str, str],
    budget: float,
    timeout: float | None = None,
    started: Runner | None = None,
) -> None:
    """Shrink each (drawn case, target), keep the result in the store and print it. A try that
    hangs costs its variant's limit (`timeout`, else the one its times in the store set).
    Each variant's worker starts once for every target: `started`'s (a run's, still running)
    where it has one."""
    if not targets:
        return
    needed = sorted({variant_of[label] for _, key in targets for label in key[0]})
    have = {w.variant.name: w for w in started.workers} if started else {}
    missing = [name for name in needed if name not in have]
    with Runner(variants.select(None, missing) if missing else []) as more:
        workers = {**have, **{w.variant.name: w for w in more.workers}}
        _shrink_each(store, targets, variant_of, budget, timeout, workers)


def _shrink_each(
    store: Store,
    targets: list,
    variant_of: dict[str, str],
    budget: float,
    timeout: float | None,
    workers: dict[str, Worker],
) -> None:
    from harness.reporting.findings import target_key
    from harness.running import shrink

    limits = _case_limits(store, timeout)
    for case, key in targets:
        adapters, verdict, known, aspect = key
        names = sorted({variant_of[label] for label in adapters})
        target = shrink.Target(tuple(adapters), verdict, known, aspect)
        runner = Runner.sharing([workers[name] for name in names])
        for worker in runner.workers:  # each variant's own limit, and the ceiling to start
            worker.timer = TimeoutPolicy(cap=limits.get(worker.variant.name, timeout)).timer()
        with runner:
            done = shrink.shrink(
                case,
                target,
                lambda candidate: next(survey.reports(runner, [candidate])),  # noqa: B023
                budget=budget,
            )
        store.record_shrunk(
            case.id, target_key(key), done.case, done.ending, done.tries, done.seconds
        )
        how = f"{done.ending} after {done.tries} tries, {done.seconds:.0f} s"
        if done.ending == shrink.Ending.BUDGET:
            how = (
                f"the {budget:g} s budget ran out after {done.tries} tries "
                f"({done.seconds:.0f} s); the smallest case so far"
            )
        print(
            f"shrunk {target.describe()}: {how}\n  drawn:  {case.command()}\n"
            f"  shrunk: {done.case.command()}"
        )


def shrink_findings(args: argparse.Namespace) -> int:
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError(f"--timeout must be > 0, got {args.timeout:g}")
    with Store.open(args.store) as store:
        targets, variant_of = _shrink_targets(args, store)
        _shrink(store, targets, variant_of, args.budget, args.timeout)
    return 0


def _shrink_new_findings(
    store: Store, budget: float, timeout: float | None = None, started: Runner | None = None
) -> None:
    """After a run: shrink every unexpected verdict and unexplained divergence it found, on the
    run's workers (`started`); a try may take `timeout` (the run's --timeout), else its
    variant's own limit."""
    if budget <= 0 or not any(store.attention()):
        return
    from harness.reporting.facts import Survey
    from harness.reporting.findings import findings

    facts = Survey(store)
    variant_of = {
        label: cell.variant for cells in facts.cells.values() for label, cell in cells.items()
    }
    targets = [
        (facts.cases[f.example], f.target)
        for f in findings(facts)
        if f.target and f.example and not f.target[2]  # not a registered bug
    ]
    _shrink(store, targets, variant_of, budget, timeout, started)


def publish(args: argparse.Namespace) -> int:
    with Store.open(args.store, writable=False) as store:
        for path in report.write(store, args.out):
            print(path)
    return 0


def summarize(args: argparse.Namespace) -> int:
    with Store.open(args.store, writable=False) as store:
        _summary(store)
        return 1 if any(store.attention()) else 0


def manage_pool(args: argparse.Namespace) -> int:
    """`workers start|stop|status`."""
    if args.action == "start":
        chosen = variants.select(args.frameworks, args.variants)
        env = survey.compile_cache_env(args.compile_cache)
        for worker in pool.start(chosen, env, _headroom(_max_case_memory(args)), args.idle):
            state = f"skipped: {worker.skipped}" if worker.skipped else "ready"
            kind = "busy with another command" if worker.private else f"pid {worker.pid}"
            print(f"{worker.variant.name}: {kind}, {state} ({worker.startup_seconds:.1f} s)")
        return 0
    if args.action == "stop":
        print(f"stopped {pool.stop_all()} pooled worker(s)")
        return 0
    running = pool.described()
    current = pool.current_code()
    for name, about in running:
        fresh = (about["code"], about["installed"]) == current
        idle = f"exits after {about['idle']:g} s idle"
        state = "current" if fresh else "stale: the code or installed versions changed"
        print(f"{name}: pid {about['pid']}, {state}, {idle}")
    if not running:
        print(f"no pooled worker is running (in {pool.directory(create=False)})")
    return 0


def merge_stores(args: argparse.Namespace) -> int:
    with merge(args.stores, args.out) as merged:
        _summary(merged)
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        command = {
            "explain": explain,
            "run": run,
            "repro": reproduce,
            "report": publish,
            "shrink": shrink_findings,
            "merge": merge_stores,
            "summary": summarize,
            "workers": manage_pool,
        }[args.command]
        return command(args)
    except (UsageError, CaseError) as error:
        print(f"convharness: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("convharness: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_gone()


BROKEN_PIPE_STATUS = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader left


def _reader_gone() -> int:
    """stdout's reader left (`convharness summary STORE | head`): stop quietly. What is still
    buffered goes to /dev/null, so the interpreter's last flush raises nothing either."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return BROKEN_PIPE_STATUS


if __name__ == "__main__":
    sys.exit(main())
