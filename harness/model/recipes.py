"""Porting recipes (data/recipes.toml): one framework's padding word, written out in another.

A recipe's explicit "twin" of a case keeps the data and everything else, and replaces the
word with the pads the source framework documents for it; the target runs the twin. The
survey plans twins next to the cases they port, so every run checks every recipe.
The word may also be `ceil_mode` (pooling): the twin drops it and writes the overhang its
last windows need out as high pads; an average that counts the padding has no such twin (the
overhang would be counted).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from harness.case import OPS, Case, Padding
from harness.model import conventions, transposed_recipes

CONV_OPS = tuple(op for op, (family, _) in OPS.items() if family == "conv")  # a recipe's default

CONV_OPS = tuple(op for op, (family, _) in OPS.items() if family == "conv")


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
    ops: tuple[str, ...] = CONV_OPS  # the operators the target can state the pads for
    form: str = ""  # a transposed recipe's: how the target states the crops (transposed_recipes)

    def twin(self, case: Case) -> Case | None:
        """The case with this recipe's word replaced by the source's pads, if it has the word
        and the recipe holds for its operator."""
        if case.op not in self.ops:
            return None
        if self.form:
            if not transposed_recipes.selects(self.word, case):
                return None
            crops = conventions.load()[self.framework].pads(case)
            return None if crops is None else transposed_recipes.twin(self.form, case, crops)
        if self.word == "ceil_mode":
            if not case.ceil_mode or case.count_include_pad:
                return None
        elif case.padding.kind != self.word:
            return None
        pads = conventions.load()[self.framework].pads(case)
        assert pads is not None
        if self.word == "ceil_mode":  # the overhang only: where ceil_mode drops a window that
            # floor mode keeps (a pad as large as the kernel), the source refuses the case
            asked = case.padding.pads if case.padding.kind == "explicit" else (0,) * len(pads)
            pads = tuple(max(p, a) for p, a in zip(pads, asked, strict=True))
        return dataclasses.replace(case, padding=Padding.explicit(*pads), ceil_mode=False)


def _recipe(raw: dict) -> Recipe:
    ops = tuple(raw.pop("ops", CONV_OPS))
    unknown = sorted(set(ops) - set(OPS))
    if unknown:
        raise ValueError(f"recipes: {raw.get('id')}: unknown ops {unknown}")
    if raw.get("form", "") not in ("", *transposed_recipes.FORMS):
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
