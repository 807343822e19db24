"""Every known upstream bug with a repro still shows, on the installed frameworks, what it claims.

When a framework release fixes one, this fails: take the entry out of the registry.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from harness.model import registry


def _cpu_flags() -> set[str]:
    """The host CPU's flags (/proc/cpuinfo), or none where it cannot be read."""
    try:
        with open("/proc/cpuinfo") as info:
            return next(
                (set(line.split(":", 1)[1].split()) for line in info if line.startswith("flags")),
                set(),
            )
    except OSError:
        return set()


CPU_FLAGS = _cpu_flags()
ENTRIES = [entry for entry in registry.load().entries if entry.repro]


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_the_repro_shows_the_bug(entry):
    if importlib.util.find_spec(entry.requires) is None:
        pytest.skip(f"{entry.requires} is not installed")
    if entry.cpu and entry.cpu not in CPU_FLAGS:
        pytest.skip(f"the bug lives in {entry.cpu} kernels; this CPU has none")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-c", entry.repro], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert entry.shows in done.stdout, done.stdout
