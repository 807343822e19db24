"""Test-wide settings: the commands the tests run, in this process or as subprocesses, share
the session's warm workers (CONVHARNESS_WARM=1, in a directory of the session's own named by
CONVHARNESS_WARM_DIR; under pytest-xdist, the controller's, which every xdist worker shares), so
each framework is imported once a session rather than once a command or once an xdist worker.
The properties run on them too (the plugin reads CONVHARNESS_WARM) and let go of them once the
last one ran, so a command after them finds their frameworks imported. JAX's compile cache is
the session's own as well (CONVHARNESS_CACHE_DIR, in that directory), shared by the properties
and the commands. The session that made the directory stops the warm workers and removes it
when it ends; no test finds a developer's warm workers or compile cache, or leaves any behind.
The tests of a command's own workers (their start, crashes and hangs) say CONVHARNESS_WARM=0
where they mean it, and the tests of warm workers use directories of their own.

The order of the work (pyproject.toml's addopts keep it: --no-loadscope-reorder): the
properties first, on one xdist worker, whose framework workers keep both cores busy; beside them,
on the other, the tests marked `waits` (a hang, a sleep, a timeout to run out, on purpose), as
one xdist group, then the registry's repros; then the rest in file order. Run side by side, or
last, the waiting tests left both cores idle for half a minute."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

SHARED = "CONVHARNESS_TESTS_WARM_DIR"  # the controller's directory, which its xdist workers share
_SESSION_SETTINGS = (
    "CONVHARNESS_WARM",
    "CONVHARNESS_WARM_DIR",
    "CONVHARNESS_POOL_DIR",
    "CONVHARNESS_CACHE_DIR",
    SHARED,
)


def pytest_configure(config: pytest.Config) -> None:
    # an xdist worker inherits its controller's environment, set here before it started them
    shared = os.environ.get(SHARED) if hasattr(config, "workerinput") else None
    # a short path: a Unix socket's name is at most 107 bytes
    directory = shared or tempfile.mkdtemp(prefix="chw-")
    config.stash[_DIRECTORY] = (
        directory,
        {name: os.environ.get(name) for name in _SESSION_SETTINGS},
        shared is None,
    )
    os.environ.pop("CONVHARNESS_POOL_DIR", None)
    os.environ["CONVHARNESS_WARM"] = "1"
    os.environ["CONVHARNESS_WARM_DIR"] = directory
    os.environ["CONVHARNESS_CACHE_DIR"] = os.path.join(directory, "cache")  # JAX's compile cache
    os.environ[SHARED] = directory


FIRST = ("convharness-frameworks", "waits", "registry-repros")  # the groups that start the run


def _group(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("xdist_group")
    return str(marker.args[0]) if marker and marker.args else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("waits") and _group(item) is None:
            item.add_marker(pytest.mark.xdist_group("waits"))
    rank = {group: place for place, group in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(_group(item) or "", len(FIRST)))  # stable


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the session's warm workers (where this session made their directory) and give the
    settings back as they were."""
    from harness.running import warm

    directory, before, owner = config.stash[_DIRECTORY]
    if owner:
        os.environ["CONVHARNESS_WARM_DIR"] = directory
        warm.stop_all()
        shutil.rmtree(directory, ignore_errors=True)
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


_DIRECTORY = pytest.StashKey[tuple[str, dict[str, str | None], bool]]()
