"""Each framework's documented Conv2d convention, read from data/conventions.toml.

This module turns the data into answers: which pads a framework says it applies
to a case, which output shape follows, and whether it documents a refusal.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from . import oracle
from .case import Case
from .features import Pads, check_when, features, matches, output_hw


@dataclass(frozen=True)
class SameRule:
    total: str
    split: str
    citation: str

    def pads(self, case: Case) -> Pads:
        per_axis = [
            oracle.split(self.split, oracle.same_total(self.total, i, k, s, d))
            for i, k, s, d in (
                (case.height, case.kernel[0], case.stride[0], case.dilation[0]),
                (case.width, case.kernel[1], case.stride[1], case.dilation[1]),
            )
        ]
        return (*per_axis[0], *per_axis[1])


@dataclass(frozen=True)
class Refusal:
    id: str
    when: dict[str, Any]
    message: str
    citation: str
    error: str | None = None
    apis: tuple[str, ...] = ()

    def applies(self, api: str, facts: dict[str, Any]) -> bool:
        return (not self.apis or api in self.apis) and matches(self.when, facts)

    def explains(self, error: str) -> bool:
        return re.search(self.message, error) is not None


@dataclass(frozen=True)
class Convention:
    framework: str
    name: str
    output: str
    same: SameRule | None
    same_lower: SameRule | None
    refusals: tuple[Refusal, ...] = field(default=())

    def pads(self, case: Case) -> Pads | None:
        """The per-side pads this framework documents for the case; None if it has no such word."""
        kind = case.padding.kind
        if kind == "valid":
            return (0, 0, 0, 0)
        if kind == "explicit":
            return case.padding.pads
        rule = self.same if kind == "same" else self.same_lower
        return rule.pads(case) if rule else None

    def facts(self, case: Case) -> dict[str, Any]:
        """features() of the case under this framework's pads and output rounding."""
        return features(case, self.pads(case) or (0, 0, 0, 0), self.output)

    def expect(self, case: Case, api: str) -> Expectation:
        pads = self.pads(case)
        if pads is None:
            return Expectation(pads=None, shape=None, refusals=(), negative=False)
        height, width = output_hw(case, pads, self.output)
        refusals = tuple(rule for rule in self.refusals if rule.applies(api, self.facts(case)))
        return Expectation(
            pads=pads,
            shape=(case.batch, case.out_channels, height, width),
            refusals=refusals,
            negative=min(height, width) < 0,
        )


@dataclass(frozen=True)
class Expectation:
    """What the documentation predicts for one case on one API."""

    pads: Pads | None
    shape: tuple[int, int, int, int] | None
    refusals: tuple[Refusal, ...]
    negative: bool  # the framework's own formula gives a negative size


def _same_rule(data: Any, where: str) -> SameRule | None:
    if data is None:
        return None
    rule = SameRule(total=data["total"], split=data["split"], citation=data["citation"])
    if rule.total not in oracle.TOTAL_RULES or rule.split not in oracle.SPLIT_RULES:
        raise ValueError(f"{where}: unknown 'same' rule {data!r}")
    return rule


def parse(data: dict[str, Any]) -> dict[str, Convention]:
    """Validate the TOML document and build one Convention per framework."""
    if data.get("schema") != 1:
        raise ValueError("conventions: unsupported schema")
    result = {}
    ids: set[str] = set()
    for framework, body in data["frameworks"].items():
        where = f"conventions: {framework}"
        if body.get("output") not in oracle.ROUNDINGS:
            raise ValueError(f"{where}: output must be one of {', '.join(oracle.ROUNDINGS)}")
        refusals = []
        for raw in body.get("refusals", []):
            if not raw.get("citation"):
                raise ValueError(f"{where}: refusal {raw.get('id')!r} has no citation")
            if raw["id"] in ids:
                raise ValueError(f"{where}: duplicate refusal id {raw['id']!r}")
            ids.add(raw["id"])
            re.compile(raw["message"])
            refusals.append(
                Refusal(
                    id=raw["id"],
                    when=check_when(raw["when"], f"{where}/{raw['id']}"),
                    message=raw["message"],
                    citation=raw["citation"],
                    error=raw.get("error"),
                    apis=tuple(raw.get("apis", ())),
                )
            )
        result[framework] = Convention(
            framework=framework,
            name=body["name"],
            output=body["output"],
            same=_same_rule(body.get("same"), where),
            same_lower=_same_rule(body.get("same_lower"), where),
            refusals=tuple(refusals),
        )
    return result


def parse_text(text: str) -> dict[str, Convention]:
    """Conventions in TOML text, e.g. those an adapter module carries for its own framework."""
    return parse(tomllib.loads(text))


@cache
def load() -> dict[str, Convention]:
    """data/conventions.toml, and the CONVENTIONS every variant's adapter module carries."""
    from . import variants

    return with_modules([variant.module for variant in variants.load()], _base())


@cache
def _base() -> dict[str, Convention]:
    text = resources.files("harness").joinpath("data/conventions.toml").read_text()
    return parse(tomllib.loads(text))


def with_modules(
    modules: list[str], base: dict[str, Convention] | None = None
) -> dict[str, Convention]:
    """The conventions, plus those the named adapter modules carry for their frameworks."""
    from . import plugins

    found = dict(load() if base is None else base)
    for text in plugins.data(modules, "CONVENTIONS"):
        found.update(parse_text(text))
    return found


def refusal_ids() -> set[str]:
    return {rule.id for convention in load().values() for rule in convention.refusals}
