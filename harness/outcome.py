"""What one adapter, on one device, made of one case: the worker's answer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STATUSES = ("ok", "rejected", "not_expressible", "skipped", "crashed", "timeout")


@dataclass(frozen=True)
class AdapterInfo:
    """Who answered: adapter (variant-qualified) name, framework, version, API, device, variant."""

    adapter: str
    framework: str
    version: str
    api: str
    device: str
    variant: str = ""


@dataclass(frozen=True)
class Outcome:
    info: AdapterInfo
    status: str
    output: np.ndarray | None = None  # NCHW, float64 copy of what the framework returned
    error_type: str | None = None  # rejected: the exception's class name
    message: str | None = None  # rejected: the error text; otherwise why there is no output
    seconds: float = 0.0  # time spent in the framework call

    @property
    def shape(self) -> tuple[int, ...] | None:
        return None if self.output is None else tuple(self.output.shape)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
