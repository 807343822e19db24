"""Replay a published report's plan and check that every answer is the same.

    python benchmarks/replay_published.py [RESULTS.json] [--store PATH | --compare STORE]

Reads results.json, checks that every case still reads and keeps its published id, that the
plan drawn today for the report's profile and seed (conv2d alone, as published before cases
named their operator) is the published plan, runs the cases on every installed variant through
`convharness run`, and compares the verdict counts per adapter and every cell's verdict with the
published ones (`--compare STORE`: a finished survey of the same plan instead, such as the run
that regenerates the report, on this or more variants). Prints each difference; exits 1 if there
is one, 0 when the answers are the same.
The nightly runs it, so a change to the harness that changes a published answer is seen.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from harness.case import OPS, Case
from harness.families.conv.record import CLASSIC
from harness.families.conv.strategies import cases
from harness.model import recipes, strategies
from harness.running import survey
from harness.running.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _published_plan_is_drawn_again(published: dict) -> list[str]:
    """The plan a run of the published profile and seed draws today, over the published
    operators (conv2d alone for a report published before cases named their operator)."""
    plan = published["plan"]
    if plan.get("seed") is None:
        return []
    examples = survey.PROFILE_EXAMPLES[plan["profile"]]
    published_ops = {data.get("op", "conv2d") for data in published["cases"].values()}
    chosen = tuple(op for op in OPS if op in published_ops)
    if chosen == ("conv2d",):  # the conv2d-only plan, drawn as it was then

        def conv_cases(op: str):
            return cases(op=op)

        drawn = strategies.draw_plan(examples, plan["seed"], ("conv2d",), conv_cases)
        full = recipes.with_twins([c for c in CLASSIC if c not in drawn] + drawn)
    else:
        full = survey.full_plan(examples, plan["seed"], chosen)
    if survey.plan_id(full) != plan["id"]:
        return [
            f"the {plan['profile']} plan drawn today is {survey.plan_id(full)}, not {plan['id']}"
        ]
    return []


def _cell(cell) -> tuple[str, str, str]:
    """(case id, adapter, verdict) of a published cell: an object from schema 3 on, a list
    [case, adapter, status, verdict, known, pads] before."""
    if isinstance(cell, dict):
        return cell["case"], cell["adapter"], cell["verdict"]
    return cell[0], cell[1], cell[3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "results", nargs="?", type=Path, default=ROOT / "reports/pinned/results.json"
    )
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--store", type=Path, help="keep the replay's store here")
    chosen.add_argument(
        "--compare", type=Path, metavar="STORE", help="compare this store's answers"
    )
    args = parser.parse_args()
    published = json.loads(args.results.read_text())
    problems = []
    cases = []
    for case_id, data in published["cases"].items():
        case = Case.from_json(data)
        if case.id != case_id:
            problems.append(f"case {case_id} now has id {case.id}: {json.dumps(data)}")
        cases.append(case)
    problems += _published_plan_is_drawn_again(published)
    with tempfile.TemporaryDirectory() as scratch:
        cases_file = Path(scratch) / "cases.jsonl"
        cases_file.write_text("".join(json.dumps(c.to_json()) + "\n" for c in cases))
        store_path = args.compare or args.store or Path(scratch) / "replay.db"
        if args.compare is None:
            subprocess.run(
                [sys.executable, "-m", "harness.cli", "run", "--cases", str(cases_file)]
                + ["--store", str(store_path), "--quiet"],
                check=False,
            )
        with Store.open(store_path, writable=False) as store:
            rows = store.db.execute("SELECT case_id, adapter, device, verdict, known FROM outcomes")
            now = {
                (cid, adapter if device == "cpu" else f"{adapter}@{device}"): (verdict, known)
                for cid, adapter, device, verdict, known in rows
            }
    counts: dict[str, Counter] = {}
    for (_, adapter), (verdict, known) in now.items():
        counts.setdefault(adapter, Counter())[verdict + (" (known)" if known else "")] += 1
    for adapter, was in sorted(published["summary"]["verdicts"].items()):
        if dict(counts.get(adapter, {})) != was:
            problems.append(f"{adapter}: published {was}, now {dict(counts.get(adapter, {}))}")
    changed = [
        (cid, adapter, verdict, now.get((cid, adapter)))
        for cid, adapter, verdict in map(_cell, published["cells"])
        if now.get((cid, adapter), (None, None))[0] != verdict
    ]
    problems += [
        f"{cid} {adapter}: published {was}, now {is_}" for cid, adapter, was, is_ in changed
    ]
    for line in problems[:50]:
        print(line)
    print(
        f"{len(cases)} published cases replayed on {len(counts)} adapters: "
        + (f"{len(problems)} differences" if problems else "every verdict is the same")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
