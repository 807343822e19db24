"""What several commands resolve from their flags alike: the memory budget per case, each
worker's headroom, and whether to run on warm workers."""

from __future__ import annotations

import argparse
import os

from harness.errors import UsageError
from harness.running import memory


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
    for name in ("CONVHARNESS_WARM", "CONVHARNESS_POOL"):
        value = os.environ.get(name, "").strip()
        if value in ("0", "1"):
            return value == "1"
        if value:
            raise UsageError(f"{name} takes 0 or 1, got {value!r}")
    return default
