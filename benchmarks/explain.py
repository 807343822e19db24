"""Wall time of `convharness explain` of one case: on the command's own workers (--no-warm),
then as a user types it, with no flag: the first call (which starts the warm workers) and the
repeated calls (which find them).

    python benchmarks/explain.py [--repeat 5] [--per-variant] [--frameworks A,B | --variants A,B]

Every run is a fresh `convharness explain` process (the classic 'same' case, 28x28, k3, s2),
as a maintainer types it. The warm workers live in a temporary directory, stopped before each
row and at the end. Prints one row for every selected variant together and, with
--per-variant, one row per variant: the time with `--no-warm`, the first call with no flag
(which starts the warm workers) and the median and worst of the repeated calls with no flag;
then the load average it ran under.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ["--input", "1,3,28,28", "--out-channels", "16", "--kernel", "3", "--stride", "2"]
CASE += ["--padding", "same"]


def _explain(selection: list[str], flags: list[str], env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "harness.cli", "explain", *CASE, *selection, *flags]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"explain failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds


def _stop_warm_workers(env: dict[str, str]) -> None:
    """Stop every warm worker and wait until they are gone: each row starts with none."""
    from harness.running import warm

    command = [sys.executable, "-m", "harness.cli", "workers", "stop"]
    subprocess.run(command, env=env, cwd=ROOT, capture_output=True)
    deadline = time.monotonic() + 60
    while warm.described() and time.monotonic() < deadline:
        time.sleep(0.2)


def _row(name: str, selection: list[str], repeat: int, env: dict[str, str]) -> str:
    _stop_warm_workers(env)
    private = _explain(selection, ["--no-warm"], env)
    first = _explain(selection, [], env)
    again = [_explain(selection, [], env) for _ in range(repeat)]
    return (
        f"| {name} | {private:.2f} s | {first:.2f} s | {statistics.median(again):.2f} s "
        f"| {max(again):.2f} s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, metavar="N")
    parser.add_argument("--per-variant", action="store_true")
    parser.add_argument("--frameworks", metavar="A,B")
    parser.add_argument("--variants", metavar="A,B")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from harness.catalog import variants  # this checkout's, as the commands run it

    selection = [
        f"--{flag}={value}"
        for flag, value in vars(args).items()
        if value and flag in ("frameworks", "variants")
    ]
    chosen = variants.select(
        args.frameworks.split(",") if args.frameworks else None,
        args.variants.split(",") if args.variants else None,
    )
    with tempfile.TemporaryDirectory(prefix="chx-") as warm_dir:
        os.environ["CONVHARNESS_WARM_DIR"] = warm_dir  # for _stop_warm_workers' look
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name in ("CONVHARNESS_WARM", "CONVHARNESS_POOL"):  # the default, as a user has it
            env.pop(name, None)
        print(f"explain of one case, {os.cpu_count()} cores, repeated {args.repeat} times\n")
        print("| variants | --no-warm | first (no flag) | repeated (median) | (worst) |")
        print("|---|---|---|---|---|")
        try:
            print(_row(f"all {len(chosen)}", selection, args.repeat, env), flush=True)
            if args.per_variant:
                for variant in chosen:
                    print(
                        _row(variant.name, [f"--variants={variant.name}"], args.repeat, env),
                        flush=True,
                    )
        finally:
            _stop_warm_workers(env)
    print(f"\nload average while measured: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
