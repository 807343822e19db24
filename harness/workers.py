"""Worker processes: each adapter module runs in its own spawned, long-lived process.

The main process never imports a framework. A worker that dies or stops
answering costs only the case it was running: that case is recorded as
crashed and the worker is started again.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import re
import tempfile
from collections.abc import Iterable
from multiprocessing.connection import Connection

import numpy as np

from .adapter_api import NotExpressible
from .case import Case
from .outcome import AdapterInfo, Outcome

QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "GRPC_VERBOSITY": "ERROR"}
CASE_TIMEOUT = 300.0  # seconds; generous, a first JAX compile on a busy 2-core machine is slow
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def one_line(text: str, limit: int = 500) -> str:
    """An error text as one line: ANSI colours dropped, whitespace collapsed, length capped."""
    text = " ".join(_ANSI.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(module) -> tuple[list[AdapterInfo], str | None]:
    try:
        importlib.import_module(module.REQUIRES)
        version, devices = str(module.version()), [str(d) for d in module.devices()]
    except ImportError as error:
        reason = f"{module.REQUIRES} is not installed ({one_line(str(error), 200)})"
        infos = [
            AdapterInfo(api.adapter, module.FRAMEWORK, "", api.api, "cpu") for api in module.APIS
        ]
        return infos, reason
    infos = [
        AdapterInfo(api.adapter, module.FRAMEWORK, version, api.api, device)
        for api in module.APIS
        for device in devices
    ]
    return infos, None


def _run_one(api, info: AdapterInfo, case: Case, x, w, b) -> Outcome:
    try:
        y = api.run(case, x, w, b, info.device)
    except NotExpressible as error:
        return Outcome(info, "not_expressible", message=str(error))
    except Exception as error:  # a framework's refusal, whatever its class
        return Outcome(
            info, "rejected", error_type=type(error).__name__, message=one_line(str(error))
        )
    return Outcome(info, "ok", output=np.asarray(y, np.float64))


def serve(module_name: str, env: dict[str, str], log_path: str, conn: Connection) -> None:
    """The worker's loop: answer each (case, x, w, b) with one Outcome per API and device."""
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 2)
    os.environ.update(env)
    module = importlib.import_module(module_name)
    infos, skipped = _describe(module)
    conn.send((infos, skipped))
    apis = {api.adapter: api for api in module.APIS}
    while True:
        request = conn.recv()
        if request is None:
            return
        case, x, w, b = request
        conn.send([_run_one(apis[info.adapter], info, case, x, w, b) for info in infos])


class Worker:
    """The parent's handle on one worker process."""

    def __init__(
        self, module_name: str, env: dict[str, str] | None = None, timeout: float = CASE_TIMEOUT
    ) -> None:
        self.module_name = module_name
        self.env = {**QUIET_ENV, **(env or {})}
        self.timeout = timeout
        self.infos: list[AdapterInfo] = []
        self.skipped: str | None = None
        self.restarts = 0
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        fd, self.log_path = tempfile.mkstemp(prefix="convharness-worker-", suffix=".log")
        os.close(fd)

    def spawn(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(
            target=serve, args=(self.module_name, self.env, self.log_path, child), daemon=True
        )
        self._process.start()
        child.close()
        self._conn = parent

    def ready(self) -> None:
        """Wait for the worker to import its framework and say what it can run."""
        assert self._conn is not None
        if not self._conn.poll(self.timeout):
            raise RuntimeError(f"worker {self.module_name} did not start: {self._log_tail()}")
        try:
            self.infos, self.skipped = self._conn.recv()
        except EOFError:
            raise RuntimeError(
                f"worker {self.module_name} died starting: {self._log_tail()}"
            ) from None

    def submit(self, case: Case, x, w, b) -> None:
        assert self._conn is not None
        if self.skipped is None:
            try:
                self._conn.send((case, x, w, b))
            except (BrokenPipeError, OSError):  # it died after its last answer
                self.restart()
                self._conn.send((case, x, w, b))

    def collect(self) -> list[Outcome]:
        if self.skipped is not None:
            return [Outcome(info, "skipped", message=self.skipped) for info in self.infos]
        assert self._conn is not None and self._process is not None
        if self._conn.poll(self.timeout):
            try:
                return self._conn.recv()
            except EOFError:
                pass
            self._process.join(5)
            code = self._process.exitcode
            reason = f"worker died (exit code {code}): {self._log_tail()}"
        else:
            reason = f"no answer within {self.timeout:.0f} s"
        outcomes = [Outcome(info, "crashed", message=reason) for info in self.infos]
        self.restart()
        return outcomes

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.spawn()
        self.ready()

    def stop(self) -> None:
        if self._process is None or self._conn is None:
            return
        with contextlib.suppress(OSError, BrokenPipeError):
            self._conn.send(None)
        self._process.join(2)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()
        self._process = None

    def _log_tail(self, limit: int = 300) -> str:
        with open(self.log_path, errors="replace") as log:
            return one_line(log.read()[-limit:]) or "(no output)"


class Pool:
    """One worker per adapter module, run side by side on each case."""

    def __init__(
        self,
        modules: Iterable[str],
        env: dict[str, str] | None = None,
        timeout: float = CASE_TIMEOUT,
    ) -> None:
        self.workers = [Worker(name, env, timeout) for name in modules]

    def __enter__(self) -> Pool:
        for worker in self.workers:
            worker.spawn()
        for worker in self.workers:
            worker.ready()
        return self

    def __exit__(self, *exc) -> None:
        for worker in self.workers:
            worker.stop()
            with contextlib.suppress(OSError):
                os.unlink(worker.log_path)

    @property
    def infos(self) -> list[AdapterInfo]:
        return [info for worker in self.workers for info in worker.infos]

    def run(self, case: Case, x, w, b) -> list[Outcome]:
        for worker in self.workers:
            worker.submit(case, x, w, b)
        return [outcome for worker in self.workers for outcome in worker.collect()]
