"""The case strategy reaches every region that hides bugs, often enough to matter."""

from __future__ import annotations

from collections import Counter

import numpy as np

from harness import inputs
from harness.ops.conv import CLASSIC
from harness.strategies import coverage, draw_cases

REGIONS = [
    "odd total 'same' padding",
    "kh != kw",
    "sh != sw",
    "dh != dw",
    "stride does not divide (i + pads - eff)",
    "even kernel",
    "dilated and strided",
    "grouped",
    "stride larger than kernel",
    "kernel larger than padded input",
    "output size 0",
    "output size negative",
    "empty batch",
    "negative explicit pad",
    "asymmetric explicit pads",
    "padding valid",
    "padding same",
    "padding same_lower",
    "padding explicit",
    "dtype float32",
    "dtype float64",
    "dtype float16",
    "dtype bfloat16",
]


def test_every_interesting_region_is_drawn_in_at_least_one_percent_of_cases():
    drawn = draw_cases(1000, seed=1)
    seen = Counter(label for case in drawn for label in coverage(case))
    rare = {region: seen[region] for region in REGIONS if seen[region] < 10}
    assert not rare, f"regions drawn in fewer than 1% of 1000 cases: {rare}"


def test_drawing_is_deterministic_for_a_seed():
    assert draw_cases(20, seed=7) == draw_cases(20, seed=7)
    assert draw_cases(20, seed=7) != draw_cases(20, seed=8)


def test_classic_cases_sit_where_the_question_is():
    valid, same, one = (coverage(case) for case in CLASSIC)
    assert "odd total 'same' padding" in same  # 28 with k3 s2 needs 1 pixel: where does it go?
    assert "stride does not divide (i + pads - eff)" in valid


def test_inputs_are_the_same_experiment_every_time_and_exact_in_bfloat16():
    x1, w1, b1 = inputs.arrays(CLASSIC[1])
    x2, w2, b2 = inputs.arrays(CLASSIC[1])
    assert (x1 == x2).all() and (w1 == w2).all() and (b1 == b2).all()
    for values in (x1, w1, b1):
        mantissa, _ = np.frexp(values)
        assert ((mantissa * 2**8) % 1 == 0).all()  # 8 significant bits: exact in bfloat16
