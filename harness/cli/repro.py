"""`convharness repro`: a case's standalone reproduction script per adapter."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.case import Case
from harness.cli.cases import read_cases
from harness.errors import UsageError
from harness.reporting import repro
from harness.running.store import Store


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
