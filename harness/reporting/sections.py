"""Each operator family's part of the report, by the family's name: one entry of one shape per
family, its section of classic questions (`section(survey) -> Section`, answered from a store)
and its rows of the convention matrix (`behaviours`). Each part is a module of this package
named `<family>_section` (FAMILY, section, BEHAVIOURS), found by its name: a new family's
part is a new module, and no line here names one. report.py lays the sections out in the
families' order, and hands the behaviours to the matrix (behaviours.py)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from harness import reporting
from harness.families import OPERATORS
from harness.reporting.behaviours import Behaviour
from harness.reporting.document import Section
from harness.reporting.facts import Survey

SUFFIX = "_section"


@dataclass(frozen=True)
class FamilyReport:
    section: Callable[[Survey], Section]
    behaviours: tuple[Behaviour, ...]


def _parts() -> dict[str, FamilyReport]:
    """Every `<family>_section` module's part, keyed by its FAMILY, in the families' order."""
    found = {}
    for module in pkgutil.iter_modules(reporting.__path__):
        if module.name.endswith(SUFFIX):
            part = importlib.import_module(f"{reporting.__name__}.{module.name}")
            if part.FAMILY != module.name.removesuffix(SUFFIX):
                raise TypeError(f"{module.name} must report FAMILY {part.FAMILY!r} by its name")
            found[part.FAMILY] = FamilyReport(part.section, part.BEHAVIOURS)
    return {name: found[name] for name in OPERATORS if name in found}


REPORTS: dict[str, FamilyReport] = _parts()
BEHAVIOURS = {name: report.behaviours for name, report in REPORTS.items()}
