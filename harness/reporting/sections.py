"""Each operator family's part of the report, by the family's name: one entry of one shape per
family, its section of classic questions (`section(survey) -> Section`, answered from a store)
and its rows of the convention matrix (`behaviours`). report.py lays the sections out in the
families' order, and hands the behaviours to the matrix (behaviours.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.reporting import conv_section, conv_transpose_section, pool_section
from harness.reporting.behaviours import Behaviour
from harness.reporting.document import Section
from harness.reporting.facts import Survey


@dataclass(frozen=True)
class FamilyReport:
    section: Callable[[Survey], Section]
    behaviours: tuple[Behaviour, ...]


REPORTS: dict[str, FamilyReport] = {
    module.FAMILY: FamilyReport(module.section, module.BEHAVIOURS)
    for module in (conv_section, conv_transpose_section, pool_section)
}
BEHAVIOURS = {name: report.behaviours for name, report in REPORTS.items()}
