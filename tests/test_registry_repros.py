"""Every known upstream bug with a repro still shows, on the installed frameworks, what it claims.

When a framework release fixes one, this fails: take the entry out of the registry.

The repros that import the same framework with the same environment share its import: one
Python imports it once and forks a child per repro (tests/repro_forks.py), each judged on its
own output and exit status; a Keras backend's repros run in a child of the Python of the
framework it runs on, after that framework's own repros. A repro that sets an environment
variable in any other way than a literal assignment before its imports, or starts Pythons of
its own (to crash one on purpose), runs in a fresh Python of its own, as does any repro whose
forked run does not show the bug: the fresh run is the judge.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import repro_forks  # tests/repro_forks.py

from harness.model import registry

# one xdist worker runs the module: its fixture starts every selected repro
pytestmark = pytest.mark.xdist_group("registry-repros")
# a literal setting of an environment variable, the only kind a shared import can honour
SETTING = re.compile(
    r'^os\.environ(?:\[("[^"]*")\] = |\.setdefault\(("[^"]*"), )("[^"]*")\)?\s*(#.*)?$'
)


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


@dataclass(frozen=True)
class Shown:
    """What a repro printed and how it ended."""

    returncode: int
    stdout: str
    stderr: str


def _env() -> dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def _run(entry: registry.Entry) -> Shown:
    """The repro as a user runs it: a fresh Python that imports its framework."""
    done = subprocess.run(
        [sys.executable, "-c", entry.repro], capture_output=True, text=True, env=_env(), timeout=300
    )
    return Shown(done.returncode, done.stdout, done.stderr)


Key = tuple[str, tuple[tuple[str, str], ...]]  # (module, environment settings)


def sharing_key(entry: registry.Entry) -> Key | None:
    """(module, environment settings) of the repros that can share an import, or None for a
    repro that needs a Python of its own."""
    if "subprocess" in entry.repro:
        return None
    settings: dict[str, str] = {}
    for line in entry.repro.splitlines():
        if "os.environ" not in line:
            continue
        found = SETTING.match(line.strip())
        if found is None:
            return None
        name, default_name, value = found.group(1), found.group(2), found.group(3)
        if name is not None:
            settings[json.loads(name)] = json.loads(value)
        elif json.loads(default_name) not in os.environ:
            settings.setdefault(json.loads(default_name), json.loads(value))
    return entry.requires, tuple(sorted(settings.items()))


def stages(groups: dict[Key, list[registry.Entry]]) -> dict[Key, dict]:
    """The groups as tests/repro_forks.py's stages, by the key of the Python each starts in: a
    Keras group whose only setting is its backend runs in a child of its backend framework's
    group (that import shared), any other group in a Python of its own."""
    staged: dict[Key, dict[str, Any]] = {
        key: {"repros": {e.id: e.repro for e in entries}, "then": []}
        for key, entries in groups.items()
    }
    roots = {}
    for (module, settings), stage in staged.items():
        backend = dict(settings).get("KERAS_BACKEND") if module == "keras" else None
        base = (backend, ()) if backend and len(settings) == 1 else None
        if base in staged:
            staged[base]["then"].append({"env": dict(settings), "module": module, **stage})
        else:
            roots[(module, settings)] = stage
    return roots


def _run_shared(key: Key, stage: dict) -> dict[str, Shown]:
    """The repros of one stage and those under it, each in a child of the Python that imported
    the stage's module."""
    module, settings = key
    ran = repro_forks.run(module, stage, {**_env(), **dict(settings)})
    return {name: Shown(*shown) for name, shown in ran.items()}


def _judged(entry: registry.Entry, shared: Future) -> Shown:
    """The repro's run: the shared one where it shows the bug, else a fresh Python's."""
    found = shared.result().get(entry.id)
    if found is not None and found.returncode == 0 and entry.shows in found.stdout:
        return found
    return _run(entry)


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
    runnable = [entry for entry in selected if _why_not(entry) is None]
    groups: dict[Key, list[registry.Entry]] = {}
    for entry in runnable:
        if (key := sharing_key(entry)) is not None:
            groups.setdefault(key, []).append(entry)
    executor = ThreadPoolExecutor(max_workers=(os.cpu_count() or 1) + 1)
    shared = {
        name: future
        for key, stage in stages(groups).items()
        for future in [executor.submit(_run_shared, key, stage)]
        for name in repro_forks.ids(stage)
    }
    # the fresh runs queue before the shared ones' judging, which waits on its group's run
    alone = {e.id: executor.submit(_run, e) for e in runnable if e.id not in shared}
    try:
        yield alone | {
            e.id: executor.submit(_judged, e, shared[e.id]) for e in runnable if e.id in shared
        }
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_the_repro_shows_the_bug(entry, shown):
    if (why := _why_not(entry)) is not None:
        pytest.skip(why)
    done = shown[entry.id].result()
    assert done.returncode == 0, done.stderr[-2000:]
    assert entry.shows in done.stdout, done.stdout
