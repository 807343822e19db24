"""`convharness workers start|stop|status`: warm workers, which outlive one command."""

from __future__ import annotations

import argparse

from harness.catalog import variants
from harness.cli.options import headroom, max_case_memory
from harness.running import survey, warm


def manage_workers(args: argparse.Namespace) -> int:
    """`workers start|stop|status`."""
    if args.action == "start":
        chosen = variants.select(args.frameworks, args.variants)
        env = survey.compile_cache_env(args.compile_cache)
        for worker in warm.start(chosen, env, headroom(max_case_memory(args)), args.idle):
            state = f"skipped: {worker.skipped}" if worker.skipped else "ready"
            kind = "busy with another command" if worker.private else f"pid {worker.pid}"
            print(f"{worker.variant.name}: {kind}, {state} ({worker.startup_seconds:.1f} s)")
        return 0
    if args.action == "stop":
        print(f"stopped {warm.stop_all()} warm worker(s)")
        return 0
    running = warm.described()
    current = warm.current_code()
    for name, about in running:
        fresh = (about["code"], about["installed"]) == current
        idle = f"exits after {about['idle']:g} s idle"
        state = "current" if fresh else "stale: the code or installed versions changed"
        print(f"{name}: pid {about['pid']}, {state}, {idle}")
    if not running:
        print(f"no warm worker is running (in {warm.directory(create=False)})")
    return 0
