"""The test-only fault adapter (fault_adapter.py) installed as a plugin, so that the command
line runs it as the variant `fault` (`--variants fault`), as an installed package would be."""

from __future__ import annotations

import os
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def install(site: Path) -> dict[str, str]:
    """Register fault_adapter through the `convharness.adapters` entry point in `site`; give
    back the environment that runs the command line with it, on the command's own workers (the
    tests that use it crash, hang and kill them)."""
    info = site / "convharness_fault_for_tests-0.0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: convharness-fault-for-tests\nVersion: 0.0.1\n"
    )
    (info / "entry_points.txt").write_text("[convharness.adapters]\nfault = fault_adapter\n")
    path = [str(site), str(TESTS), os.environ.get("PYTHONPATH", "")]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in path if p),
        "CONVHARNESS_WARM": "0",
    }
