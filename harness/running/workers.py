"""Worker processes: each adapter variant runs in its own spawned, long-lived process.

The main process never imports a framework. A worker is fed batches of cases and
answers case by case, so a worker that dies (segfault, abort, out of memory) or
stops answering costs only the case it was on: that case is recorded as crashed
or timed out, the worker is started again, and the rest of its batch is re-sent.

A worker runs under a hard memory limit (memory.py): an allocation past it fails inside the
worker, whatever the framework; the case is recorded as crashed ("out of memory") and the
worker starts again. How long a case may take is each variant's own (timeouts.py).

A worker whose framework it cannot run says why (Absence): not installed (its module is not
found), needing another framework that is not installed (a Keras backend), or installed but
failing to import; it then answers every case as skipped, and the parent decides whether that
is an error (Runner.check).
"""

from __future__ import annotations

import contextlib
import enum
import importlib
import importlib.util
import multiprocessing
import os
import re
import signal
import tempfile
import time
from collections import deque
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from harness.adapter_api import NotExpressible
from harness.case import Case
from harness.catalog.variants import Variant
from harness.model import inputs
from harness.model.outcome import AdapterInfo, Outcome, Status
from harness.releases.drift import older_api
from harness.running import memory
from harness.running.timeouts import TimeoutPolicy

QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "GRPC_VERBOSITY": "ERROR"}
OUT_OF_MEMORY = "out of memory"  # how a crashed case's message begins when an allocation failed
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def one_line(text: str, limit: int = 500) -> str:
    """An error text as one line: ANSI colours dropped, whitespace collapsed, length capped."""
    text = " ".join(_ANSI.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Absence(enum.Enum):
    """Why a variant's worker runs nothing."""

    NOT_INSTALLED = "not installed"  # its framework's module is not found
    NEEDS_ANOTHER = "needs another framework"  # one of the variant's `requires` is not found
    IMPORT_FAILED = "installed but fails to import"  # found, but importing or starting it raised


# ---- the worker's side -------------------------------------------------------------------


def _installed(name: str) -> bool:
    """Whether a module is found here, without importing it (a shadowing directory counts)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a dotted name whose parent is not found
        return False


def _absent(module, variant: Variant) -> tuple[Absence, str] | None:
    if not _installed(module.REQUIRES):
        return Absence.NOT_INSTALLED, f"{module.REQUIRES} is not installed"
    missing = [name for name in variant.requires if not _installed(name)]
    if missing:
        return Absence.NEEDS_ANOTHER, f"needs {', '.join(missing)}, which is not installed"
    return None


def _describe(module, variant: Variant) -> tuple[list[AdapterInfo], Absence | None, str | None]:
    def info(api, version: str, device: str) -> AdapterInfo:
        return AdapterInfo(
            variant.adapter_name(api.adapter),
            module.FRAMEWORK,
            version,
            api.name,
            device,
            variant.name,
            tuple(api.apis.items()),
            variant.release,
        )

    absent = _absent(module, variant)
    if absent is None:
        try:
            importlib.import_module(module.REQUIRES)
            # str(): a framework's own version type would make the parent import the framework
            version, devices = str(module.version()), [str(d) for d in module.devices()]
        except Exception as error:  # found, but broken: whatever it raises
            absent = (
                Absence.IMPORT_FAILED,
                f"{module.REQUIRES} is {Absence.IMPORT_FAILED.value}: "
                f"{type(error).__name__}: {one_line(str(error), 200)}",
            )
    if absent is not None:
        return [info(api, "", "cpu") for api in module.APIS], *absent
    return [info(api, version, device) for api in module.APIS for device in devices], None, None


def _run_one(api, info: AdapterInfo, case: Case, x, w, b) -> Outcome:
    started = time.perf_counter()
    try:
        y = api.run(case, x, w, b, info.device)
    except NotExpressible as error:
        return Outcome(info, "not_expressible", message=str(error))
    except Exception as error:  # a framework's refusal, whatever its class
        if info.release and (missing := older_api(error, info)):  # an API this release lacks
            return Outcome(info, "not_expressible", message=missing)
        if memory.is_out_of_memory(error):  # past the worker's limit: not the framework's answer
            text = one_line(f"{type(error).__name__}: {error}")
            return Outcome(info, Status.CRASHED, message=f"{OUT_OF_MEMORY}: {text}")
        return Outcome(
            info,
            "rejected",
            error_type=type(error).__name__,
            message=one_line(str(error)),
            seconds=time.perf_counter() - started,
        )
    return Outcome(
        info, "ok", output=np.asarray(y, np.float64), seconds=time.perf_counter() - started
    )


PROCESS_PREFIX = "ch:"  # a worker's process name: ps, top and the benchmarks tell them apart


def name_this_process(variant: str) -> None:
    """Name the process after its variant (Linux: 15 bytes of /proc/self/comm), or leave it."""
    with contextlib.suppress(OSError):
        with open("/proc/self/comm", "w") as comm:
            comm.write((PROCESS_PREFIX + variant)[:15])


def start(variant: Variant, env: dict[str, str], log_path: str, headroom: int | None):
    """A worker's start: stdout and stderr to its log, its environment, its framework imported,
    its memory limited. Gives (the adapters by name, what it says of itself to the parent)."""
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 1)  # what a framework prints (MKL's errors, crash dumps) is not the command's
    os.dup2(log, 2)
    name_this_process(variant.name)
    os.environ.update(env)
    module = importlib.import_module(variant.module)
    described = _describe(module, variant)
    if headroom is not None:
        memory.limit_this_process(headroom)
    return {variant.adapter_name(api.adapter): api for api in module.APIS}, described


def answer(apis: dict[str, Any], infos: list[AdapterInfo], conn: Connection) -> bool:
    """Answer each case of each batch until told to stop (True) or until a case ran out of
    memory (False: the worker must start again, so nothing of that case stays behind)."""
    while (batch := conn.recv()) is not None:
        for index, case in batch:
            x, w, b = inputs.arrays(case)
            serving = [s for i in infos if (s := i.serving(case.op))]
            outcomes = [_run_one(apis[i.adapter], i, case, x, w, b) for i in serving]
            conn.send((index, outcomes))
            if any(o.status == Status.CRASHED for o in outcomes):
                return False
    return True


def serve(
    variant: Variant, env: dict[str, str], log_path: str, conn: Connection, headroom: int | None
) -> None:
    """The worker's loop: answer each case of each batch with one Outcome per API and device."""
    apis, described = start(variant, env, log_path, headroom)
    conn.send(described)
    answer(apis, described[0], conn)


# ---- the parent's side -------------------------------------------------------------------


def _death_of(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with code {exitcode}"


class Worker:
    """The parent's handle on one variant's worker process."""

    def __init__(
        self,
        variant: Variant,
        env: dict[str, str] | None = None,
        timeouts: TimeoutPolicy | None = None,
        headroom: int | None = None,
    ) -> None:
        self.variant = variant
        self.env = {**QUIET_ENV, **(env or {}), **variant.env}
        self.timer = (timeouts or TimeoutPolicy()).timer()
        self.headroom = headroom  # bytes it may grow past its size after import
        self.infos: list[AdapterInfo] = []
        self.absence: Absence | None = None  # why it runs nothing, if it does not
        self.skipped: str | None = None  # and that reason in words
        self.restarts = 0
        self.startup_seconds = 0.0  # the longest start (spawn to ready) seen
        self.starting = False  # started again, and not yet ready
        self._spawned = 0.0
        self.pending: deque[tuple[int, Case]] = deque()
        self.last_progress = 0.0
        self._process: Any = None
        self.conn: Connection | None = None
        fd, self.log_path = tempfile.mkstemp(prefix=f"convharness-{variant.name}-", suffix=".log")
        os.close(fd)

    # lifecycle

    def spawn(self) -> None:
        self._spawned = time.monotonic()
        if self.variant.python:  # a release variant: its environment's interpreter
            from harness.releases.interpreter import ForeignProcess

            self._process = ForeignProcess(self.variant.python, self.variant.module, self.log_path)
            self.conn = self._process.start((self.variant, self.env, self.log_path, self.headroom))
            return
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(
            target=serve,
            args=(self.variant, self.env, self.log_path, child, self.headroom),
            daemon=True,
        )
        self._process.start()
        child.close()
        self.conn = parent

    def ready(self) -> None:
        """Wait for the worker to import its framework and say what it can run."""
        assert self.conn is not None
        if not self.conn.poll(self.start_limit):
            raise RuntimeError(f"worker {self.variant.name} did not start: {self._log_tail()}")
        try:
            self.infos, self.absence, self.skipped = self.conn.recv()
        except EOFError:
            raise RuntimeError(
                f"worker {self.variant.name} died starting: {self._log_tail()}"
            ) from None
        self.startup_seconds = max(self.startup_seconds, time.monotonic() - self._spawned)

    def ask_to_stop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.send(None)

    def stop(self, grace: float = 2.0) -> None:
        """Ask the worker to exit; kill it if it has not within `grace` seconds."""
        if self._process is None or self.conn is None:
            return
        self.ask_to_stop()
        self._process.join(grace)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self.conn.close()
        self._process = None

    def close(self, grace: float = 2.0) -> None:
        self.stop(grace)
        with contextlib.suppress(OSError):
            os.unlink(self.log_path)

    # work

    @property
    def busy(self) -> bool:
        return bool(self.pending)

    def send(self, batch: list[tuple[int, Case]]) -> None:
        """Give the worker a batch; one starting again gets it once it is ready."""
        assert self.conn is not None and not self.pending
        self.pending.extend(batch)
        if self.starting:
            return
        self.last_progress = time.monotonic()
        try:
            self.conn.send(batch)
        except OSError:  # it died after its last answer, through no fault of this batch
            self.pending.clear()
            self._start_again(batch)

    def receive(self) -> tuple[int, list[Outcome]] | None:
        """The next answered case; a death is that case's answer (status 'crashed'). None
        when what came was a restarted worker's word that it is ready (its batch goes now)."""
        assert self.conn is not None
        if self.starting:
            self.ready()
            self.starting = False
            batch = list(self.pending)
            self.pending.clear()
            if batch:
                self.send(batch)
            return None
        try:
            index, outcomes = self.conn.recv()
        except (EOFError, OSError):
            return self._lose_current("crashed", f"worker {self._death()}: {self._log_tail()}")
        expected, _ = self.pending[0]
        assert index == expected, (index, expected)
        if any(o.status == Status.CRASHED for o in outcomes):  # out of memory: it is leaving
            self._restart()
            return index, outcomes
        self.pending.popleft()
        now = time.monotonic()
        self.timer.record(now - self.last_progress)
        self.last_progress = now
        return index, outcomes

    @property
    def start_limit(self) -> float:
        """How long a start (the framework's import) may take: the ceiling, whatever limit its
        cases have (a --timeout of a few seconds is no time to import TensorFlow)."""
        return max(self.timer.policy.ceiling, self.timer.policy.fixed or 0.0)

    @property
    def timeout(self) -> float:
        """How long the current case may take: this variant's own limit, as it stands."""
        return self.timer.limit

    def overdue(self, now: float) -> bool:
        if self.starting:
            return self.busy and now - self._spawned > self.start_limit
        return self.busy and now - self.last_progress > self.timeout

    def expire(self) -> tuple[int, list[Outcome]]:
        """The current case ran past its timeout: kill the worker, record the case."""
        if self.starting:
            raise RuntimeError(f"worker {self.variant.name} did not start: {self._log_tail()}")
        limit = self.timeout
        self._kill()
        return self._lose_current("timeout", f"no answer within {limit:.3g} s")

    def _kill(self) -> None:
        self._process.kill()

    def _death(self) -> str:
        """How the process ended, in words."""
        self._process.join(5)
        return _death_of(self._process.exitcode)

    def _lose_current(self, status: str, reason: str) -> tuple[int, list[Outcome]]:
        index, case = self.pending[0]
        self._restart()
        return index, self.outcomes(case, status, reason)

    def _restart(self) -> None:
        """Start the worker again, for the rest of its batch (the current case done)."""
        self.pending.popleft()
        rest = list(self.pending)
        self.pending.clear()
        self._start_again(rest)

    def start_in_background(self) -> None:
        """Start the process without waiting for its import: it says it is ready through
        receive(), which then sends it what it was given meanwhile (`pending`)."""
        self.spawn()
        self.starting = True

    def _start_again(self, batch: list[tuple[int, Case]]) -> None:
        """A new process, whose import the other workers need not wait for, for `batch`."""
        self.stop()
        self.restarts += 1
        self.start_in_background()
        self.pending.extend(batch)

    def outcomes(self, case: Case, status: str, message: str | None) -> list[Outcome]:
        """The same answer from every adapter (and device) of this worker that serves the case."""
        serving = [s for info in self.infos if (s := info.serving(case.op))]
        return [Outcome(info, status, message=message) for info in serving]

    def skipped_outcomes(self, case: Case) -> list[Outcome]:
        return self.outcomes(case, "skipped", self.skipped)

    def _log_tail(self, limit: int = 300) -> str:
        with open(self.log_path, errors="replace") as log:
            return one_line(log.read()[-limit:]) or "(no output)"
