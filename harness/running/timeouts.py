"""Per-variant case timeouts that fit the work: learned from the variant's own case times.

Until a variant has answered `samples` cases, a case may take `ceiling` seconds (a first
compile on a busy machine is slow). From then on it may take `multiple` times the
`quantile` of the case times seen so far, but never less than `floor` (a new shape's
compile) nor more than `ceiling`. A fixed timeout (`--timeout`) is used as it is.
"""

from __future__ import annotations

import bisect
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

    def timer(self) -> CaseTimer:
        return CaseTimer(self)


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
            return policy.ceiling
        high = self.times[min(int(policy.quantile * len(self.times)), len(self.times) - 1)]
        return min(max(policy.multiple * high, policy.floor), policy.ceiling)
