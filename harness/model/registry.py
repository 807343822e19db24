"""The known-divergence registry (data/registry.toml): the only way a difference is expected.

Two kinds of entry, each with a citation:
- convention: documented refusals (conventions.toml rule ids) that make frameworks
  disagree on accepting a case. The refusing side's EXPECTED_REJECT under one of
  these rules explains the disagreement. A convention that names adapters and verdicts
  marks those verdicts as known: an API documented to compute something else (a kernel
  it does not flip), measured as such.
- upstream_bug: a measured departure from a framework's own documentation, scoped to
  adapters, a `when` table and the verdicts it produces. It marks those verdicts as
  known, and explains the cross-framework differences they cause. A bug that lives in one
  instruction set's kernels names the CPU flag it needs (`cpu`, e.g. "avx512f"): its repro is
  run only on hosts that have it. A bug that only some releases show names them
  (`releases = { keras = "<3.14.0" }`): it marks the answers of release variants in that
  range, and never the harness's own environment's (the pinned release, outside every range:
  a test checks).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from harness.catalog import plugins, variants
from harness.model.conventions import refusal_ids
from harness.model.features import check_when, matches
from harness.model.outcome import unreleased
from harness.model.verdicts import EXPECTED, VERDICTS
from harness.model.versions import in_range

KINDS = ("convention", "upstream_bug")


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    summary: str
    citation: str
    rules: tuple[str, ...] = ()
    adapters: tuple[str, ...] = ()
    when: Any = None  # dict; kept as Any so the dataclass stays hashable by id
    verdicts: tuple[str, ...] = ()
    aspects: tuple[str, ...] = ()  # a convention's differences in shape, pads or values
    repro: str = ""
    shows: str = ""  # what the repro prints while the bug is there
    requires: str = ""  # the module the repro imports
    cpu: str = ""  # a CPU flag (/proc/cpuinfo) the bug needs: hosts without it compute right
    releases: tuple[tuple[str, str], ...] = ()  # (framework, bounds): the releases showing it

    def __hash__(self) -> int:
        return hash(self.id)


def in_releases(entry: Entry, adapter: str) -> bool:
    """Whether the release an adapter answered on (jax.lax{jax==0.8.3}) is one the entry is
    scoped to; every release where the entry names none; never the harness's own (no braces)
    where it names some."""
    if not entry.releases:
        return True
    _, brace, release = adapter.partition("{")
    framework, _, version = release.rstrip("}").partition("==")
    bounds = dict(entry.releases).get(framework)
    return bool(brace and bounds) and in_range(version, bounds or "")


@dataclass(frozen=True)
class Registry:
    entries: tuple[Entry, ...]

    def known_bug(self, adapter: str, verdict: str, facts: dict[str, Any]) -> str | None:
        """The upstream-bug entry that explains an unexpected verdict, if any.

        `facts` are the case's features under the adapter's framework convention.
        """
        for entry in self.entries:
            if (
                (entry.kind == "upstream_bug" or entry.verdicts)
                and unreleased(adapter) in entry.adapters
                and verdict in entry.verdicts
                and matches(entry.when, facts)
                and in_releases(entry, adapter)
            ):
                return entry.id
        return None

    def for_difference(
        self, aspect: str, adapters: tuple[str, ...], facts: dict[str, Any]
    ) -> str | None:
        """The convention entry that documents how one of the adapters differs in `aspect`."""
        for entry in self.entries:
            if (
                entry.kind == "convention"
                and aspect in entry.aspects
                and {unreleased(a) for a in adapters} & set(entry.adapters)
                and matches(entry.when, facts)
            ):
                return entry.id
        return None

    def for_rule(self, rule: str | None) -> str | None:
        """The convention entry that lists a documented refusal, if any."""
        for entry in self.entries:
            if rule is not None and rule in entry.rules:
                return entry.id
        return None

    def get(self, entry_id: str) -> Entry:
        return next(entry for entry in self.entries if entry.id == entry_id)


def _releases(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    """An entry's `releases` table, each range checked."""
    if not isinstance(raw, dict):
        raise ValueError(f'{where}: releases is a table, framework = "<3.14.0"')
    for framework, bounds in raw.items():
        try:
            in_range("0", str(bounds))
        except ValueError as error:
            raise ValueError(f"{where}: releases.{framework}: {error}") from None
    return tuple(sorted((str(k), str(v)) for k, v in raw.items()))


def parse(data: dict[str, Any]) -> Registry:
    if data.get("schema") != 1:
        raise ValueError("registry: unsupported schema")
    known_rules = refusal_ids()
    entries, seen = [], set()
    for raw in data.get("divergence", []):
        where = f"registry: {raw.get('id')!r}"
        if raw.get("id") in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(raw["id"])
        if raw.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if not raw.get("citation") or not raw.get("summary"):
            raise ValueError(f"{where}: every entry needs a summary and a citation")
        entry = Entry(
            id=raw["id"],
            kind=raw["kind"],
            summary=raw["summary"],
            citation=raw["citation"],
            rules=tuple(raw.get("rules", ())),
            adapters=tuple(raw.get("adapters", ())),
            when=check_when(raw.get("when", {}), where),
            verdicts=tuple(raw.get("verdicts", ())),
            aspects=tuple(raw.get("aspects", ())),
            repro=raw.get("repro", ""),
            shows=raw.get("shows", ""),
            requires=raw.get("requires", ""),
            cpu=raw.get("cpu", ""),
            releases=_releases(raw.get("releases", {}), where),
        )
        if entry.kind == "convention":
            unknown = set(entry.rules) - known_rules
            by_aspect = bool((entry.aspects or entry.verdicts) and entry.adapters)
            if unknown or not (entry.rules or by_aspect):
                raise ValueError(
                    f"{where}: needs documented refusal ids, or adapters and "
                    f"aspects; unknown: {sorted(unknown)}"
                )
            if set(entry.aspects) - {"shape", "pads", "divisor", "values"}:
                raise ValueError(f"{where}: aspects are shape, pads, divisor and values")
        else:
            if not entry.adapters or not entry.verdicts:
                raise ValueError(f"{where}: an upstream bug names its adapters and verdicts")
            bad = [v for v in entry.verdicts if v not in VERDICTS or v in EXPECTED]
            if bad:
                raise ValueError(f"{where}: {bad} are not unexpected verdicts")
            if "github.com" not in entry.citation and not entry.repro:
                raise ValueError(f"{where}: cite an upstream issue or give a minimal repro")
            if not (bool(entry.repro) == bool(entry.shows) == bool(entry.requires)):
                raise ValueError(f"{where}: a repro names what it requires and shows")
        entries.append(entry)
    return Registry(tuple(entries))


@cache
def load() -> Registry:
    """data/registry.toml, and the REGISTRY every variant's adapter module carries."""
    text = resources.files("harness").joinpath("data/registry.toml").read_text()
    data = tomllib.loads(text)
    for extra in plugins.data([v.module for v in variants.load()], "REGISTRY"):
        data["divergence"] = data.get("divergence", []) + tomllib.loads(extra).get("divergence", [])
    return parse(data)
