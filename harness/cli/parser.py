"""The command line's grammar: every command, its flags and their help (build_parser)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from harness.case import DTYPES, OPS
from harness.errors import UsageError
from harness.releases import commands as release_commands
from harness.running import memory, survey, warm
from harness.running.timeouts import TimeoutPolicy


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
        dest="warm",
        action="store_true",
        default=None,
        help="run on warm workers, which outlive this command, starting those missing "
        f"(default: {default}; CONVHARNESS_WARM=0 or 1 says it for every command)",
    )
    chosen.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="start this command's own workers, which end with it",
    )
    chosen.add_argument(
        "--pool", dest="warm", action="store_true", help="deprecated: the older --warm"
    )
    chosen.add_argument(
        "--no-pool", dest="warm", action="store_false", help="deprecated: the older --no-warm"
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
    _warm_flags(explain, f"on; started ones exit after {warm.FIRST_USE_IDLE:g} s idle")
    explain.add_argument("--json", action="store_true", help="print JSON")
    release_commands.add_explain_flags(explain)

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
    _warm_flags(run, f"on; started ones exit after {warm.FIRST_USE_IDLE:g} s idle")
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
    release_commands.add_run_flags(run)

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

    workers = commands.add_parser(
        "workers", help="warm workers: workers that outlive one command (start, stop, status)"
    )
    workers.add_argument("action", choices=("start", "stop", "status"))
    _selection(workers)
    _budget(workers)
    workers.add_argument(
        "--idle",
        type=float,
        default=warm.IDLE,
        metavar="SECONDS",
        help=f"start: each exits after this long with no command (default {warm.IDLE:g})",
    )
    workers.add_argument(
        "--compile-cache",
        type=Path,
        metavar="DIR",
        help="start: the JAX compilation cache, as `run --compile-cache` (default the same)",
    )

    joined = commands.add_parser("merge", help="join stores of one plan (shards, variants)")
    joined.add_argument("stores", type=Path, nargs="+", metavar="STORE")
    joined.add_argument("--out", type=Path, required=True, metavar="PATH")
    release_commands.add_commands(commands)
    return parser
