"""What an operator family gives the harness above the model: the record every generic room
reads (harness/ops gathers one per family, from harness/families/<family>/record.py). What a
case of the family is, below the model, is its `operators` (harness/families/operators.py)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from harness.case import Case, Padding, Pads
from harness.families.operators import Operators
from harness.model import focus
from harness.model.inference import Inferred

# a recipe's twin: twin(word, form, case, documented) with `documented()` the source
# framework's pads for the case (harness/model/recipes.py)
Twin = Callable[[str, str, Case, Callable[[], Pads | None]], Case | None]


def word_twin(
    word: str, form: str, case: Case, documented: Callable[[], Pads | None]
) -> Case | None:
    """The case with the padding word `word` written out as the pads the source documents."""
    if case.padding.kind != word:
        return None
    pads = documented()
    assert pads is not None
    return dataclasses.replace(case, padding=Padding.explicit(*pads))


@dataclass(frozen=True)
class Family:
    name: str  # the family's name: conv, conv_transpose, pool
    ops: tuple[str, ...]
    title: str  # how the report heads its section, e.g. "Convolution"
    operators: Operators  # what a case of the family is (harness/families/<family>/operators.py)
    # float64 reference output of a case under explicit pads: reference(case, x, w, b, pads);
    # w and b are None for pooling
    reference: Callable[[Case, np.ndarray, np.ndarray | None, np.ndarray | None, Pads], np.ndarray]
    # the pads an output proves: infer(case, output, x, w, b, dense_cache)
    infer: Callable[..., Inferred | None]
    strategy: Callable[[str], st.SearchStrategy[Case]]  # strategy(op)
    coverage: Callable[[Case], list[str]]
    regions: Callable[[str], tuple[str, ...]]  # the coverage regions each op must reach
    classic: tuple[Case, ...]  # the cases the report and the suite always ask
    # bytes one case needs before it runs (harness/running/memory.py budgets it); a family
    # whose output is not about its input's size gives its own, from footprint()
    memory: Callable[[Case], int] = lambda case: default_memory(case)
    # the focus moves its cases take, by region (harness/model/focus.py: shared or its own)
    focus: Mapping[str, focus.Move] = field(default_factory=dict)
    # the strategy the property suite narrows by strategies.cases's keywords (padding, stride,
    # dtype); None: the family's strategy, drawn only where nothing is narrowed
    narrowable: Callable[..., st.SearchStrategy[Case]] | None = None
    twin: Twin = word_twin  # a porting recipe's explicit twin of a case
    recipe_forms: tuple[str, ...] = ()  # the recipe forms its twin takes (recipes.toml `form`)

    @classmethod
    def of(
        cls, operators: Operators, cases: Callable[..., st.SearchStrategy[Case]], **hooks
    ) -> Family:
        """A family's record from its Operators and its strategies' `cases(op=...)`: its name,
        operators and one strategy per operator come from them; the rest is `hooks`."""
        return cls(
            name=operators.name,
            ops=tuple(operators.ops),
            operators=operators,
            strategy=lambda op: cases(op=op),
            **hooks,
        )


ITEMSIZE = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8}


def footprint(case: Case, output: int, dense: int) -> int:
    """Bytes of a case with `output` output and `dense` dense-map elements: the float64 input
    and weight a worker builds, the framework's copy and its layout conversion, the output as
    the framework holds it and as float64 (the worker's copy and the pipe's), the float64
    reference of the output and the inference's dense map."""
    size = ITEMSIZE[case.dtype]
    arrays = math.prod(case.input_shape) + math.prod(case.weight_shape) + case.out_channels
    return arrays * (8 + 2 * size) + output * (size + 8 + 8 + 8) + dense * 8


def weighted_reference(conv: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """A `reference` hook from conv(x, w, b, stride, dilation, pads, groups), a family with a
    weight's float64 operator."""

    def reference(case: Case, x, w, b, pads: Pads) -> np.ndarray:
        return conv(x, w, b, case.stride, case.dilation, pads, case.groups)

    return reference


def dense_inference(
    infer: Callable[..., Inferred | None], dense_reference: Callable[..., np.ndarray]
) -> Callable[..., Inferred | None]:
    """An `infer` hook from infer(case, output, dense_for) and dense_reference(case, x, w, b,
    margin): each margin's dense map built once, kept in the case's cache across its outputs."""

    def inferred(case: Case, output: np.ndarray, x, w, b, dense: dict[int, np.ndarray]):
        def dense_for(margin: int) -> np.ndarray:
            if margin not in dense:
                dense[margin] = dense_reference(case, x, w, b, margin)
            return dense[margin]

        return infer(case, output, dense_for)

    return inferred


def default_memory(case: Case) -> int:
    """A bound for a family that gives none: an output as large as the input per channel,
    and a dense map of three times each spatial size."""
    per_channel = case.batch * math.prod(case.spatial)
    return footprint(case, per_channel * case.out_channels, per_channel * 3**case.rank)
