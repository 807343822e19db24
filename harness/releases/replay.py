"""Drift: a published plan run on other releases (the latest, the pre-releases), every answer
that differs from the published one listed.

    python -m harness.releases.replay RESULTS.json --releases jax=latest,prerelease
        [--frameworks jax] [--store PATH]

Runs the published cases through `convharness run --cases ... --releases ...` (the pinned
variants of --frameworks run beside them), then compares each release variant's verdict with
the published verdict of the same adapter and case. Drift is a result, not a failure: it exits
0 with the list printed (and written to $GITHUB_STEP_SUMMARY where that is set), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.case import Case
from harness.model.outcome import unreleased
from harness.running.store import Store


def _published(path: Path) -> tuple[list[Case], dict[tuple[str, str], str]]:
    """The published cases, and (case id, adapter) -> verdict of every published cell."""
    data = json.loads(path.read_text())
    cases = [Case.from_json(c) for c in data["cases"].values()]
    cells = {}
    for cell in data["cells"]:
        if isinstance(cell, dict):
            cells[(cell["case"], cell["adapter"])] = cell["verdict"]
        else:
            cells[(cell[0], cell[1])] = cell[3]
    return cases, cells


def drift(store: Store, published: dict[tuple[str, str], str]) -> list[str]:
    """Each release variant's answer whose verdict is not the published one, in words."""
    lines = []
    for case_id, adapter, device, _, _, release, _, verdict, *_ in store.release_rows():
        if not release or device != "cpu":
            continue
        was = published.get((case_id, unreleased(adapter)))
        if was is not None and was != verdict:
            lines.append(
                f"{case_id} {adapter}: published {was} (pinned), now {verdict} ({release})"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--releases", action="append", required=True, metavar="FRAMEWORK=V,V")
    parser.add_argument("--frameworks", metavar="A,B")
    parser.add_argument("--store", type=Path)
    args = parser.parse_args(argv)
    if not args.results.is_file():
        print(f"replay: no results at {args.results}", file=sys.stderr)
        return 2
    cases, published = _published(args.results)
    with tempfile.TemporaryDirectory() as scratch:
        cases_file = Path(scratch) / "cases.jsonl"
        cases_file.write_text("".join(json.dumps(c.to_json()) + "\n" for c in cases))
        store_path = args.store or Path(scratch) / "drift.db"
        command = [sys.executable, "-m", "harness.cli", "run", "--cases", str(cases_file)]
        command += ["--store", str(store_path), "--quiet", "--shrink-budget", "0"]
        command += [f"--releases={flag}" for flag in args.releases]
        command += ["--frameworks", args.frameworks] if args.frameworks else []
        done = subprocess.run(command, check=False)
        if done.returncode not in (0, 1):
            return done.returncode
        with Store.open(store_path, writable=False) as store:
            lines = drift(store, published)
            counts = store.release_counts()
    text = [f"drift: {len(lines)} answers differ from the published ones", *lines[:500]]
    text += [f"{release}: {dict(tally)}" for release, tally in counts.items()]
    print("\n".join(text))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a") as out:
            out.write("```\n" + "\n".join(text) + "\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
