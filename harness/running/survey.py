"""A survey run: plan the cases, run them through the variants' workers, assess, store."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.case import Case
from harness.errors import UsageError
from harness.model import inputs
from harness.model.assess import CaseReport, assess
from harness.running.progress import RunProgress
from harness.running.runner import Runner
from harness.running.store import Store

PROFILE_EXAMPLES = {"dev": 100, "ci": 1000, "nightly": 5000}


def full_plan(examples: int, seed: int, chosen_ops: tuple[str, ...]) -> list[Case]:
    """What `run` plans: the classic cases of every chosen operator's family, `examples` drawn
    cases shared among the operators, then the twins that check the porting recipes."""
    from harness import ops
    from harness.model import recipes, strategies

    drawn = strategies.draw_plan(examples, seed, chosen_ops, lambda op: ops.of_op(op).strategy(op))
    classic = [
        case
        for family in ops.FAMILIES.values()
        for case in family.classic
        if case.op in chosen_ops and case not in drawn
    ]
    return recipes.with_twins(classic + drawn)  # the classic question is always asked


def parse_shard(text: str) -> tuple[int, int]:
    """'I/N' with 1 <= I <= N."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard takes I/N, e.g. 1/4; got {text!r}") from None
    if count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard {text}: I must be between 1 and N")
    return index, count


def shard_of(cases: list[Case], shard: tuple[int, int]) -> list[tuple[int, Case]]:
    """Every N-th case, from the I-th: disjoint, covering, and the same on every machine."""
    index, count = shard
    return [(i, case) for i, case in enumerate(cases) if i % count == index - 1]


def plan_id(cases: list[Case]) -> str:
    """Identifies a full plan by its cases, in order. Stores of one plan merge, whether they
    hold different shards or different variants of it."""
    text = json.dumps([c.id for c in cases])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def compile_cache_env(directory: Path | None) -> dict[str, str]:
    """A persistent JAX compilation cache, so a repeated run does not compile again."""
    if directory is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        directory = Path(os.environ.get("CONVHARNESS_CACHE_DIR", Path(base) / "convharness"))
        directory = directory / "jax"
    return {
        "JAX_COMPILATION_CACHE_DIR": str(directory),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


def _project_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def environment(runner: Runner) -> dict[str, Any]:
    """What a run ran on: the facts a report needs to be reproduced."""
    versions = {f"{i.variant}:{i.framework}": i.version for i in runner.infos if i.version}
    return {
        "project_commit": _project_commit(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "versions": versions,
        "devices": sorted({i.device for i in runner.infos}),
        "variants": {w.variant.name: w.variant.env for w in runner.workers},
        "skipped": runner.skipped,
    }


def reports(
    runner: Runner, cases: list[Case], devices: tuple[str, ...] = ()
) -> Iterator[CaseReport]:
    """Each case assessed as it completes; `devices` (prefixes such as "gpu") narrows it."""
    from harness import ops  # here, as in full_plan

    conventions = runner.conventions()
    for case, outcomes in runner.run(cases):
        if devices:
            outcomes = [o for o in outcomes if o.info.device.startswith(devices)]
        yield assess(case, outcomes, inputs.arrays(case), ops.family(case), conventions=conventions)


def execute(runner: Runner, store: Store, cases: list[Case], total: int, quiet: bool) -> None:
    """Run `cases`, committing each one to the store as it completes."""
    run_id = store.start_run(environment(runner))
    with RunProgress(total, done=total - len(cases), quiet=quiet) as progress:
        for report in reports(runner, cases):
            store.record(run_id, report)
            progress.advance(report)
    store.finish_run(run_id)
