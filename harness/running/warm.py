"""Warm workers: worker processes that outlive one command, so a second `explain` finds its
frameworks already imported.

A warm worker is a detached process that imports one variant's framework and then serves one
command at a time over a Unix socket in the warm workers' directory (CONVHARNESS_WARM_DIR, or
its deprecated spelling CONVHARNESS_POOL_DIR; default $XDG_RUNTIME_DIR/convharness-warm-<env> or
/tmp/convharness-<uid>/warm-<env>, one directory per Python environment, <env> naming its
sys.prefix); it exits after `idle` seconds with no command, or when a case ran out of memory.
Its name is its key: the variant, its environment, its memory limit, the Python, the search path
outside the project (search_path), the project's source and the installed distributions,
hashed. A change to any of them gives another key, so a stale worker is never served: the
command starts a new one and stops the stale ones of that variant. A command that finds a warm
worker busy (another command holds its lock) runs a private one instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from harness.catalog.variants import Variant
from harness.errors import UsageError
from harness.running import workers
from harness.running.timeouts import TimeoutPolicy
from harness.running.workers import Worker

IDLE = 900.0  # seconds a warm worker waits for a command before it exits
FIRST_USE_IDLE = 600.0  # the same, for one that `explain` or `run` started on first use
_ROOT = Path(__file__).resolve().parent.parent.parent  # the project: harness/ and adapters/


def directory(create: bool = True) -> Path:
    """The warm workers' directory (created, private to this user, unless only looked at): one
    per Python environment, so the workers of two virtual environments never meet."""
    given = os.environ.get("CONVHARNESS_WARM_DIR") or os.environ.get("CONVHARNESS_POOL_DIR")
    environment = hashlib.sha256(sys.prefix.encode()).hexdigest()[:8]
    if given:
        path = Path(given)
    elif os.environ.get("XDG_RUNTIME_DIR"):
        path = Path(os.environ["XDG_RUNTIME_DIR"]) / f"convharness-warm-{environment}"
    else:
        path = Path(f"/tmp/convharness-{os.getuid()}") / f"warm-{environment}"
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileNotFoundError):
        owner = path.stat()
        if owner.st_uid != os.getuid() or owner.st_mode & 0o077:
            raise UsageError(
                f"the warm workers' directory {path} must be this user's alone (mode 700)"
            )
    return path


def asked_by_env() -> bool | None:
    """What CONVHARNESS_WARM (or the older CONVHARNESS_POOL) = 0 or 1 says for every command and
    the property suite; None where neither is set."""
    for name in ("CONVHARNESS_WARM", "CONVHARNESS_POOL"):
        value = os.environ.get(name, "").strip()
        if value in ("0", "1"):
            return value == "1"
        if value:
            raise UsageError(f"{name} takes 0 or 1, got {value!r}")
    return None


# ---- what a warm worker's key is made of -- -------------------------------------------------


def _hash(parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _module_file(name: str) -> str | None:
    with contextlib.suppress(ImportError, ValueError):
        spec = importlib.util.find_spec(name)
        return spec.origin if spec else None
    return None


@cache
def code_hash(extra: tuple[str, ...] = ()) -> str:
    """The project's source (harness/ and adapters/, code and data), or the files `extra`
    names (a plugin's adapter module), by content."""
    digest = hashlib.sha256()
    files = [Path(p) for p in extra] or sorted(
        path
        for folder in ("harness", "adapters")
        for path in (_ROOT / folder).rglob("*")
        if path.suffix in (".py", ".toml")
    )
    for path in files:
        with contextlib.suppress(OSError):
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _project_folder(entry: str) -> bool:
    """Whether a sys.path entry is the project or a folder of it: the current directory of
    `python -m`, pytest's test folders and the project itself, which pytest puts at the front
    as a session goes on (as it imports a test package's __init__.py). A virtual environment
    inside the project is not one; nor is a path hook's name (not a folder)."""
    if entry and not os.path.isabs(entry):
        return False
    path = Path(entry or ".").resolve()
    inside = path == _ROOT or _ROOT in path.parents
    return inside and "site-packages" not in path.parts


def _installs_into(entry: str) -> bool:
    """Whether a sys.path entry is where distributions are installed: not a folder of the
    project, whose metadata (convharness.egg-info) a command sees or not depending on where it
    was started, so two commands of one environment would each take the other's warm workers
    for stale ones."""
    return not _project_folder(entry)


def search_path() -> list[str]:
    """sys.path as it decides what a warm worker imports: the entries outside the project, in
    order and once each (a shadowing package on PYTHONPATH, the installed packages), and where
    the project's own packages are found. The project's folders themselves are left out, so
    the commands of one environment share warm workers wherever they were started from and
    however far pytest has got in changing sys.path."""
    outside = [entry for entry in dict.fromkeys(sys.path) if not _project_folder(entry)]
    return outside + [str(_module_file(top)) for top in ("harness", "adapters")]


@cache
def installed_hash() -> str:
    """The installed distributions on sys.path: their names, versions and install times."""
    found = []
    for entry in filter(_installs_into, sys.path):
        with contextlib.suppress(OSError), os.scandir(entry or ".") as listing:
            for item in listing:
                if item.name.endswith((".dist-info", ".egg-info", ".egg-link", ".pth")):
                    found.append((entry, item.name, item.stat().st_mtime_ns))
    return _hash(sorted(found))


def current_code() -> tuple[str, str]:
    """(code, installed) as a warm worker started now records them."""
    return code_hash(), installed_hash()


@dataclass(frozen=True)
class Key:
    """A warm worker's identity; `name` is its files' stem in the warm workers' directory."""

    variant: str
    code: str
    installed: str
    rest: str  # its adapter module's source, environment, memory limit, Python, search_path()

    @property
    def name(self) -> str:
        return f"{self.variant}-{_hash([self.code, self.installed, self.rest])[:12]}"


def key_of(variant: Variant, env: dict[str, str], headroom: int | None) -> Key:
    module_file = _module_file(variant.module)
    module = code_hash((module_file,)) if module_file else ""  # a plugin's, outside harness/
    rest = _hash(
        [variant.module, module, variant.requires, env, headroom, sys.executable, search_path()]
        + ([variant.python, variant.release] if variant.python else [])  # a release's env
    )
    return Key(variant.name, code_hash(), installed_hash(), rest)


def _files(name: str) -> tuple[Path, Path, Path, Path]:
    """Its socket, lock, description and log (the name kept whole: a release variant's has dots,
    jax@jax==0.8.3-<hash>, which with_suffix would cut, and two keys would share the files)."""
    base = directory()
    sock, lock, description, log = (
        f"{name}.{suffix}" for suffix in ("sock", "lock", "json", "log")
    )
    return base / sock, base / lock, base / description, base / log


# ---- the warm worker's side ------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What a warm worker is started with (on its stdin)."""

    variant: Variant
    env: dict[str, str]
    headroom: int | None
    key: Key
    idle: float
    sys_path: list[str]


def _serve(spec: Spec) -> None:
    sock_path, _, description, log_path = _files(spec.key.name)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        sock_path.unlink()
    listener.bind(str(sock_path))  # before the import: a command may connect and wait
    listener.listen(4)
    description.write_text(
        json.dumps(
            {
                "variant": spec.variant.name,
                "pid": os.getpid(),
                "code": spec.key.code,
                "installed": spec.key.installed,
                "started": time.time(),
                "idle": spec.idle,
            }
        )
    )
    try:
        apis, hello = workers.start(spec.variant, spec.env, str(log_path), spec.headroom)
        while select.select([listener], [], [], spec.idle)[0]:
            client, _ = listener.accept()
            conn = Connection(client.detach())
            try:
                conn.send((*hello, os.getpid()))
                if not workers.answer(apis, hello[0], conn):
                    break  # out of memory: start afresh
            except (EOFError, OSError):  # the command went away mid-batch
                pass
            finally:
                conn.close()
    finally:
        for path in (sock_path, description):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def main() -> None:
    """`python -m harness.running.warm`: a warm worker, its Spec pickled on stdin."""
    spec: Spec = pickle.load(sys.stdin.buffer)
    if spec.sys_path:  # none for a release variant: its environment's own, and the project
        sys.path[:] = spec.sys_path
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # leave no socket behind
    _serve(spec)


# ---- the command's side ----------------------------------------------------------------------


def _alive(pid: int) -> bool:
    """Whether `pid` is a warm worker still running (not a process that took its number)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read().split(b"\0")
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return b"harness.running.warm" in command and state != "Z"


def described() -> list[tuple[str, dict[str, Any]]]:
    """(name, description) of every warm worker alive in the warm workers' directory."""
    found = []
    for path in sorted(directory(create=False).glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            about = json.loads(path.read_text())
            if _alive(int(about["pid"])):
                found.append((path.stem, about))
    return found


def stop(name: str, pid: int, kill: bool = False) -> None:
    """Stop a warm worker (SIGKILL with `kill`: it hangs) and remove what it leaves."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
    if kill:
        sock_path, _, description, _ = _files(name)
        for path in (sock_path, description):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def stop_all(grace: float = 5.0) -> int:
    """Stop every warm worker; one still there after `grace` seconds (inside a framework
    call that does not return) is killed. Gives how many there were."""
    running = described()
    for name, about in running:
        stop(name, int(about["pid"]))
    deadline = time.monotonic() + grace
    while (left := described()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for name, about in left:
        stop(name, int(about["pid"]), kill=True)
    return len(running)


def stop_stale(variant: str, key: Key) -> None:
    """Stop the variant's warm workers started on other code or other installed versions."""
    for name, about in described():
        stale = (about.get("code"), about.get("installed")) != (key.code, key.installed)
        if about.get("variant") == variant and stale:
            stop(name, int(about["pid"]))


def _launch(spec: Spec) -> subprocess.Popen:
    _, _, _, log_path = _files(spec.key.name)
    log_path.write_text("")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    python = spec.variant.python or sys.executable
    if spec.variant.python:  # a release variant: its environment's interpreter
        from harness.releases.interpreter import child_env

        env = child_env(python, spec.variant.module)
        # its interpreter's prefix is another one: it must still find this directory
        env["CONVHARNESS_WARM_DIR"] = str(log_path.parent)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [python, "-m", "harness.running.warm"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=log,
            env=env,
            start_new_session=True,
            cwd="/",
        )
    assert process.stdin is not None
    process.stdin.write(pickle.dumps(spec))
    process.stdin.close()
    return process


def _connect(path: Path, process: subprocess.Popen | None, wait: float) -> Connection | None:
    """A connection to the socket, waiting up to `wait` seconds for a starting worker."""
    deadline = time.monotonic() + wait
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(str(path))
            return Connection(client.detach())
        except OSError:
            client.close()
        if process is None or process.poll() is not None or time.monotonic() > deadline:
            return None
        time.sleep(0.05)


class WarmWorker(Worker):
    """A Worker whose process is a warm one: connected to at spawn (started if need be),
    released at stop, killed and replaced on a hang or a death like a private one. When
    the warm worker is busy with another command, it is a private Worker."""

    def __init__(
        self,
        variant: Variant,
        env: dict[str, str] | None = None,
        timeouts: TimeoutPolicy | None = None,
        headroom: int | None = None,
        idle: float = IDLE,
    ) -> None:
        super().__init__(variant, env, timeouts, headroom)
        self.key = key_of(variant, self.env, headroom)
        self.idle = idle
        self.private = False  # the warm one was busy: this one is the command's own
        self.pid: int | None = None
        self._lock: int | None = None
        self._launched = False  # whether this command started the warm worker it is on
        self._own_log = self.log_path  # a private worker's; the warm one has its own

    def spawn(self) -> None:
        sock_path, lock_path, _, log_path = _files(self.key.name)
        self._lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another command is using it
            os.close(self._lock)
            self._lock, self.private = None, True
            self.log_path = self._own_log
            super().spawn()
            return
        self.private = False
        self.log_path = str(log_path)
        self._spawned = time.monotonic()
        self.conn = _connect(sock_path, None, 0)
        self._launched = self.conn is None
        if self._launched:
            self._launch()

    def _launch(self) -> None:
        """Start a warm worker for this key (stopping stale ones) and connect to it."""
        stop_stale(self.variant.name, self.key)
        spec = Spec(
            self.variant,
            self.env,
            self.headroom,
            self.key,
            self.idle,
            [] if self.variant.python else sys.path,
        )
        process = _launch(spec)
        self.conn = _connect(_files(self.key.name)[0], process, self.start_limit)
        if self.conn is None:
            self._release()
            raise RuntimeError(f"warm worker {self.variant.name} did not start: {self._log_tail()}")

    def ready(self) -> None:
        if self.private:
            return super().ready()
        try:
            hello = self._hello()
        except EOFError:
            if self._launched:
                raise RuntimeError(
                    f"warm worker {self.variant.name} died starting: {self._log_tail()}"
                ) from None
            # the one connected to was dying (its socket outlived its last case): a new one
            assert self.conn is not None
            self.conn.close()
            self._launched = True
            self._launch()
            return self.ready()
        self.infos, self.absence, self.skipped, self.pid = hello
        self.startup_seconds = max(self.startup_seconds, time.monotonic() - self._spawned)

    def _hello(self) -> tuple:
        assert self.conn is not None
        if not self.conn.poll(self.start_limit):
            raise RuntimeError(f"warm worker {self.variant.name} did not start")
        try:
            return self.conn.recv()
        except OSError:
            raise EOFError from None

    def stop(self, grace: float = 2.0) -> None:
        if self.private:
            return super().stop(grace)
        if self.conn is not None:
            self.ask_to_stop()
            self.conn.close()
            self.conn = None
        self._release()

    def close(self, grace: float = 2.0) -> None:
        self.stop(grace)
        with contextlib.suppress(OSError):
            os.unlink(self._own_log)

    def _kill(self) -> None:
        if self.private:
            return super()._kill()
        if self.pid is not None:
            stop(self.key.name, self.pid, kill=True)

    def _death(self) -> str:
        if self.private:
            return super()._death()
        return f"died (warm, pid {self.pid})"

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # and with it the lock
            self._lock = None


def start(
    chosen: list[Variant], env: dict[str, str], headroom: int | None, idle: float = IDLE
) -> list[WarmWorker]:
    """Start (or find) a warm worker per variant, each ready; give them back released."""
    started = [WarmWorker(variant, env, None, headroom, idle) for variant in chosen]
    try:
        for worker in started:
            worker.spawn()
        for worker in started:
            worker.ready()
    finally:
        for worker in started:
            worker.close()
    return started


if __name__ == "__main__":
    main()
