"""A worker under another environment's interpreter (a release variant's), without the project
installed there.

multiprocessing's spawn hands the child the parent's sys.path, which would import the parent's
frameworks; so a release variant's worker is a plain subprocess of the environment's Python,
with a folder of links to the project's own packages (harness, adapters, a plugin's package)
on its PYTHONPATH, and one end of a socket pair as its Connection. ForeignProcess offers the
parent the handful of multiprocessing.Process calls that workers.Worker makes.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import socket
import subprocess
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from harness.releases import environments

_PROJECT = Path(__file__).resolve().parent.parent.parent  # harness/ and adapters/ live here
BOOT = "import sys; from harness.releases.child import child_main; child_main(int(sys.argv[1]))"


def _package_dir(top: str) -> Path | None:
    """Where a top-level package (or module) of this process's environment lives."""
    if (_PROJECT / top).is_dir():
        return _PROJECT / top
    with contextlib.suppress(ImportError, ValueError):
        spec = importlib.util.find_spec(top)
        if spec and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations)))
        if spec and spec.origin:
            return Path(spec.origin)
    return None


def project_path(module: str) -> Path:
    """A folder holding links to harness, adapters and `module`'s top-level package, and
    nothing else of this environment (kept under the environments' root, made once)."""
    tops = sorted({"harness", "adapters", module.split(".")[0]})
    targets = {top: found for top in tops if (found := _package_dir(top)) is not None}
    digest = hashlib.sha256(repr(sorted(targets.items())).encode()).hexdigest()[:12]
    folder = environments.root() / ".project" / digest
    if not folder.is_dir():
        partial = folder.with_name(f"{digest}.{os.getpid()}")
        partial.mkdir(parents=True, exist_ok=True)
        for target in targets.values():
            (partial / target.name).symlink_to(target)
        try:
            os.rename(partial, folder)
        except OSError:  # made by another process meanwhile
            for link in partial.iterdir():
                link.unlink()
            partial.rmdir()
    return folder


def child_env(python: str, module: str) -> dict[str, str]:
    """The worker's environment: this one, less this process's virtual environment, with the
    project's packages on the path and its bytecode kept in its release environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONPATH"] = str(project_path(module))
    return environments.process_env(python, env)


class ForeignProcess:
    """A worker process of another interpreter, as workers.Worker drives it."""

    def __init__(self, python: str, module: str, log_path: str) -> None:
        self.python = python
        self.module = module
        self.log_path = log_path
        self._popen: subprocess.Popen | None = None

    def start(self, arguments: tuple[Any, ...]) -> Connection:
        """Start it and hand it `arguments` (workers.serve's, less the connection)."""
        parent, child = socket.socketpair()
        with open(self.log_path, "ab") as log:
            self._popen = subprocess.Popen(
                [self.python, "-c", BOOT, str(child.fileno())],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=child_env(self.python, self.module),
                cwd="/",
            )
        child.close()
        conn = Connection(parent.detach())
        conn.send(arguments)
        return conn

    def join(self, timeout: float | None = None) -> None:
        if self._popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout)

    def is_alive(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def kill(self) -> None:
        if self._popen is not None:
            with contextlib.suppress(ProcessLookupError):
                self._popen.kill()

    @property
    def exitcode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()
