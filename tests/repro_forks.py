"""Runs scripts (registered repros, written reproduction scripts) that share a framework from
one Python that imported it once: each runs in a child forked from it, in a fresh namespace
(runpy), with its own stdout, stderr and exit status, as if it were a fresh `python -c` that
found its framework imported.

    python tests/repro_forks.py MODULE OUTDIR < {"repros": {"id": "repro source", ...},
                                                 "then": [{"env": {...}, "module": ...,
                                                           "repros": {...}, "then": [...]}]}

A stage under "then" runs in a child forked after the stage above it ran its own repros: the
child sets its environment, imports its module and runs its repros the same way (a Keras
backend's repros after the repros of the framework it runs on, whose import they share). For
each id it writes OUTDIR/<id>.out, <id>.err and <id>.rc (the exit status; -N for a child
killed by signal N, as subprocess gives it). A repro that runs past TIMEOUT seconds is killed.
Only imports happen before a fork, so a repro's first call is still the process's first call.
`run` is the tests' side: it starts this script and reads back what each repro did.
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

TIMEOUT = 300.0


def _child(script: Path, out: Path, err: Path) -> None:
    """Run the script as __main__ with fds 1 and 2 on its own files; never returns."""
    for fd, path in ((1, out), (2, err)):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(handle, fd)
        os.close(handle)
    status = 0
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            status = done.code or 0
        else:
            print(done.code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(status)


def _wait(pid: int) -> int:
    """The child's exit status as subprocess gives it; killed after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        time.sleep(0.02)


def _stage(module: str, stage: dict, outdir: Path) -> None:
    """Import the module, run each repro in a child of its own, then each stage under it."""
    importlib.import_module(module)
    for name, source in stage["repros"].items():
        script = outdir / f"{name}.py"
        script.write_text(source)
        out, err = outdir / f"{name}.out", outdir / f"{name}.err"
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(script, out, err)
        (outdir / f"{name}.rc").write_text(str(_wait(pid)))
    for below in stage.get("then", []):
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            status = 0
            try:
                os.environ.update(below["env"])
                _stage(below["module"], below, outdir)
            except BaseException:
                traceback.print_exc()
                status = 1
            os._exit(status)
        os.waitpid(pid, 0)


def ids(stage: dict) -> list[str]:
    """The ids of a stage's repros and of those under it."""
    return [*stage["repros"], *(name for below in stage.get("then", []) for name in ids(below))]


def run(
    module: str, stage: dict, env: dict[str, str], cwd: Path | None = None
) -> dict[str, tuple[int, str, str]]:
    """The tests' side: run a stage (and those under it) as this script does, in `cwd`; gives
    (exit status, stdout, stderr) by id, for each repro that ran."""
    with tempfile.TemporaryDirectory(prefix="repros-") as folder:
        subprocess.run(
            [sys.executable, __file__, module, folder],
            input=json.dumps(stage),
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=TIMEOUT * len(ids(stage)),
        )
        shown = {}
        for name in ids(stage):
            files = [Path(folder) / f"{name}.{part}" for part in ("rc", "out", "err")]
            if all(path.exists() for path in files):
                rc, out, err = (path.read_text(errors="replace") for path in files)
                shown[name] = (int(rc), out, err)
        return shown


def main() -> None:
    module, outdir = sys.argv[1], Path(sys.argv[2])
    _stage(module, json.load(sys.stdin), outdir)


if __name__ == "__main__":
    main()
