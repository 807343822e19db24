"""The case strategy reaches every region that hides bugs, often enough to matter."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from harness import ops
from harness.case import OPS, op_rank
from harness.families.conv.record import CLASSIC
from harness.families.conv.strategies import cases, coverage
from harness.model import inputs
from harness.model.strategies import draw_cases, draw_plan


@pytest.mark.parametrize("op", list(OPS))
def test_every_interesting_region_is_drawn_in_at_least_one_percent_of_cases(op):
    family = ops.of_op(op)
    drawn = draw_cases(1000, seed=1, strategy=family.strategy(op))
    assert {case.op for case in drawn} == {op}
    seen = Counter(label for case in drawn for label in family.coverage(case))
    rare = {region: seen[region] for region in family.regions(op) if seen[region] < 10}
    assert not rare, f"{op}: regions drawn in fewer than 1% of 1000 cases: {rare}"


@pytest.mark.fast
def test_a_plan_over_every_operator_shares_the_cases_by_weight_and_keeps_conv2d_alone():
    plain = lambda op: cases(op=op)  # noqa: E731 - the convolution's strategy, unfocused
    plan = draw_plan(40, seed=2, ops=("conv1d", "conv2d", "conv3d"), strategy_of=plain)
    assert Counter(case.op for case in plan) == {"conv2d": 20, "conv1d": 10, "conv3d": 10}
    every = draw_plan(64, seed=2, ops=tuple(OPS), strategy_of=lambda op: ops.of_op(op).strategy(op))
    counted = Counter(case.op for case in every)
    # every operator drawn, a 2-d one twice as often as the others (the remainder to 2-d ones)
    unit = min(counted[op] for op in OPS)
    assert unit > 0 and sum(counted.values()) == 64
    for op in OPS:
        assert counted[op] in ((2 * unit, 2 * unit + 1) if op_rank(op) == 2 else (unit,)), op
    assert draw_plan(20, seed=2, ops=("conv2d",), strategy_of=plain) == draw_cases(20, 2, cases())


@pytest.mark.fast
def test_drawing_is_deterministic_for_a_seed():
    assert draw_cases(20, 7, cases()) == draw_cases(20, 7, cases())
    assert draw_cases(20, 7, cases()) != draw_cases(20, 8, cases())


@pytest.mark.fast
def test_classic_cases_sit_where_the_question_is():
    valid, same, one = (coverage(case) for case in CLASSIC)
    assert "odd total 'same' padding" in same  # 28 with k3 s2 needs 1 pixel: where does it go?
    assert "stride does not divide (i + pads - eff)" in valid


@pytest.mark.fast
def test_inputs_are_the_same_experiment_every_time_and_exact_in_bfloat16():
    x1, w1, b1 = inputs.arrays(CLASSIC[1])
    x2, w2, b2 = inputs.arrays(CLASSIC[1])
    assert (x1 == x2).all() and (w1 == w2).all() and (b1 == b2).all()
    for values in (x1, w1, b1):
        mantissa, _ = np.frexp(values)
        assert ((mantissa * 2**8) % 1 == 0).all()  # 8 significant bits: exact in bfloat16
