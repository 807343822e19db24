"""Run cases through every selected adapter's worker and assess each one."""

from __future__ import annotations

import platform
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from adapters import ADAPTER_MODULES

from . import inputs
from .assess import CaseReport, assess
from .case import Case
from .workers import Pool


class UsageError(ValueError):
    """Bad command-line input: reported in one line, exit status 2."""


def modules_for(frameworks: Iterable[str] | None) -> list[str]:
    """Adapter modules for the named frameworks (all when None)."""
    if frameworks is None:
        return list(ADAPTER_MODULES.values())
    names = list(frameworks)
    unknown = [name for name in names if name not in ADAPTER_MODULES]
    if unknown or not names:
        raise UsageError(
            f"unknown framework {', '.join(unknown) or '(none)'}; "
            f"choose from {','.join(ADAPTER_MODULES)}"
        )
    return [ADAPTER_MODULES[name] for name in names]


def run_cases(pool: Pool, cases: Iterable[Case]) -> Iterator[CaseReport]:
    for case in cases:
        arrays = inputs.arrays(case)
        yield assess(case, pool.run(case, *arrays), arrays)


def environment(pool: Pool) -> dict[str, Any]:
    adapters = [
        {
            "adapter": i.adapter,
            "framework": i.framework,
            "version": i.version,
            "api": i.api,
            "device": i.device,
        }
        for i in pool.infos
    ]
    skipped = {w.module_name: w.skipped for w in pool.workers if w.skipped}
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "adapters": adapters,
        "skipped": skipped,
    }


def verdict_counts(reports: Iterable[CaseReport]) -> dict[str, Counter]:
    """adapter@device -> verdict -> count; a known upstream bug counts under 'VERDICT (known)'."""
    counts: dict[str, Counter] = {}
    for report in reports:
        for result in report.results:
            verdict = result.judgement.verdict + (" (known)" if result.known else "")
            counts.setdefault(result.name, Counter())[verdict] += 1
    return counts


def attention(reports: Iterable[CaseReport]) -> tuple[int, int]:
    """What needs a person's eyes: (unexpected verdicts, unexplained divergences)."""
    reports = list(reports)
    return sum(len(r.unexpected) for r in reports), sum(len(r.unexplained) for r in reports)
