"""The report's release axis, measured from the store (never written by hand): the release
matrix (which releases of a framework show each registered bug and each convention: first
seen, last seen, fixed in) and the cases whose answer changed between two releases of a
framework (shape, pads, values, accept or refuse), each with its repro on both.

An answer's release is its framework and version as the store recorded them; the sections
appear only for a store that ran more than one release of some framework.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from harness.model import registry
from harness.model.outcome import unreleased
from harness.model.versions import version_key
from harness.releases import repro_releases
from harness.reporting.document import Paragraph, Section, Table
from harness.reporting.facts import Cell, Survey

ACCEPTED = ("ok",)
CHANGES_SHOWN = 200  # rows of "changed between releases" before the rest is counted


def _release(cell: Cell) -> str:
    return f"{cell.framework}=={cell.version}"


def releases_of(survey: Survey) -> dict[str, list[str]]:
    """framework -> its releases in the store (those that answered), oldest first."""
    found: dict[str, set[str]] = defaultdict(set)
    for cells in survey.cells.values():
        for cell in cells.values():
            if cell.version:
                found[cell.framework].add(cell.version)
    return {f: sorted(v, key=version_key) for f, v in sorted(found.items())}


def several(survey: Survey) -> bool:
    return any(len(v) > 1 for v in releases_of(survey).values())


# ---- the matrix ---------------------------------------------------------------------------


def _adapter(label: str) -> str:
    """An answer's adapter without its device and release: jax.lax{jax==0.8.3}@cpu -> jax.lax."""
    return unreleased(label.split("@")[0])


def _shown_by(survey: Survey, entry: registry.Entry) -> tuple[dict[str, set[str]], set[str]]:
    """(framework -> the releases with an answer the entry marks, or a difference it explains,
    or (a convention) a documented refusal it lists; the adapters whose answers those are)."""
    shown: dict[str, set[str]] = defaultdict(set)
    showing: set[str] = set()
    for case_id in survey.recorded:
        cells = survey.cells[case_id]
        for label, cell in cells.items():
            if cell.known == entry.id or (cell.rule and cell.rule in entry.rules):
                shown[cell.framework].add(cell.version)
                showing.add(_adapter(label))
        for _, left, right, why, _ in survey.divergences[case_id]:
            if why != entry.id:
                continue
            for label in (left, right):
                side = cells.get(label)
                if side and _adapter(label) in entry.adapters:
                    shown[side.framework].add(side.version)
                    showing.add(_adapter(label))
    return shown, showing


def _answered_on(survey: Survey) -> dict[str, set[tuple[str, str]]]:
    """adapter (without its release) -> the (framework, version) releases it answered on."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for cells in survey.cells.values():
        for label, cell in cells.items():
            if cell.version:
                found[_adapter(label)].add((cell.framework, cell.version))
    return found


@dataclass(frozen=True)
class Span:
    """Where one entry shows among the releases of one framework the store ran."""

    entry: str
    kind: str
    framework: str
    shows: tuple[str, ...]
    ran: tuple[str, ...]

    @property
    def first_seen(self) -> str:
        return self.shows[0] if self.shows else "-"

    @property
    def last_seen(self) -> str:
        return self.shows[-1] if self.shows else "-"

    @property
    def fixed_in(self) -> str | None:
        """The first release after the last one that shows it, where one ran."""
        if not self.shows:
            return None
        later = [v for v in self.ran if version_key(v) > version_key(self.last_seen)]
        return later[0] if later else None


def _adapter_frameworks(survey: Survey) -> dict[str, str]:
    """adapter (without its release) -> its framework, for every adapter that answered."""
    return {
        unreleased(label.split("@")[0]): cell.framework
        for cells in survey.cells.values()
        for label, cell in cells.items()
    }


def spans(survey: Survey) -> list[Span]:
    """Every registered entry, per framework the store ran, with the releases that show it
    (none where the entry names adapters of the framework but no answer showed it) among
    those its adapters (named, or showing it) answered on: a release where none of them ran
    neither shows it nor fixes it."""
    frameworks_of = _adapter_frameworks(survey)
    answered = _answered_on(survey)
    found = []
    for entry in registry.load().entries:
        shown, showing = _shown_by(survey, entry)
        scoped = {frameworks_of[a] for a in entry.adapters if a in frameworks_of}
        adapters = set(entry.adapters) | showing  # the releases these answered on ran it
        for framework in sorted(scoped | set(shown)):
            shows = tuple(sorted(shown.get(framework, ()), key=version_key))
            ran = {v for a in adapters for f, v in answered.get(a, ()) if f == framework}
            found.append(
                Span(entry.id, entry.kind, framework, shows, tuple(sorted(ran, key=version_key)))
            )
    return found


def matrix_section(survey: Survey) -> Section:
    section = Section("Release matrix")
    ran = releases_of(survey)
    section.blocks.append(
        Paragraph(
            "Which releases show each registered bug and convention, measured from this "
            "store's answers: "
            + "; ".join(f"{f} {', '.join(v)}" for f, v in ran.items() if len(v) > 1)
            + ". `fixed in` is the first release after the last one that shows it."
        )
    )
    rows = tuple(
        (
            span.entry,
            span.kind,
            span.framework,
            ", ".join(span.shows) or "not reached",
            span.first_seen,
            span.last_seen,
            span.fixed_in or "-",
            ", ".join(v for v in span.ran if v not in span.shows) if span.shows else "-",
        )
        for span in spans(survey)
        if len(span.ran) > 1
    )
    section.blocks.append(
        Table(
            ("entry", "kind", "framework", "shows on", "first seen", "last seen", "fixed in")
            + ("not on",),
            rows,
        )
        if rows
        else Paragraph("No registered entry was reached on a framework run at several releases.")
    )
    return section


# ---- changed between releases -------------------------------------------------------------


def _facts(cell: Cell) -> dict[str, str]:
    return {
        "accepts": "accepts" if cell.status in ACCEPTED else cell.status,
        "shape": "x".join(map(str, cell.shape)) if cell.shape else "-",
        "pads": json.dumps(cell.inferred) if cell.inferred else "-",
        "verdict": cell.verdict,
    }


@dataclass(frozen=True)
class Change:
    case_id: str
    adapter: str  # without its release
    framework: str
    before: str  # release
    after: str
    aspects: tuple[str, ...]
    was: str
    now: str
    variant: str  # the variant the adapter belongs to, without its release


def changes(survey: Survey) -> list[Change]:
    """Every case whose answer on one adapter differs between two consecutive releases of its
    framework that both answered it."""
    found = []
    for case_id in survey.recorded:
        by_adapter: dict[tuple[str, str], dict[str, Cell]] = defaultdict(dict)
        for label, cell in survey.cells[case_id].items():
            if cell.version and cell.status not in ("skipped",):
                by_adapter[(unreleased(label.split("@")[0]), cell.framework)][cell.version] = cell
        for (adapter, framework), per_release in sorted(by_adapter.items()):
            ordered = sorted(per_release, key=version_key)
            for old, new in zip(ordered, ordered[1:], strict=False):
                a, b = _facts(per_release[old]), _facts(per_release[new])
                aspects = tuple(k for k in a if a[k] != b[k])
                if aspects:
                    was = ", ".join(a[k] for k in aspects)
                    now = ", ".join(b[k] for k in aspects)
                    variant = per_release[new].variant.partition("@")[0]
                    found.append(
                        Change(case_id, adapter, framework, old, new, aspects, was, now, variant)
                    )
    return found


def _repro(change: Change, survey: Survey) -> str:
    """The explain line that answers the case on both releases, side by side (a local label,
    torch's +cu130, is left to the index)."""
    releases = ",".join(v.split("+")[0] for v in (change.before, change.after))
    return (
        f"`{survey.cases[change.case_id].command()} --variants {change.variant} "
        f"--releases {change.framework}={releases}`"
    )


def changes_section(survey: Survey) -> Section:
    section = Section("Changed between releases")
    found = changes(survey)
    if not found:
        section.blocks.append(
            Paragraph("Every case answered alike on every release of its framework.")
        )
        return section
    section.blocks.append(
        Paragraph(
            f"{len(found)} answers changed between two releases of a framework (accept or "
            "refuse, shape, pads proven by values, or the verdict: values or the refusal). "
            "Each command answers the case on both releases, side by side (`explain --releases` "
            "builds their environments)."
        )
    )
    rows = tuple(
        (
            c.case_id,
            c.adapter,
            f"{c.framework} {c.before} -> {c.after}",
            ", ".join(c.aspects),
            c.was,
            c.now,
            _repro(c, survey),
        )
        for c in found[:CHANGES_SHOWN]
    )
    section.blocks.append(
        Table(("case", "adapter", "releases", "changed", "before", "after", "repro"), rows)
    )
    if len(found) > CHANGES_SHOWN:
        section.blocks.append(Paragraph(f"... and {len(found) - CHANGES_SHOWN} more."))
    return section


# ---- the registered bugs' repros on releases --------------------------------------------


def repro_section(survey: Survey) -> Section | None:
    """Per registered upstream bug, the releases its repro ran on and whether it showed, as
    `convharness upstream --record` measured them (harness/data/repro_releases.json)."""
    measured = repro_releases.load()
    bugs = [e for e in survey.registry.entries if e.kind == "upstream_bug"]
    if not measured or not bugs:
        return None
    section = Section("Registered bugs' repros on releases", appendix=True)
    dates = sorted({row.get("measured", "") for row in measured.values()} - {""})
    section.blocks.append(
        Paragraph(
            "Each registered upstream bug's minimal repro (the framework's own code), run on the "
            "followed releases of its framework, each in an environment of its own, or on this "
            "report's environment where its releases are not followed (the plugins'): "
            "`convharness upstream --record` wrote the table"
            + (f" ({', '.join(dates)})" if dates else "")
            + "."
        )
    )
    rows = []
    for entry in bugs:
        row = measured.get(entry.id)
        if row is None:
            reason = "no repro" if not entry.repro else "not measured"
            rows.append((entry.id, entry.requires or "-", "-", "-", "-", reason))
            continue
        shows, clean, failed = repro_releases.describe(row)
        ran = len(row.get("releases", {}))
        rows.append((entry.id, str(row["framework"]), shows, clean, failed, f"{ran} releases"))
    section.blocks.append(
        Table(("entry", "framework", "shows on", "not on", "could not run", "ran on"), tuple(rows))
    )
    return section


def sections(survey: Survey) -> list[Section]:
    """The release axis's sections: the matrix and the changes where the store ran several
    releases of a framework; the registered bugs' repros on releases where they were measured."""
    found = [matrix_section(survey), changes_section(survey)] if several(survey) else []
    repros = repro_section(survey)
    return found + ([repros] if repros else [])
