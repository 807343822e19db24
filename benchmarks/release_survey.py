"""A release-matrix survey, timed: `convharness run` of a profile's plan on several releases of
each framework at once, its wall time and peak memory.

    python benchmarks/release_survey.py [--profile ci] [--seed 0] [--shard I/N]
        [--variants torch,tensorflow,jax] [--releases torch=2.12.1,2.15.0 ...] [--store PATH]

The releases' environments are built (or found) first, untimed: building is network-bound and
measured by benchmarks/environments.py. Then the survey runs as a user first runs it, on warm
workers of a directory of its own, none running yet (it starts one per variant and release),
with the JAX compile cache as it is, and without shrinking what it finds (--shrink-budget 0).
Prints the wall time, the peak memory of the command's process tree and its warm workers (RSS,
and PSS: shared libraries split), where the CPU time went, and the verdict counts per release.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from throughput import ROOT, _split, timed  # noqa: E402

from harness.releases import sets  # noqa: E402
from harness.running.store import Store  # noqa: E402

RELEASES = ("torch=2.12.1,2.15.0", "tensorflow=2.19.1,2.20.0", "jax=0.8.3,0.9.2")
GIB = 1024**3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shard", default="1/1", metavar="I/N")
    parser.add_argument("--variants", default="torch,tensorflow,jax")
    parser.add_argument("--releases", action="append", metavar="FRAMEWORK=V,V")
    parser.add_argument("--store", type=Path, help="keep the survey's store here")
    args = parser.parse_args()
    releases = args.releases or list(RELEASES)
    for wanted in sets.parse_releases(releases):  # built before the clock starts
        sets.release_variants([wanted])
    with tempfile.TemporaryDirectory() as work:
        store = args.store or Path(work) / "survey.db"
        env = {**os.environ, "CONVHARNESS_WARM_DIR": str(Path(work) / "warm")}
        command = [
            sys.executable,
            "-m",
            "harness.cli",
            "run",
            "--profile",
            args.profile,
            "--seed",
            str(args.seed),
            "--shard",
            args.shard,
            "--variants",
            args.variants,
            *(f"--releases={r}" for r in releases),
            "--store",
            str(store),
            "--quiet",
            "--shrink-budget",
            "0",
        ]
        try:
            wall, (rss, pss), _, cpu = timed(command, env=env)
        finally:
            subprocess.run(
                [sys.executable, "-m", "harness.cli", "workers", "stop"],
                cwd=ROOT,
                env=env,
                capture_output=True,
            )
        with Store.open(store, writable=False) as opened:
            cases = len(opened.recorded_ids())
            counts = opened.release_counts()
            variants = opened.meta()["variants"]
    print(f"{' '.join(command[3:])}")
    print(
        f"{cases} cases on {len(variants)} variants ({', '.join(variants)}): "
        f"wall {wall:.1f} s, peak RSS {rss / GIB:.2f} GiB, peak PSS {pss / GIB:.2f} GiB"
    )
    print(f"CPU seconds: {_split(cpu)}")
    for release, tally in sorted(counts.items()):
        print(f"  {release:<34} " + "  ".join(f"{v} {k}" for k, v in sorted(tally.items())))


if __name__ == "__main__":
    main()
