"""Every known upstream bug with a repro still shows, on the installed frameworks, what it claims.

When a framework release fixes one, this fails: take the entry out of the registry.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

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


def _why_not(entry: registry.Entry) -> str | None:
    """Why this host cannot run the entry's repro, or None."""
    if importlib.util.find_spec(entry.requires) is None:
        return f"{entry.requires} is not installed"
    if entry.cpu and entry.cpu not in CPU_FLAGS:
        return f"the bug lives in {entry.cpu} kernels; this CPU has none"
    return None


def _run(entry: registry.Entry) -> subprocess.CompletedProcess:
    """The repro as a user runs it: a fresh Python that imports its framework."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-c", entry.repro], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture(scope="module")
def shown(request: pytest.FixtureRequest) -> Iterator[dict[str, Future]]:
    """The repros of the tests selected here that this host can run, started when the first one
    asks, a few at a time: each spends seconds importing its framework, and the imports overlap
    instead of queueing."""
    selected = [
        item.callspec.params["entry"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    ]
    executor = ThreadPoolExecutor(max_workers=(os.cpu_count() or 1) + 1)
    try:
        yield {e.id: executor.submit(_run, e) for e in selected if _why_not(e) is None}
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_the_repro_shows_the_bug(entry, shown):
    if (why := _why_not(entry)) is not None:
        pytest.skip(why)
    done = shown[entry.id].result()
    assert done.returncode == 0, done.stderr[-2000:]
    assert entry.shows in done.stdout, done.stdout
