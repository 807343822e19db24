"""Pooling (max_pool1d/2d/3d, avg_pool1d/2d/3d): the family record, and the classic questions.

No weight, no bias: channels pass through. The arithmetic lives in the modules of this folder
the record names: reference (float64 max with -inf padding, average under each divisor rule),
inference (pads and the divisor proven by values), strategies (cases and their coverage
regions) and recipes (its twins); what a case of it is and its ceil_mode and divisor
conventions are below the model (operators, rules).
"""

from __future__ import annotations

import numpy as np

from harness.case import Case, Padding, Pads
from harness.families.family import Family
from harness.families.pool import focus, inference, recipes, strategies
from harness.families.pool.operators import OPERATORS
from harness.model.inference import Inferred


def _case(op: str, size: int, kernel: int, stride: int, padding, **flags) -> Case:
    return Case(
        op=op,
        batch=1,
        in_channels=3,
        out_channels=3,
        spatial=(size, size),
        kernel=(kernel, kernel),
        stride=(stride, stride),
        padding=Padding.parse(padding),
        bias=False,
        **flags,
    )


# The classic questions: the ResNet stem's MaxPool2d(3, stride=2, padding=1) on 112x112;
# ceil_mode on an odd size (MaxPool2d(2, 2, ceil_mode=True) on 7x7, and the 3x3 stride-2 pad-1
# one); AvgPool2d(3, stride=2, padding=1) with and without counting the padding; and
# TensorFlow's 'SAME' average of the same window.
CLASSIC = (
    _case("max_pool2d", 112, 3, 2, 1),
    _case("max_pool2d", 7, 2, 2, 0, ceil_mode=True),
    _case("max_pool2d", 7, 3, 2, 1, ceil_mode=True),
    _case("avg_pool2d", 7, 3, 2, 1, count_include_pad=True),
    _case("avg_pool2d", 7, 3, 2, 1),
    _case("avg_pool2d", 7, 3, 2, "same"),
)


def _reference(case: Case, x, w, b, pads: Pads) -> np.ndarray:
    return inference.reference(case, x, pads)


def _infer(case: Case, output: np.ndarray, x, w, b, dense: dict) -> Inferred | None:
    return inference.infer(case, output, x, dense)


POOL = Family.of(
    OPERATORS,
    strategies.cases,
    title="Pooling",
    reference=_reference,
    infer=_infer,
    coverage=strategies.coverage,
    regions=strategies.regions,
    classic=CLASSIC,
    focus=focus.MOVES,
    narrowable=strategies.cases,
    twin=recipes.recipe_twin,
)
