"""Environment building: how long a release set's environment takes to build with uv from a cold
package cache, from a warm one (the packages already downloaded and unpacked: hard links), with
pip (no uv), and how long finding an environment already built takes.

    python benchmarks/environments.py [--sets "jax==0.8.3 jaxlib==0.8.3" ...] [--keep DIR]

Each figure is measured in a scratch folder of its own (CONVHARNESS_ENVS, and for the cold and
warm builds UV_CACHE_DIR), so the user's environments and caches are neither used nor touched.
Prints one row per release set: seconds to resolve and build cold, warm, with pip, to find it
again, and the environment's size (each file counted once).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.releases import environments  # noqa: E402

SETS = ("jax==0.8.3 jaxlib==0.8.3", "keras==3.13.2 jax jaxlib", "onnxruntime==1.30.0 onnx")


def _timed(
    requirements: list[str], envs: Path, **env: str
) -> tuple[float, environments.Environment]:
    saved = {k: os.environ.get(k) for k in ("CONVHARNESS_ENVS", *env)}
    os.environ["CONVHARNESS_ENVS"] = str(envs)
    os.environ.update(env)
    try:
        started = time.perf_counter()
        built = environments.ensure(requirements)
        return time.perf_counter() - started, built
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def measure(requirements: list[str], scratch: Path) -> dict[str, float]:
    cache = scratch / "uv-cache"
    cold, built = _timed(requirements, scratch / "cold", UV_CACHE_DIR=str(cache))
    size = environments.size_of(built.path)
    warm, _ = _timed(requirements, scratch / "warm", UV_CACHE_DIR=str(cache))
    found, _ = _timed(requirements, scratch / "warm", UV_CACHE_DIR=str(cache))
    pip, _ = _timed(requirements, scratch / "pip", CONVHARNESS_NO_UV="1")
    for folder in ("cold", "warm", "pip"):
        shutil.rmtree(scratch / folder, ignore_errors=True)
    return {"cold": cold, "warm": warm, "pip": pip, "found": found, "size": size / 2**20}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), metavar="SET")
    parser.add_argument(
        "--keep", type=Path, help="a scratch folder to use (default: a temporary one)"
    )
    args = parser.parse_args()
    if environments.uv_binary() is None:
        print(
            "uv is not installed (pip install -e '.[releases]'): nothing to compare",
            file=sys.stderr,
        )
        return 2
    print(f"{'release set':<32} {'uv cold':>9} {'uv warm':>9} {'pip':>9} {'found':>8} {'size':>9}")
    with tempfile.TemporaryDirectory(prefix="convharness-envs-bench-", dir=args.keep) as scratch:
        for text in args.sets:
            figures = measure(text.split(), Path(scratch))
            print(
                f"{text:<32} {figures['cold']:8.1f}s {figures['warm']:8.1f}s "
                f"{figures['pip']:8.1f}s {figures['found']:7.3f}s {figures['size']:7.0f}MiB",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
