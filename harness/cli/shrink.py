"""`convharness shrink`: each finding's smallest case, within its budget and its variants' limits,
on the run's workers or on workers of its own."""

from __future__ import annotations

import argparse

from harness.case import Case
from harness.catalog import variants
from harness.errors import UsageError
from harness.model.verdicts import EXPECTED
from harness.running import survey
from harness.running.runner import Runner
from harness.running.store import Store
from harness.running.timeouts import TimeoutPolicy
from harness.running.workers import Worker

# adapters, verdict, known, aspect: one difference to shrink
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


def case_limits(store: Store, timeout: float | None) -> dict[str, float]:
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

    limits = case_limits(store, timeout)
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


def shrink_new_findings(
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
