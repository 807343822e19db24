"""Each framework's documented conventions, per operator family, read from data/conventions.toml.

This module turns the data into answers: which pads a framework says it applies to a case,
which output shape follows, and whether it documents a refusal. `Convention.resolve` computes
them once per (case, framework); verdicts, comparisons and the registry all read that view.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from harness.case import DEFAULT_OP, OPS, Case, Pads
from harness.catalog import plugins, variants
from harness.families import OPERATORS
from harness.families.operators import FamilyRules, arranged
from harness.model import oracle
from harness.model.features import check_when, features, matches, output_spatial

FAMILIES = tuple(sorted(OPERATORS))


@dataclass(frozen=True)
class SameRule:
    total: str
    split: str
    citation: str

    def pads(self, case: Case) -> Pads:
        return tuple(
            pad
            for i, k, s, d in zip(
                case.spatial, case.kernel, case.stride, case.dilation, strict=True
            )
            for pad in oracle.split(self.split, oracle.same_total(self.total, i, k, s, d))
        )


@dataclass(frozen=True)
class Refusal:
    id: str
    when: dict[str, Any]
    message: str
    citation: str
    error: str | None = None
    apis: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()  # where only some variants refuse (a layout, a backend)

    def applies(self, api: str, facts: dict[str, Any], variant: str = "") -> bool:
        """Whether the rule covers the call; a variant's rule covers its release variants too
        (keras-jax's covers keras-jax@keras==3.13.2)."""
        return (
            (not self.apis or api in self.apis)
            and (not self.variants or variant.partition("@")[0] in self.variants)
            and matches(self.when, facts)
        )

    def explains(self, error: str) -> bool:
        return re.search(self.message, error) is not None


@dataclass(frozen=True)
class Resolved:
    """What one framework's documentation says of one case: computed once, read everywhere.

    `pads` is None where the framework has no such padding word (then nothing else is known).
    """

    pads: Pads | None
    shape: tuple[int, ...] | None
    facts: dict[str, Any] = field(hash=False, compare=False)
    negative: bool  # the framework's own formula gives a negative size
    rules: tuple[Refusal, ...] = ()
    divisor: str | None = None  # average pooling: "include" or "exclude" the padding
    # the output brought to the harness's canonical form, where the family's rules document an
    # arrangement of the framework's own (families.operators.arranged); None: as it comes
    arrange: Callable[[np.ndarray], np.ndarray] | None = field(
        default=None, hash=False, compare=False
    )

    def refusals(self, api: str, variant: str = "") -> tuple[Refusal, ...]:
        """The documented refusals of `api` (in `variant`) that hold for this case."""
        if self.pads is None:
            return ()
        return tuple(rule for rule in self.rules if rule.applies(api, self.facts, variant))


@dataclass(frozen=True)
class Rules:
    """One framework's documented rules for one operator family."""

    output: str
    same: SameRule | None
    same_lower: SameRule | None
    refusals: tuple[Refusal, ...] = ()
    # the family's own rules beyond the words (a transposed convolution's crops, pooling's
    # ceil_mode and divisor): its Operators.parse_rules
    family: FamilyRules | None = None

    def pads(self, case: Case) -> Pads | None:
        pads = self._word_pads(case)
        return pads if self.family is None else self.family.pads(case, pads, self.output)

    def _word_pads(self, case: Case) -> Pads | None:
        kind = case.padding.kind
        if kind == "valid":
            pads: Pads | None = (0,) * (2 * case.rank)
        elif kind == "explicit":
            pads = case.padding.pads
        else:
            rule = self.same if kind == "same" else self.same_lower
            pads = rule.pads(case) if rule else None
        return pads


@dataclass(frozen=True)
class Convention:
    framework: str
    name: str
    families: dict[str, Rules] = field(hash=False, compare=False)

    def rules(self, case: Case) -> Rules:
        try:
            return self.families[case.family]
        except KeyError:
            raise ValueError(f"{self.framework} documents no {case.family} rules") from None

    def pads(self, case: Case) -> Pads | None:
        """The per-side pads this framework documents for the case; None if it has no such word."""
        return self.rules(case).pads(case)

    def resolve(self, case: Case) -> Resolved:
        rules = self.rules(case)
        pads = rules.pads(case)
        facts = features(case, pads or (0,) * (2 * case.rank), rules.output)
        if pads is None:
            return Resolved(None, None, facts, False)
        spatial = output_spatial(case, pads, rules.output)
        return Resolved(
            pads=pads,
            shape=(case.batch, case.operators.output_channels(case), *spatial),
            facts=facts,
            negative=min(spatial) < 0,
            rules=rules.refusals,
            divisor=rules.family.divisor_of(case) if rules.family else None,
            arrange=arranged(rules.family, case),
        )


def _same_rule(data: Any, where: str) -> SameRule | None:
    if data is None:
        return None
    rule = SameRule(total=data["total"], split=data["split"], citation=data["citation"])
    if rule.total not in oracle.TOTAL_RULES or rule.split not in oracle.SPLIT_RULES:
        raise ValueError(f"{where}: unknown 'same' rule {data!r}")
    return rule


def _rules(family: str, body: dict[str, Any], where: str, ids: set[str]) -> Rules:
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
                variants=tuple(raw.get("variants", ())),
            )
        )
    return Rules(
        output=body["output"],
        same=_same_rule(body.get("same"), where),
        same_lower=_same_rule(body.get("same_lower"), where),
        refusals=tuple(refusals),
        family=OPERATORS[family].parse_rules(body, where),
    )


def parse(data: dict[str, Any]) -> dict[str, Convention]:
    """Validate the TOML document and build one Convention per framework.

    Schema 2 keys each framework's rules by operator family (`[frameworks.torch.conv]`);
    schema 1 (a plugin written before families) holds the conv rules at the top.
    """
    schema = data.get("schema")
    if schema not in (1, 2):
        raise ValueError("conventions: unsupported schema")
    result = {}
    ids: set[str] = set()
    for framework, body in data["frameworks"].items():
        where = f"conventions: {framework}"
        if schema == 1:
            first = OPS[DEFAULT_OP][0]  # the family of a case without "op"
            families = {first: _rules(first, body, where, ids)}
        else:
            unknown = sorted(set(body) - {"name", *FAMILIES})
            if unknown:
                raise ValueError(f"{where}: unknown operator family {unknown}")
            families = {
                family: _rules(family, body[family], f"{where}.{family}", ids)
                for family in FAMILIES
                if family in body
            }
        result[framework] = Convention(framework=framework, name=body["name"], families=families)
    return result


def parse_text(text: str) -> dict[str, Convention]:
    """Conventions in TOML text, e.g. those an adapter module carries for its own framework."""
    return parse(tomllib.loads(text))


@cache
def load() -> dict[str, Convention]:
    """data/conventions.toml, and the CONVENTIONS every variant's adapter module carries."""
    return with_modules([variant.module for variant in variants.load()], _base())


@cache
def _base() -> dict[str, Convention]:
    text = resources.files("harness").joinpath("data/conventions.toml").read_text()
    return parse(tomllib.loads(text))


def with_modules(
    modules: list[str], base: dict[str, Convention] | None = None
) -> dict[str, Convention]:
    """The conventions, plus those the named adapter modules carry for their frameworks."""
    found = dict(load() if base is None else base)
    for text in plugins.data(modules, "CONVENTIONS"):
        found.update(parse_text(text))
    return found


def refusal_ids() -> set[str]:
    return {
        rule.id
        for convention in load().values()
        for rules in convention.families.values()
        for rule in rules.refusals
    }
