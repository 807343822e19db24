"""The runner: every variant's worker works through the case list at its own pace.

Workers run side by side (one process each), fed batches; a case is complete when
every variant has answered it. A window bounds how far the fastest worker may run
ahead of the slowest, so outputs held in memory stay bounded: at most `window` cases, and no
more than `window_bytes` of them by their families' memory estimates, shared among the workers
(small cases let a fast worker run far ahead, large ones keep it close).

A variant whose worker lags (the others served few of the cases, or are fast) gets a second
process of its own, a helper, where that ends the run sooner (_add_helper): the two take its
batches in turn. A helper is a private worker, started in the background; one that does not
start is dropped, its variant's cases unharmed.

A variant that cannot run answers every case as skipped; `check` makes that an error where
it was asked for (by framework or by name) or, with `broken`, where it is installed but does
not import.
"""

from __future__ import annotations

import bisect
import itertools
import os
import time
from collections.abc import Collection, Iterable, Iterator
from multiprocessing.connection import wait
from typing import Any

from harness.case import Case
from harness.catalog.variants import Variant
from harness.errors import UsageError
from harness.model import conventions as conventions_data
from harness.model.conventions import Convention
from harness.model.outcome import AdapterInfo, Outcome
from harness.running import memory
from harness.running.timeouts import TimeoutPolicy
from harness.running.warm import IDLE, WarmWorker
from harness.running.workers import Absence, Worker

HELPER_START = 5.0  # seconds: the least a helper's start (its framework's import) is taken for


class Runner:
    def __init__(
        self,
        variants: Iterable[Variant],
        env: dict[str, str] | None = None,
        timeout: float | TimeoutPolicy | None = None,
        batch_size: int = 8,
        window: int = 1024,
        window_bytes: int = 512 * 2**20,
        headroom: int | None = None,
        warm: bool = False,
        idle: float | None = None,
        helpers: int | None = None,
    ) -> None:
        """`timeout`: seconds, fixed; or a policy (default: each variant's own, learned);
        `headroom`: the bytes each worker may grow past its size after import (no limit: None);
        `warm`: use (and start where need be) the warm workers (warm.py), those it starts
        exiting after `idle` seconds with no command (default warm.IDLE); `helpers`: the most
        helper processes at once (default: one fewer than the cores this process may use)."""
        policy = TimeoutPolicy(fixed=timeout) if isinstance(timeout, (int, float)) else timeout
        self.workers: list[Worker] = [
            WarmWorker(variant, env, policy, headroom, idle or IDLE)
            if warm
            else Worker(variant, env, policy, headroom)
            for variant in variants
        ]
        self._helper_args = (env, policy, headroom)
        self.max_helpers = len(os.sched_getaffinity(0)) - 1 if helpers is None else helpers
        self.helpers: list[tuple[int, Worker]] = []  # (the slot of its variant, the process)
        self._helper_restarts = 0  # of the helpers dropped
        self.helpers_started = 0
        self._unhelped: set[int] = set()  # the slots whose helper did not start: none again
        self.batch_size = batch_size
        self.window = window
        self.window_bytes = window_bytes
        self._owns_workers = True
        self._started = False

    @classmethod
    def sharing(cls, workers: list[Worker]) -> Runner:
        """A runner over workers that another, entered runner started and will stop: entering
        and leaving this one starts and stops nothing."""
        runner = cls([])
        runner.workers = list(workers)
        runner._owns_workers = False
        return runner

    def start(self) -> None:
        """Start every worker without waiting for it: each imports its framework meanwhile.
        Entering the runner waits for them (and starts them, if this was not called)."""
        if self._owns_workers and not self._started:
            self._started = True
            for worker in self.workers:
                worker.spawn()

    def __enter__(self) -> Runner:
        if not self._owns_workers:
            return self
        try:
            self.start()
            for worker in self.workers:
                worker.ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._close_helpers()
        if not self._owns_workers:
            return
        for worker in self.workers:  # all at once: a worker holds nothing the parent needs
            worker.ask_to_stop()
        deadline = time.monotonic() + 1.0
        for worker in self.workers:
            worker.close(grace=max(deadline - time.monotonic(), 0.0))

    @property
    def infos(self) -> list[AdapterInfo]:
        return [info for worker in self.workers for info in worker.infos]

    @property
    def skipped(self) -> dict[str, str]:
        return {w.variant.name: w.skipped for w in self.workers if w.skipped}

    def check(
        self,
        frameworks: Collection[str] | None,
        names: Collection[str] | None,
        broken: bool = True,
    ) -> None:
        """A UsageError naming every variant that must run and cannot, with why, in one line.

        A variant named (`names`, --variants) must run; one of a framework named (`frameworks`,
        --frameworks) must find and import that framework (a variant that needs another, absent
        framework, such as a Keras backend, is skipped); with `broken`, so must every installed
        framework, asked for or not.
        """
        fatal = {Absence.IMPORT_FAILED} if broken else set()
        if frameworks is not None:
            fatal |= {Absence.NOT_INSTALLED, Absence.IMPORT_FAILED}
        if names is not None:
            fatal = set(Absence)
        failed = [f"{w.variant.name}: {w.skipped}" for w in self.workers if w.absence in fatal]
        if failed:
            raise UsageError("; ".join(failed))

    @property
    def restarts(self) -> int:
        return sum(worker.restarts for worker in self.workers) + self._helper_restarts

    def conventions(self) -> dict[str, Convention]:
        """The documented conventions, with those any of these adapter modules carry."""
        return conventions_data.with_modules([w.variant.module for w in self.workers])

    def run(self, cases: list[Case]) -> Iterator[tuple[Case, list[Outcome]]]:
        """Yield each case with the outcomes of every variant, as each case completes."""
        active = [slot for slot, w in enumerate(self.workers) if not w.skipped]
        skipping = {slot: w for slot, w in enumerate(self.workers) if w.skipped}

        def fixed(index: int) -> dict[int, list[Outcome]]:
            return {slot: w.skipped_outcomes(cases[index]) for slot, w in skipping.items()}

        # the running total of the cases' estimated bytes: a window ends where it passes the bound
        held = list(itertools.accumulate((memory.estimate(case) for case in cases), initial=0))
        share = self.window_bytes // max(1, len(active))  # each worker's answers are held
        answers: dict[int, dict[int, list[Outcome]]] = {}
        next_index = dict.fromkeys(active, 0)
        complete = [False] * len(cases)
        oldest = 0  # every case before this one is complete
        if not active:  # nothing installed: every case is answered by its skips
            for index, case in enumerate(cases):
                yield case, [o for outcomes in fixed(index).values() for o in outcomes]
            return
        remaining = len(cases)
        while remaining:
            for slot, worker in [(s, self.workers[s]) for s in active] + self.helpers:
                start = next_index[slot]
                reach = bisect.bisect_right(held, held[oldest] + share) - 1
                ahead = max(reach, oldest + self.batch_size)  # at least a batch past the oldest
                stop = min(start + self.batch_size, len(cases), oldest + self.window, ahead)
                if not worker.busy and not worker.starting and start < stop:
                    worker.send([(i, cases[i]) for i in range(start, stop)])
                    next_index[slot] = stop
            self._add_helper(active, next_index, len(cases))
            for slot, index, outcomes in self._answers(active):
                answers.setdefault(index, fixed(index))[slot] = outcomes
                if len(answers[index]) == len(self.workers):
                    per_slot = answers.pop(index)
                    yield cases[index], [o for s in sorted(per_slot) for o in per_slot[s]]
                    complete[index] = True
                    remaining -= 1
            while oldest < len(cases) and complete[oldest]:
                oldest += 1
        self._close_helpers()

    def _answers(self, active: list[int]) -> list[tuple[int, int, list[Outcome]]]:
        """(slot, case index, outcomes) of the cases answered within a second, and of those that
        ran past their time; a helper's word that it is ready sends it nothing here, and one
        that does not start is dropped."""
        processes = [(s, self.workers[s]) for s in active] + self.helpers
        waiting: dict[Any, tuple[int, Worker]] = {
            w.conn: (s, w) for s, w in processes if w.busy or w.starting
        }
        finished = []
        for conn in wait(list(waiting), timeout=1.0):
            slot, worker = waiting[conn]
            try:
                answer = worker.receive()
            except RuntimeError:  # it did not start: a helper given nothing yet is dropped
                if (slot, worker) not in self.helpers or worker.pending:
                    raise
                self._unhelped.add(slot)
                self._drop_helper(worker)
                continue
            if worker.skipped and (slot, worker) in self.helpers:  # it was given nothing
                self._unhelped.add(slot)
                self._drop_helper(worker)
            elif answer is not None:
                finished.append((slot, *answer))
        now = time.monotonic()
        finished += [(s, *w.expire()) for s, w in waiting.values() if w.overdue(now)]
        return finished

    def _add_helper(self, active: list[int], next_index: dict[int, int], total: int) -> None:
        """Start a helper for the variant whose cases left would take longest, where that ends
        the run sooner by a second or more: the run takes as long as that variant's work or the
        cores' share of everyone's, whichever is longer; a helper splits the variant's work
        once it has started and costs a start (the variant's own, HELPER_START at least: a warm
        worker's start may be only a connection). The work left is each variant's cases not
        yet sent times its median case, known once it has answered four batches."""
        if len(self.helpers) >= self.max_helpers:
            return
        left: dict[int, float] = {}
        for slot in active:
            times, cases_left = self.workers[slot].timer.times, total - next_index[slot]
            if cases_left and len(times) < 4 * self.batch_size:
                return  # not known yet
            left[slot] = cases_left * times[len(times) // 2] if cases_left else 0.0
        helped = {slot for slot, _ in self.helpers} | self._unhelped
        candidates = [slot for slot in left if slot not in helped]
        if not candidates:
            return
        slot = max(candidates, key=left.__getitem__)
        start = max(self.workers[slot].startup_seconds, HELPER_START)
        cores, work, mine = self.max_helpers + 1, sum(left.values()), left[slot]
        alone = max(mine, work / cores)
        helped_out = max((mine + start) / 2, (work + start) / cores)
        if alone - helped_out > 1.0:
            helper = Worker(self.workers[slot].variant, *self._helper_args)
            helper.start_in_background()
            self.helpers.append((slot, helper))
            self.helpers_started += 1

    def _drop_helper(self, helper: Worker) -> None:
        self._helper_restarts += helper.restarts
        self.helpers = [(s, w) for s, w in self.helpers if w is not helper]
        helper.close(grace=0.0)

    def _close_helpers(self) -> None:
        for _, helper in list(self.helpers):
            helper.ask_to_stop()
        for _, helper in list(self.helpers):
            self._drop_helper(helper)
