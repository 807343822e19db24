"""Each operator family's section of the report: its classic questions, answered from a store.
One entry point of one shape per family, `section(survey) -> Section`, by the family's name;
report.py lays them out in the families' order."""

from __future__ import annotations

from collections.abc import Callable

from harness.reporting import conv_classic, pool_section, transposed_classic
from harness.reporting.document import Section
from harness.reporting.facts import Survey

SECTIONS: dict[str, Callable[[Survey], Section]] = {
    "conv": conv_classic.section,
    "conv_transpose": transposed_classic.section,
    "pool": pool_section.section,
}
