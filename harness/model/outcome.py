"""What one adapter, on one device, made of one case: the worker's answer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class Status(StrEnum):
    """What a worker made of a case on one adapter and device; each equals its value."""

    OK = "ok"
    REJECTED = "rejected"
    NOT_EXPRESSIBLE = "not_expressible"
    SKIPPED = "skipped"
    CRASHED = "crashed"
    TIMEOUT = "timeout"


STATUSES = tuple(Status)


def unreleased(adapter: str) -> str:
    """An adapter's name without a release variant's release: jax.lax{jax==0.8.3} -> jax.lax."""
    return adapter.split("{", 1)[0]


@dataclass(frozen=True)
class AdapterInfo:
    """Who answered: adapter (variant-qualified) name, framework, version, API, device, variant,
    the operators the adapter serves, and the release set a release variant ran on."""

    adapter: str
    framework: str
    version: str
    api: str
    device: str
    variant: str = ""
    apis: tuple[tuple[str, str], ...] = ()  # (op, dotted call) for each operator it serves
    release: str = ""  # "" for the harness's own environment, else e.g. "jax==0.8.3"

    def serving(self, op: str) -> AdapterInfo | None:
        """This adapter as it answers `op` (its `api` the call for that op), or None."""
        for served, api in self.apis:
            if served == op:
                return dataclasses.replace(self, api=api)
        return None


@dataclass(frozen=True)
class Outcome:
    info: AdapterInfo
    status: str
    output: np.ndarray | None = (
        None  # [N, C, *spatial], float64 copy of what the framework returned
    )
    error_type: str | None = None  # rejected: the exception's class name
    message: str | None = None  # rejected: the error text; otherwise why there is no output
    seconds: float = 0.0  # time spent in the framework call

    @property
    def shape(self) -> tuple[int, ...] | None:
        return None if self.output is None else tuple(self.output.shape)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        object.__setattr__(self, "status", Status(self.status))
