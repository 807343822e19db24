"""Isolated Python environments, one per release set (e.g. `jax==0.8.3 jaxlib==0.8.3`).

An environment is built by uv where it is found (the `releases` extra installs it), else by
`python -m venv` and this Python's pip; either way with no pip inside and no bytecode ahead: its
processes write the bytecode of what they import under it (process_env). The requested set plus
the harness's own light dependencies (numpy, hypothesis, rich, as the project declares them,
unpinned) goes to the resolver first: what it picks (an older numpy for an older framework, say)
is the environment's resolved set, and the environment's key is a hash of that set and the
Python it runs on. Two requests that resolve alike share one environment. Environments live
under the user cache (CONVHARNESS_ENVS, default ~/.cache/convharness/envs/<key>), with uv's
package cache beside them (hard links, not copies), and are reused across runs; `convharness
envs prune` removes them.

The harness itself is not installed there: a worker runs under the environment's interpreter
with a folder of links to the project's packages on its path (interpreter.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from harness.errors import UsageError

# what a requirement may be: a name, extras, and version clauses (no URLs, no markers)
_REQUIREMENT = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?"
    r"((==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]+(,(==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]+)*)?$"
)
LIGHT = ("numpy>=1.24", "hypothesis>=6.100", "rich>=13")  # when the metadata is not there
INFO = "environment.json"
USED = "last-used"
BYTECODE = ".pycache"  # the bytecode of what an environment's processes import


def root() -> Path:
    """Where environments live: CONVHARNESS_ENVS, else the user cache."""
    given = os.environ.get("CONVHARNESS_ENVS")
    if given:
        return Path(given)
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "convharness" / "envs"


def normalize(name: str) -> str:
    """A distribution name as the package index compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_set(requirements: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """A release set: its requirements checked and sorted; a malformed one is a usage error."""
    cleaned = sorted({r.strip().replace(" ", "") for r in requirements if r.strip()})
    bad = [r for r in cleaned if not _REQUIREMENT.match(r)]
    if bad or not cleaned:
        raise UsageError(
            f"not a requirement: {', '.join(bad) or '(none)'} (e.g. jax==0.8.3 jaxlib==0.8.3)"
        )
    return tuple(cleaned)


def light_dependencies() -> tuple[str, ...]:
    """The harness's own dependencies (not its extras), as the project declares them."""
    with contextlib.suppress(metadata.PackageNotFoundError):
        found = [r for r in metadata.requires("convharness") or () if "extra ==" not in r]
        if found:
            return tuple(r.split(";")[0].replace(" ", "") for r in found)
    return LIGHT


@dataclass
class Environment:
    """One built environment: its key, the sets that asked for it and what was resolved."""

    key: str
    path: Path
    requested: list[list[str]]
    resolved: dict[str, str]  # normalized distribution name -> version
    python: str
    tool: str  # "uv X.Y.Z" or "pip"
    build_seconds: float = 0.0
    created: float = field(default_factory=time.time)

    @property
    def interpreter(self) -> Path:
        return self.path / "bin" / "python"

    def version_of(self, distribution: str) -> str | None:
        return self.resolved.get(normalize(distribution))

    def last_used(self) -> float:
        with contextlib.suppress(OSError):
            return (self.path / USED).stat().st_mtime
        return self.created

    def touch(self) -> None:
        with contextlib.suppress(OSError):
            (self.path / USED).touch()

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "requested": self.requested,
            "resolved": self.resolved,
            "python": self.python,
            "tool": self.tool,
            "build_seconds": self.build_seconds,
            "created": self.created,
        }

    @classmethod
    def read(cls, path: Path) -> Environment | None:
        """The environment at `path`, or None where it is not a whole one."""
        try:
            data = json.loads((path / INFO).read_text())
            return cls(
                key=data["key"],
                path=path,
                requested=[list(r) for r in data["requested"]],
                resolved=dict(data["resolved"]),
                python=data["python"],
                tool=data["tool"],
                build_seconds=float(data.get("build_seconds", 0.0)),
                created=float(data.get("created", 0.0)),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self) -> None:
        (self.path / INFO).write_text(json.dumps(self.to_json(), indent=1) + "\n")


def every(base: Path | None = None) -> list[Environment]:
    """Every whole environment under the root, oldest first."""
    base = base or root()
    if not base.is_dir():
        return []
    found = [e for p in sorted(base.iterdir()) if p.is_dir() and (e := Environment.read(p))]
    return sorted(found, key=lambda e: e.created)


def find(requested: tuple[str, ...], base: Path | None = None) -> Environment | None:
    """The environment already built for this set, without asking the resolver."""
    for environment in every(base):
        if list(requested) in environment.requested:
            return environment
    return None


def process_env(interpreter: str | Path, env: dict[str, str]) -> dict[str, str]:
    """`env` for a process of `interpreter`. Where that is a release environment's, the
    process writes, and reads, its bytecode under the environment (BYTECODE, by
    PYTHONPYCACHEPREFIX), whatever PYTHONDONTWRITEBYTECODE says: the environment is the
    harness's own, uv installs no bytecode, and without it every worker and repro of a release
    would compile its framework's source again (keras 3.13.2 with JAX imported in 4.8 core-s
    without bytecode, 2.8 with). Any other interpreter's `env` is left as it is."""
    home = Path(interpreter).parent.parent
    if not (home / INFO).is_file():
        return env
    kept = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "PYTHONPYCACHEPREFIX": str(home / BYTECODE)}


# ---- the tools ----------------------------------------------------------------------------


def uv_binary() -> str | None:
    """uv's executable: the `uv` package's, or one on PATH; None without it, or with
    CONVHARNESS_NO_UV=1 (pip then builds)."""
    if os.environ.get("CONVHARNESS_NO_UV") == "1":
        return None
    with contextlib.suppress(ImportError, FileNotFoundError):
        from uv import find_uv_bin  # type: ignore[import-not-found]

        return str(find_uv_bin())
    return shutil.which("uv")


def _tool_env(base: Path) -> dict[str, str]:
    """The tools' environment: uv's cache beside the environments (so it hard-links), and
    nothing of this process's own virtual environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.setdefault("UV_CACHE_DIR", str(base / ".uv-cache"))
    env.setdefault("UV_LINK_MODE", "hardlink")
    return env


def _call(command: list[str], env: dict[str, str], what: str, stdin: str = "") -> str:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise UsageError(f"{what} failed: {' '.join(lines[-3:])[:400] or done.returncode}")
    return done.stdout


def _python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"


def resolve(requested: tuple[str, ...], base: Path | None = None) -> dict[str, str]:
    """What the resolver picks for the set plus the harness's light dependencies, for this
    Python: normalized name -> version."""
    base = base or root()
    wanted = "\n".join((*requested, *light_dependencies())) + "\n"
    env = _tool_env(base)
    uv = uv_binary()
    if uv:
        text = _call(
            [uv, "pip", "compile", "-", "--python", sys.executable, "--quiet", "--no-header"]
            + ["--no-annotate", "--prerelease", "if-necessary-or-explicit"],
            env,
            f"resolving {' '.join(requested)}",
            wanted,
        )
        pins = [line.split("==", 1) for line in text.splitlines() if "==" in line]
        return {normalize(name.strip()): version.strip() for name, version in pins}
    with tempfile.NamedTemporaryFile("w+", suffix=".json") as report:
        _call(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"]
            + ["--quiet", "--report", report.name, *wanted.split()],
            env,
            f"resolving {' '.join(requested)}",
        )
        data = json.loads(Path(report.name).read_text())
    return {
        normalize(item["metadata"]["name"]): item["metadata"]["version"]
        for item in data.get("install", [])
    }


def key_of(resolved: dict[str, str]) -> str:
    """An environment's key: its Python and its resolved set, hashed."""
    text = "\n".join([_python(), *(f"{n}=={v}" for n, v in sorted(resolved.items()))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _install(path: Path, resolved: dict[str, str], env: dict[str, str]) -> str:
    """Make the virtual environment at `path` and install exactly the resolved set."""
    lock = "\n".join(f"{n}=={v}" for n, v in sorted(resolved.items())) + "\n"
    uv = uv_binary()
    if uv:
        _call([uv, "venv", "--quiet", "--python", sys.executable, str(path)], env, "uv venv")
        _call(
            [uv, "pip", "install", "--quiet", "--no-deps", "--python", str(path / "bin/python")]
            + ["-r", "-"],
            env,
            f"installing into {path.name}",
            lock,
        )
        return _call([uv, "--version"], env, "uv --version").strip()
    # as uv builds one: no pip inside, no bytecode ahead (process_env keeps what is imported);
    # this Python's pip installs into it (--python), in half the time of a pip of its own
    _call([sys.executable, "-m", "venv", "--without-pip", str(path)], env, "python -m venv")
    _call(
        [sys.executable, "-m", "pip", "--python", str(path / "bin/python"), "install"]
        + ["--quiet", "--no-deps", "--no-compile", "--disable-pip-version-check", *lock.split()],
        env,
        f"installing into {path.name}",
    )
    return "pip"


@contextlib.contextmanager
def _locked(base: Path) -> Iterator[None]:
    """One builder at a time under the root (a second waits)."""
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure(requirements: list[str] | tuple[str, ...], base: Path | None = None) -> Environment:
    """The environment for a release set: found, or resolved and built (and kept)."""
    requested = requirement_set(requirements)
    base = base or root()
    found = find(requested, base)
    if found is not None:
        found.touch()
        return found
    with _locked(base):
        found = find(requested, base)  # built by another process meanwhile
        if found is not None:
            return found
        resolved = resolve(requested, base)
        key = key_of(resolved)
        path = base / key
        existing = Environment.read(path)
        if existing is not None:  # another request resolved to the same set
            existing.requested.append(list(requested))
            existing.save()
            existing.touch()
            return existing
        partial = base / f"{key}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        started = time.perf_counter()
        try:
            tool = _install(partial, resolved, _tool_env(base))
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        built = Environment(
            key, path, [list(requested)], resolved, _python(), tool, time.perf_counter() - started
        )
        built.path = partial
        built.save()
        os.replace(partial, path)
        built.path = path
        built.touch()
        return built


def size_of(path: Path, seen: set[tuple[int, int]] | None = None) -> int:
    """Bytes of the files under `path`, each inode counted once (uv hard-links its cache):
    pass one `seen` to several calls to count a file they share once in all."""
    seen = set() if seen is None else seen
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                stat = os.lstat(os.path.join(folder, name))
                if (stat.st_dev, stat.st_ino) not in seen:
                    seen.add((stat.st_dev, stat.st_ino))
                    total += stat.st_blocks * 512
    return total


def prune(
    keys: list[str] | None = None, unused_days: float | None = None, base: Path | None = None
) -> list[Environment]:
    """Remove the named environments, or those unused for `unused_days`; give them."""
    base = base or root()
    with _locked(base):
        chosen = every(base)
        if keys:
            unknown = sorted(set(keys) - {e.key for e in chosen})
            if unknown:
                raise UsageError(f"no environment {', '.join(unknown)} under {base}")
            chosen = [e for e in chosen if e.key in keys]
        if unused_days is not None:
            cutoff = time.time() - unused_days * 86400
            chosen = [e for e in chosen if e.last_used() < cutoff]
        for environment in chosen:
            shutil.rmtree(environment.path)
        for partial in base.glob("*.partial"):  # a build that was killed
            shutil.rmtree(partial, ignore_errors=True)
    return chosen
