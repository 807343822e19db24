"""`convharness run`: plan a survey (drawn, from a file, or resumed), run it into a store, shrink
what it found and print the summary."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

from harness import ops
from harness.case import Case
from harness.catalog import variants
from harness.cli.cases import read_cases
from harness.cli.options import headroom, max_case_memory, use_warm
from harness.cli.shrink import shrink_new_findings
from harness.cli.stores import print_summary
from harness.errors import UsageError
from harness.releases import commands as release_commands
from harness.running import memory, survey, warm
from harness.running.runner import Runner
from harness.running.store import Plan, Store, StoreLock

Planned = tuple[Callable[[], Store], list[Case]]


def _plan(
    args: argparse.Namespace, stack: contextlib.ExitStack
) -> tuple[Callable[[], Planned], list[variants.Variant]]:
    """Validate every argument and take the store's lock (held until `stack` closes: a second
    run on the store is refused); give back the variants and what draws the plan (the costly
    part, which the workers' start-up overlaps) and so gives what creates (or reopens) the
    store and the cases to run. Nothing is written yet."""
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
                ("--releases", args.releases),
            )
            if value is not None
        ]
        if given:
            raise UsageError(f"--resume takes the plan from the store; drop {', '.join(given)}")
        if args.store is None:
            raise UsageError("--resume needs --store PATH")
        store = stack.enter_context(Store.open(args.store))  # held: pending stays pending
        names, pending = list(store.meta()["variants"]), store.pending()
        memory.check(pending, max_case_memory(args))
        return (lambda: ((lambda: store), pending)), release_commands.select_names(names)
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
    chosen = release_commands.chosen_variants(args)
    path = args.store or Path("runs") / time.strftime("run-%Y%m%d-%H%M%S.db")
    if path.exists():
        raise UsageError(
            f"{path} already exists; use --resume to continue it, or choose another --store"
        )
    seed = args.seed if args.seed is not None else 0
    full = read_cases(args.cases) if args.cases is not None else None
    if full is not None:
        memory.check(full, max_case_memory(args))
    chosen = variants.serving(chosen, {c.op for c in full} if full is not None else chosen_ops)
    lock = stack.enter_context(StoreLock.take(path))

    def draw() -> Planned:
        cases = full
        if cases is None:
            examples = args.examples or survey.PROFILE_EXAMPLES[args.profile]
            cases = survey.full_plan(examples, seed, chosen_ops)
            memory.check(cases, max_case_memory(args))
        plan = Plan(
            cases=survey.shard_of(cases, shard),
            plan_id=survey.plan_id(cases),
            shard=shard,
            seed=None if args.cases else seed,
            profile=args.profile,
            variants=tuple(v.name for v in chosen),
        )
        return (lambda: stack.enter_context(Store.create(path, plan, lock))), [
            case for _, case in plan.cases
        ]

    return draw, chosen


def run(args: argparse.Namespace) -> int:
    env = survey.compile_cache_env(args.compile_cache)
    with contextlib.ExitStack() as stack:
        draw, chosen = _plan(args, stack)
        started = Runner(
            chosen,
            env=env,
            timeout=args.timeout,
            headroom=headroom(max_case_memory(args)),
            warm=use_warm(args, default=True),
            idle=warm.FIRST_USE_IDLE,
        )
        with contextlib.ExitStack() as starting:  # the workers import while the plan is drawn
            starting.callback(started.__exit__)
            started.start()
            opened, cases = draw()
            starting.pop_all()
        runner: Runner | None = None
        if cases:  # a variant asked for that cannot run stops it before the store is written
            runner = stack.enter_context(started)
            runner.check(args.frameworks, args.variants, broken=False)
        else:
            started.__exit__()
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
        shrink_new_findings(store, args.shrink_budget, args.timeout, runner)
        if not args.quiet:
            print_summary(store)
            release_commands.print_release_counts(store)
        unexpected, unexplained = store.attention()
    return 1 if unexpected or unexplained else 0
