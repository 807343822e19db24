"""What several commands resolve from their flags alike: the memory budget per case, each
worker's headroom, and whether to run on warm workers."""

from __future__ import annotations

import argparse

from harness.running import memory, warm


def max_case_memory(args: argparse.Namespace) -> int:
    return args.max_case_memory or memory.default_budget()


def headroom(budget: int) -> int:
    """The bytes each worker may grow past its size after import, for a budget per case."""
    return memory.WORKER_FACTOR * budget


def use_warm(args: argparse.Namespace, default: bool) -> bool:
    """--warm or --no-warm; else CONVHARNESS_WARM (or the older CONVHARNESS_POOL) = 0 or 1;
    else `default`."""
    if args.warm is not None:
        return bool(args.warm)
    said = warm.asked_by_env()
    return default if said is None else said
