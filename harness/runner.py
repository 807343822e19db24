"""The runner: every variant's worker works through the case list at its own pace.

Workers run side by side (one process each), fed batches; a case is complete when
every variant has answered it. A window bounds how far the fastest worker may run
ahead of the slowest, so outputs held in memory stay bounded.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from multiprocessing.connection import wait
from typing import Any

from . import conventions as conventions_data
from .case import Case
from .conventions import Convention
from .outcome import AdapterInfo, Outcome
from .variants import Variant
from .workers import CASE_TIMEOUT, Worker


class Runner:
    def __init__(
        self,
        variants: Iterable[Variant],
        env: dict[str, str] | None = None,
        timeout: float = CASE_TIMEOUT,
        batch_size: int = 8,
        window: int = 64,
    ) -> None:
        self.workers = [Worker(variant, env, timeout) for variant in variants]
        self.batch_size = batch_size
        self.window = window

    def __enter__(self) -> Runner:
        try:
            for worker in self.workers:
                worker.spawn()
            for worker in self.workers:
                worker.ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
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

    @property
    def restarts(self) -> int:
        return sum(worker.restarts for worker in self.workers)

    def conventions(self) -> dict[str, Convention]:
        """The documented conventions, with those any of these adapter modules carry."""
        return conventions_data.with_modules([w.variant.module for w in self.workers])

    def run(self, cases: list[Case]) -> Iterator[tuple[Case, list[Outcome]]]:
        """Yield each case with the outcomes of every variant, as each case completes."""
        active = [slot for slot, w in enumerate(self.workers) if not w.skipped]
        skipping = {slot: w for slot, w in enumerate(self.workers) if w.skipped}

        def fixed(index: int) -> dict[int, list[Outcome]]:
            return {slot: w.skipped_outcomes(cases[index]) for slot, w in skipping.items()}

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
            for slot in active:
                worker, start = self.workers[slot], next_index[slot]
                stop = min(start + self.batch_size, len(cases), oldest + self.window)
                if not worker.busy and start < stop:
                    worker.send([(i, cases[i]) for i in range(start, stop)])
                    next_index[slot] = stop
            busy: dict[Any, int] = {self.workers[s].conn: s for s in active if self.workers[s].busy}
            finished = [
                (busy[conn], *self.workers[busy[conn]].receive())
                for conn in wait(list(busy), timeout=1.0)
            ]
            now = time.monotonic()
            finished += [
                (s, *self.workers[s].expire())
                for s in busy.values()
                if self.workers[s].overdue(now)
            ]
            for slot, index, outcomes in finished:
                answers.setdefault(index, fixed(index))[slot] = outcomes
                if len(answers[index]) == len(self.workers):
                    per_slot = answers.pop(index)
                    yield cases[index], [o for s in sorted(per_slot) for o in per_slot[s]]
                    complete[index] = True
                    remaining -= 1
            while oldest < len(cases) and complete[oldest]:
                oldest += 1
