"""Small helpers for reading a CaseReport in assertions."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import strategies as st

from harness import ops
from harness.case import Case
from harness.model.assess import CaseReport, Result


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


def selected_ops() -> tuple[str, ...]:
    """The operators the suite draws (--conv-ops; every one by default)."""
    from harness import pytest_plugin

    return pytest_plugin.SELECTED_OPS


def drawn_cases(**narrowed) -> st.SearchStrategy[Case]:
    """Cases of every selected operator, from its family's strategy, narrowed as
    strategies.cases takes it (the family record's `narrowable` strategy; a family without one
    draws only when nothing is narrowed)."""

    def of(op: str) -> st.SearchStrategy[Case] | None:
        record = ops.of_op(op)
        if record.narrowable is None:
            return None if narrowed else record.strategy(op)
        return record.narrowable(op=op, **narrowed)

    return st.deferred(lambda: st.one_of(*[s for s in map(of, selected_ops()) if s is not None]))


def importable(*modules: str) -> bool:
    """Whether every named module is installed (without importing it)."""
    return all(importlib.util.find_spec(module) is not None for module in modules)


def needs(*modules: str) -> pytest.MarkDecorator:
    """Skip a test, with the reason, where one of its frameworks is not installed."""
    return pytest.mark.skipif(
        not importable(*modules), reason=f"needs {', '.join(modules)}, not installed here"
    )


def installed_of(*frameworks: str) -> str:
    """The named frameworks that are installed here, as `--frameworks` takes them (asking for
    one that is not installed is an error)."""
    return ",".join(name for name in frameworks if importable(name))


# A framework a test that needs just one real framework can run on, whichever is installed.
ANY_FRAMEWORK = next((fw for fw in ("jax", "torch", "tensorflow") if importable(fw)), "jax")
