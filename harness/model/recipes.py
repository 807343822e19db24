"""Porting recipes (data/recipes.toml): one framework's padding word, written out in another.

A recipe's explicit "twin" of a case keeps the data and everything else, and replaces the
word with the pads the source framework documents for it; the target runs the twin. The
survey plans twins next to the cases they port, so every run checks every recipe.
How a twin is written is the case's family's (its record's `twin`: a padding word written out
by default; pooling's `ceil_mode` as high pads; a transposed recipe's `form`, the crops in the
target's spelling, harness/families/<family>/recipes.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from harness.case import DEFAULT_OP, OPS, Case
from harness.model import conventions
from harness.ops import FAMILIES, family, of_op

# a recipe's default operators: those of the family of a case without "op"
DEFAULT_OPS = of_op(DEFAULT_OP).ops
FORMS = tuple(form for record in FAMILIES.values() for form in record.recipe_forms)


@dataclass(frozen=True)
class Recipe:
    id: str
    title: str
    source: str  # adapter whose padding word is ported
    framework: str  # the source's framework: its documented convention gives the pads
    word: (
        str  # same | same_lower | ceil_mode; a transposed recipe's: same | explicit | output_shape
    )
    target: str  # adapter that runs the explicit twin
    construction: str
    ops: tuple[str, ...] = DEFAULT_OPS  # the operators the target can state the pads for
    form: str = ""  # how the target states the pads, where its family has forms (FORMS)

    def twin(self, case: Case) -> Case | None:
        """The case with this recipe's word replaced by the source's pads, if it has the word
        and the recipe holds for its operator."""
        if case.op not in self.ops:
            return None
        return family(case).twin(
            self.word, self.form, case, lambda: conventions.load()[self.framework].pads(case)
        )


def _recipe(raw: dict) -> Recipe:
    ops = tuple(raw.pop("ops", DEFAULT_OPS))
    unknown = sorted(set(ops) - set(OPS))
    if unknown:
        raise ValueError(f"recipes: {raw.get('id')}: unknown ops {unknown}")
    if raw.get("form", "") not in ("", *FORMS):
        raise ValueError(f"recipes: {raw.get('id')}: unknown form {raw['form']!r}")
    return Recipe(**{**raw, "construction": raw["construction"].strip()}, ops=ops)


@cache
def load() -> tuple[Recipe, ...]:
    text = resources.files("harness").joinpath("data/recipes.toml").read_text()
    data = tomllib.loads(text)
    if data.get("schema") != 1:
        raise ValueError("recipes: unsupported schema")
    found = tuple(_recipe(raw) for raw in data["recipe"])
    for recipe in found:
        if recipe.framework not in conventions.load():
            raise ValueError(f"recipes: {recipe.id}: no convention for {recipe.framework}")
    return found


TWINS_PER_RECIPE = 250  # enough to check a recipe across many cases; a larger plan adds no more


def with_twins(cases: Iterable[Case]) -> list[Case]:
    """The cases, then the first TWINS_PER_RECIPE twins of each recipe not already among them,
    in a stable order."""
    cases = list(cases)
    seen = {case.id for case in cases}
    twins = []
    made: dict[str, int] = {}
    for case in cases:
        for recipe in load():
            twin = recipe.twin(case)
            if twin is None or made.get(recipe.id, 0) >= TWINS_PER_RECIPE:
                continue
            made[recipe.id] = made.get(recipe.id, 0) + 1
            if twin.id not in seen:
                seen.add(twin.id)
                twins.append(twin)
    return cases + twins
