"""Adapters that answered every case identically, merged into one named group.

Two adapters are in one group when, on every recorded case, they gave the same status, verdict,
registry mark, shape and inferred pads, and no divergence was recorded between them. The report
shows one row or column per group; results.json keeps every adapter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from harness.reporting.document import Section, Table

_TAGGED = re.compile(r"^(?P<base>[^\[@]+)(?:\[(?P<tag>[^\]]+)\])?(?P<device>@.+)?$")


@dataclass(frozen=True)
class Group:
    members: tuple[str, ...]  # adapter labels, in the report's order

    @property
    def name(self) -> str:
        return group_name(self.members)

    @property
    def first(self) -> str:
        return self.members[0]


def _parts(label: str) -> tuple[str, str, str]:
    match = _TAGGED.match(label)
    if match is None:  # pragma: no cover - every label matches
        return label, "", ""
    return match["base"], match["tag"] or "", match["device"] or ""


def group_name(members: Iterable[str]) -> str:
    """ "torch.functional, torch.module (± no-mkldnn)" when every base adapter appears with and
    without the same tags; otherwise the members, comma-separated."""
    members = list(members)
    if len(members) == 1:
        return members[0]
    parts = [_parts(label) for label in members]
    bases = list(dict.fromkeys(base + device for base, _, device in parts))
    tags = sorted({tag for _, tag, _ in parts})
    full = {(base + device, tag) for base, tag, device in parts}
    if len(full) == len(bases) * len(tags) and all(
        (base, tag) in full for base in bases for tag in tags
    ):
        named = [t for t in tags if t]
        if "" in tags and named:
            return f"{', '.join(bases)} (± {', '.join(named)})"
        if not named:
            return ", ".join(bases)
        if len(bases) == 1:
            return f"{bases[0]}[{', '.join(named)}]"
    return ", ".join(members)


def merge(
    labels: list[str],
    answers: Mapping[str, tuple],
    differing: set[frozenset[str]],
) -> list[Group]:
    """Groups of labels with equal `answers` (one hashable signature per label) and no recorded
    divergence between any two of them, in the order of `labels`."""
    groups: list[list[str]] = []
    for label in labels:
        for group in groups:
            head = group[0]
            if answers[head] == answers[label] and not any(
                frozenset((member, label)) in differing for member in group
            ):
                group.append(label)
                break
        else:
            groups.append([label])
    return [Group(tuple(group)) for group in groups]


def merged(section: Section) -> Section:
    """The section with the rows of its adapter tables that read alike merged into one, named
    as a group."""
    for index, block in enumerate(section.blocks):
        if not isinstance(block, Table) or not block.header or block.header[0] != "adapter":
            continue
        alike: dict[tuple[str, ...], list[str]] = {}
        for row in block.rows:
            alike.setdefault(tuple(row[1:]), []).append(row[0])
        section.blocks[index] = Table(
            block.header, tuple((group_name(names), *cells) for cells, names in alike.items())
        )
    return section
