"""`explain --releases`: one case's answers on several releases of a framework, side by side,
a column per release, so what a release changed (accept or refuse, shape, pads, verdict) is read
along a row.
"""

from __future__ import annotations

from collections import defaultdict

from harness.model.assess import CaseReport
from harness.model.outcome import unreleased
from harness.model.versions import version_key


def _answer(record: dict, known: str | None) -> str:
    """One release's answer in a cell: verdict, then shape and proven pads where accepted,
    the error's type where refused."""
    verdict = record["verdict"] + (f" (known: {known})" if known else "")
    if record["status"] == "ok":
        shape = "x".join(map(str, record["shape"] or []))
        ranges = record["pads_inferred"] or []
        pads = ",".join(f"{lo}" if lo == hi else f"{lo}..{hi}" for lo, hi in ranges)
        return f"{verdict} {shape}" + (f" pads {pads}" if pads else "")
    if record["error"]:
        return f"{verdict} {record['error']['type']}"
    return verdict


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


def table(report: CaseReport) -> str:
    """Per framework that answered on more than one release: a row per adapter and device, a
    column per release (oldest first), and which rows differ. Empty when none did."""
    answers: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for result in report.results:
        record = result.record(report.case.op)
        row = f"{unreleased(record['adapter'])}@{record['device']}"
        answers[record["framework"]][row][record["version"]] = _answer(record, result.known)
    lines: list[str] = []
    for framework, rows in sorted(answers.items()):
        releases = sorted({v for cells in rows.values() for v in cells}, key=version_key)
        if len(releases) < 2:
            continue
        header = ["adapter", *(f"{framework} {v}" for v in releases), ""]
        grid = []
        for row, cells in sorted(rows.items()):
            said = [cells.get(v, "-") for v in releases]
            differs = len({cell for cell in said if cell != "-"}) > 1
            grid.append([row, *said, "<- differs" if differs else ""])
        lines += ["", f"{framework} on {len(releases)} releases:", *_grid(header, grid)]
    return "\n".join(lines)
