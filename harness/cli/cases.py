"""Cases from the command line: one from explain's flags, or a file of them (one JSON case a
line)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.case import OPS, Case, CaseError, Padding, op_rank
from harness.errors import UsageError
from harness.families import OPERATORS


def _per_axis(values: list[int]) -> int | list[int]:
    """One value means every axis."""
    return values[0] if len(values) == 1 else values


def case_from_flags(args: argparse.Namespace) -> Case:
    operators = OPERATORS[OPS[args.op][0]] if args.op is not None else None
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
