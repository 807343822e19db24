"""Progress of a run: a live bar on a terminal, silence elsewhere (the summary still prints)."""

from __future__ import annotations

import sys
import time

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from harness.model.assess import CaseReport


class RunProgress:
    """Cases done, cases/s per variant, and unexpected verdicts so far."""

    def __init__(self, total: int, done: int = 0, quiet: bool = False) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.started = time.monotonic()
        self.seconds: dict[str, float] = {}  # variant -> time in framework calls
        self.cases = 0
        self.unexpected = 0
        self.unexplained = 0
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._task = self._bar.add_task("cases", total=total, completed=done, rate="")
        self._live = Live(
            Group(self._bar, Text("")),
            console=Console(stderr=True),
            refresh_per_second=4,
            transient=True,
        )

    def __enter__(self) -> RunProgress:
        if self.enabled:
            self._live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self._live.__exit__(*exc)

    def advance(self, report: CaseReport) -> None:
        self.cases += 1
        self.unexpected += len(report.unexpected)
        self.unexplained += len(report.unexplained)
        for result in report.results:
            variant = result.outcome.info.variant
            self.seconds[variant] = self.seconds.get(variant, 0.0) + result.outcome.seconds
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-9)
        self._bar.update(self._task, advance=1, rate=f"{self.cases / elapsed:.1f} cases/s")
        rates = "  ".join(
            f"{variant} {self.cases / seconds:.0f}/s"
            for variant, seconds in sorted(self.seconds.items())
            if seconds > 0
        )
        self._live.update(
            Group(
                self._bar,
                Text(
                    f"unexpected verdicts {self.unexpected}, unexplained divergences "
                    f"{self.unexplained}\nper variant (framework time only): {rates}"
                ),
            )
        )
