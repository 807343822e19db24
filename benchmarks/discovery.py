"""Discovery power: how fast the default strategy reaches each registered upstream bug.

    python benchmarks/discovery.py [--seeds 0,1,2] [--examples 5000] [--ops conv1d,conv2d]
        [--frameworks torch,tensorflow] [--variants tensorflow,...] [--budget SECONDS]
    python benchmarks/discovery.py --store STORE [STORE ...]

For every seed, plans what `convharness run --profile nightly --seed S` plans (or with
`--examples` drawn cases): the classic cases, the drawn ones, the recipe twins. Runs it on the
chosen variants as a survey does, and notes, for every registered upstream bug, the first case
(by position in the plan's completion order) and the seconds until an answer showed it. The
registry names what the survey found; it does not steer what is drawn. Prints one table: per
bug, cases and seconds to the first hit per seed (or "not reached in N cases"), and the share
of seeds that reached it.

With `--store`, reads finished surveys instead (a nightly's stores, each of a seed): per bug,
the plan position of the first case that showed it, or "not reached" in the cases the store
holds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.case import OPS  # noqa: E402
from harness.catalog import variants  # noqa: E402
from harness.model import registry  # noqa: E402
from harness.running import survey  # noqa: E402
from harness.running.runner import Runner  # noqa: E402
from harness.running.store import Store  # noqa: E402


def _names(text: str | None) -> list[str] | None:
    return [name for name in text.split(",") if name] if text else None


def first_hits(
    seed: int, count: int, ops: tuple[str, ...], chosen, budget: float, bugs: set[str]
) -> tuple[dict[str, tuple[int, float]], int, float]:
    """bug id -> (cases run when it first showed, seconds), cases run, seconds in all."""
    cases = survey.full_plan(count, seed, ops)  # what `convharness run --seed S` plans
    found: dict[str, tuple[int, float]] = {}
    start = time.monotonic()
    done = 0
    with Runner(chosen, env=survey.compile_cache_env(None)) as runner:
        for report in survey.reports(runner, cases):
            done += 1
            elapsed = time.monotonic() - start
            marks = {r.known for r in report.results if r.known}
            marks |= {d.explained_by for d in report.divergences if d.explained_by in bugs}
            for bug in marks & bugs:
                found.setdefault(bug, (done, elapsed))
            if elapsed > budget or found.keys() >= bugs:
                break
    return found, done, time.monotonic() - start


def _table(entries, columns: list[str], runs: list[tuple[dict[str, tuple[int, float]], int]]):
    width = max(len(e.id) for e in entries)
    print()
    print(f"{'registered upstream bug':<{width}}  " + "  ".join(f"{c:<19}" for c in columns))
    for entry in entries:
        cells = [
            (
                f"{found[entry.id][0]:>5} c"
                + (f" {found[entry.id][1]:>5.0f} s" if found[entry.id][1] >= 0 else "")
            )
            if entry.id in found
            else f"not in {done} c"
            for found, done in runs
        ]
        reached = sum(entry.id in found for found, _ in runs)
        print(
            f"{entry.id:<{width}}  "
            + "  ".join(f"{c:<19}" for c in cells)
            + f"  reached {reached}/{len(runs)}"
        )


def _stores(paths: list[Path], entries) -> int:
    bugs = {e.id for e in entries}
    runs = []
    for path in paths:
        with Store.open(path, writable=False) as store:
            marks = store.first_marks()
            done, seed = len(store.recorded_ids()), store.meta().get("seed")
        found = {bug: (position, -1.0) for bug, position in marks.items() if bug in bugs}
        runs.append((found, done))
        print(f"{path} (seed {seed}): {done} cases, {len(found)} of {len(bugs)} bugs")
    _table(entries, [p.name for p in paths], runs)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--examples", type=int, default=survey.PROFILE_EXAMPLES["nightly"])
    parser.add_argument("--ops", help=f"default: all of {','.join(OPS)}")
    parser.add_argument("--frameworks")
    parser.add_argument("--variants")
    parser.add_argument(
        "--budget", type=float, default=900.0, help="seconds per seed (default: the nightly's)"
    )
    parser.add_argument("--store", nargs="+", type=Path, help="read finished surveys instead")
    args = parser.parse_args()
    entries = [e for e in registry.load().entries if e.kind == "upstream_bug"]
    if args.store:
        return _stores(args.store, entries)
    seeds = [int(s) for s in args.seeds.split(",")]
    ops = tuple(_names(args.ops) or OPS)
    chosen = variants.select(_names(args.frameworks), _names(args.variants))
    bugs = {e.id for e in entries}
    runs = []
    for seed in seeds:
        found, done, seconds = first_hits(seed, args.examples, ops, chosen, args.budget, bugs)
        runs.append((found, done))
        print(f"seed {seed}: {done} cases in {seconds:.0f} s, {len(found)} of {len(bugs)} bugs")
    _table(entries, [f"seed {s}" for s in seeds], runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
