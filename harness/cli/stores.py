"""The commands that read stores: `report` (the published report), `summary` and `merge`."""

from __future__ import annotations

import argparse
import json
import sys

from harness.case import Case
from harness.reporting import report
from harness.running.store import Store, merge


def print_summary(store: Store, out=None) -> None:
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


def publish(args: argparse.Namespace) -> int:
    with Store.open(args.store, writable=False) as store:
        for path in report.write(store, args.out):
            print(path)
    return 0


def summarize(args: argparse.Namespace) -> int:
    with Store.open(args.store, writable=False) as store:
        print_summary(store)
        return 1 if any(store.attention()) else 0


def merge_stores(args: argparse.Namespace) -> int:
    with merge(args.stores, args.out) as merged:
        print_summary(merged)
    return 0
