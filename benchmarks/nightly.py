"""Wall time of the nightly survey on this machine: first on an empty JAX compile cache (a first
night), then again on the cache it filled (every night after).

    python benchmarks/nightly.py [--profile nightly] [--examples N] [--variants A,B]

Each is `convharness run --profile nightly` (5,000 drawn cases, the classic cases and the
recipe twins) on every installed variant, in its own process tree, with its own store, and
without warm workers. Prints the wall time of each, the cases run, and the load average
before and after: the figures mean something only on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 15 * 60  # seconds: a night's survey on 2 cores


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _survey(args: argparse.Namespace, cache: Path, store: Path) -> float:
    command = [sys.executable, "-m", "harness.cli", "run", "--profile", args.profile]
    command += ["--seed", "0", "--store", str(store), "--compile-cache", str(cache)]
    command += ["--quiet", "--no-warm"]
    if args.examples:
        command += ["--examples", str(args.examples)]
    if args.variants:
        command += ["--variants", args.variants]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: something unexpected, which the summary says
        sys.exit(f"run failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    from harness.running.store import Store  # this checkout's

    with Store.open(store, writable=False) as opened:
        print(f"  {len(opened.recorded_ids())} cases recorded", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="nightly", choices=("dev", "ci", "nightly"))
    parser.add_argument("--examples", type=int, metavar="N")
    parser.add_argument("--variants", metavar="A,B", help="default: every installed variant")
    parser.add_argument("--keep", metavar="DIR", type=Path, help="keep the stores and cache there")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(f"{os.cpu_count()} cores; load average before: {_load()}")
    with tempfile.TemporaryDirectory(prefix="convharness-nightly-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        cache = folder / "jax"
        cold = _survey(args, cache, folder / "cold.db")
        print(f"cold (empty compile cache): {cold / 60:.1f} min; load average {_load()}")
        warm = _survey(args, cache, folder / "warm.db")
        print(f"warm (the cache the cold run filled): {warm / 60:.1f} min; load {_load()}")
    verdict = "within" if cold <= BUDGET else "OVER"
    print(f"first night {cold / 60:.1f} min: {verdict} the {BUDGET // 60}-minute budget")


if __name__ == "__main__":
    main()
