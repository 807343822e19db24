"""Per-variant case timeouts that fit the work: learned from the variant's own case times.

Until a variant has answered `samples` cases, a case may take `ceiling` seconds (a first
compile on a busy machine is slow). From then on it may take `multiple` times the
`quantile` of the case times seen so far, but never less than `floor` (a new shape's
compile) nor more than `ceiling`. A fixed timeout (`--timeout`) is used as it is, for cases: a
worker's start (its framework's import) may always take the ceiling.

A `cap` bounds a case's time whatever the times seen (a shrink's tries: the limit the finding's
variant had), while a worker's start still may take the ceiling; `learned` gives the limit that
times known beforehand (a store's) would set.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

CEILING = 300.0  # seconds: before a variant's times are known, and the most ever


@dataclass(frozen=True)
class TimeoutPolicy:
    fixed: float | None = None  # --timeout: this, always
    ceiling: float = CEILING
    floor: float = 20.0
    multiple: float = 20.0
    quantile: float = 0.99
    samples: int = 20
    cap: float | None = None  # the most a case may take, whatever the times say

    def timer(self) -> CaseTimer:
        return CaseTimer(self)

    def learned(self, times: Iterable[float]) -> float:
        """The limit these case times set, as a variant's timer that saw them would."""
        timer = self.timer()
        for seconds in times:
            timer.record(seconds)
        return timer.limit


@dataclass
class CaseTimer:
    """One variant's case times, kept sorted, and the timeout they give."""

    policy: TimeoutPolicy
    times: list[float] = field(default_factory=list)

    def record(self, seconds: float) -> None:
        bisect.insort(self.times, seconds)

    @property
    def limit(self) -> float:
        policy = self.policy
        if policy.fixed is not None:
            return policy.fixed
        if len(self.times) < policy.samples:
            limit = policy.ceiling
        else:
            high = self.times[min(int(policy.quantile * len(self.times)), len(self.times) - 1)]
            limit = min(max(policy.multiple * high, policy.floor), policy.ceiling)
        return limit if policy.cap is None else min(limit, policy.cap)
