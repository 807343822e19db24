"""Small helpers for reading a CaseReport in assertions."""

from __future__ import annotations

from harness.assess import CaseReport, Result


def by_adapter(report: CaseReport, device: str = "cpu") -> dict[str, Result]:
    return {r.outcome.info.adapter: r for r in report.results if r.outcome.info.device == device}


def unexpected_lines(report: CaseReport) -> list[str]:
    return [
        f"{r.name}: {r.judgement.verdict} {r.judgement.detail} "
        f"{r.outcome.error_type or ''} {r.outcome.message or ''}".rstrip()
        for r in report.unexpected
    ]


def unexplained_lines(report: CaseReport) -> list[str]:
    return [f"{d.left} vs {d.right} differ in {d.aspect}: {d.detail}" for d in report.unexplained]


def problems(report: CaseReport) -> list[str]:
    """Every unexpected verdict and unexplained divergence, then the command that shows them."""
    found = unexpected_lines(report) + unexplained_lines(report)
    return found + [f"reproduce: {report.case.command()}"] if found else []
