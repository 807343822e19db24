"""Padding inferred from output values: what the output proves, and nothing more."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from harness.case import Padding
from harness.families.conv.record import CLASSIC
from harness.families.conv.strategies import cases
from harness.model import inputs, reference
from harness.model.inference import dense_reference, fit_box, infer

pytestmark = pytest.mark.fast  # the inner-loop subset: python -m pytest -m fast

pads = st.tuples(*[st.integers(-2, 4)] * 4).map(lambda p: Padding.explicit(*p))
many = settings(max_examples=5 * settings().max_examples)


def _output(case, applied):
    x, w, b = inputs.arrays(case)
    return reference.conv(x, w, b, case.stride, case.dilation, applied, case.groups)


def _inferred(case, output):
    x, w, b = inputs.arrays(case)
    return infer(case, output, lambda margin: dense_reference(case, x, w, b, margin))


def test_the_classic_question_same_and_padding_one_are_told_apart_by_values():
    same = _inferred(CLASSIC[1], _output(CLASSIC[1], (0, 1, 0, 1)))
    one = _inferred(CLASSIC[2], _output(CLASSIC[2], (1, 1, 1, 1)))
    assert same.to_json() == [[0, 0], [1, 2], [0, 0], [1, 2]]
    assert one.to_json() == [[1, 1], [0, 1], [1, 1], [0, 1]]
    assert not same.overlaps(one)


@many
@given(cases(padding=pads, dtype=st.just("float64")))
def test_the_applied_pads_are_always_among_the_inferred(case):
    try:
        output = _output(case, case.padding.pads)
    except ValueError:
        assume(False)  # the pads crop the whole input away
    assume(output.size > 0)
    inferred = _inferred(case, output)
    assert inferred is not None
    assume(inferred.proven)  # windows of pure padding prove no particular pad
    assert inferred.contains(case.padding.pads), inferred


@many
@given(cases(padding=pads, dtype=st.just("float64")), st.data())
def test_where_the_near_pads_are_pinned_every_padding_in_the_box_gives_the_same_output(case, data):
    """The ranges are per side. Where the values pin the top and left pads (the usual case),
    the bottom/right ranges are exactly the pads that keep the output: the box is exact. (Where a
    near pad is itself a range, the far range is the union over it, so not every combination
    of the two fits.)"""
    try:
        output = _output(case, case.padding.pads)
    except ValueError:
        assume(False)
    inferred = _inferred(case, output)
    assume(output.size > 0 and inferred.proven)
    ranges = inferred.ranges
    assume(ranges[0][0] == ranges[0][1] and ranges[2][0] == ranges[2][1])
    other = tuple(data.draw(st.integers(lo, hi)) for lo, hi in ranges)
    again = _output(case, other)
    assert again.shape == output.shape
    np.testing.assert_allclose(again, output, rtol=1e-9, atol=1e-9)


def test_an_output_no_padding_explains_is_unexplained():
    case = CLASSIC[1]
    noise = np.random.default_rng(0).standard_normal((1, 16, 14, 14))
    assert _inferred(case, noise) is None


def test_an_empty_output_proves_nothing():
    case = CLASSIC[0]
    empty = np.zeros((1, 16, 0, 13))
    inferred = _inferred(case, empty)
    assert inferred is not None and not inferred.proven and inferred.to_json() is None


def _window(start, out, stride) -> tuple[slice, ...]:
    return tuple(
        slice(a, a + (o - 1) * s + 1, s) for a, o, s in zip(start, out, stride, strict=True)
    )


@many
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=3).flatmap(
        lambda out: st.tuples(
            st.just(out),
            st.lists(st.integers(1, 3), min_size=len(out), max_size=len(out)),
            st.lists(st.integers(1, 6), min_size=len(out), max_size=len(out)),
        )
    ),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.0, 1e-3, 0.5]),
)
def test_the_staged_search_finds_exactly_the_starts_within_tolerance(shape, seed, noise):
    """fit_box() against its definition: per axis, the extremes of the starts whose slice of the
    dense map is within the tolerance of the output over the whole output, found by looking at
    every start."""
    out, stride, counts = shape
    rng = np.random.default_rng(seed)
    size = [c + (o - 1) * s for c, o, s in zip(counts, out, stride, strict=True)]
    dense = rng.integers(-2, 3, size=(2, 3, *size)).astype(np.float64)  # repeats: several fits
    start = [int(rng.integers(0, c)) for c in counts]
    output = dense[(slice(None), slice(None), *_window(start, out, stride))]
    output = output + noise * rng.standard_normal(output.shape)
    tolerance = 1e-3 * max(float(np.linalg.norm(output)), 1e-30)
    expected = []
    for candidate in np.ndindex(*counts):
        view = _window(candidate, out, stride)
        if np.sqrt(((dense[(slice(None), slice(None), *view)] - output) ** 2).sum()) <= tolerance:
            expected.append(candidate)
    box = None
    if expected:
        box = tuple(
            (min(c[a] for c in expected), max(c[a] for c in expected)) for a in range(len(counts))
        )
    assert fit_box(dense, output, counts, stride, tolerance) == box
