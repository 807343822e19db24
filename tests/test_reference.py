"""The float64 reference against a naive loop, and against facts that need no code."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from harness.case import Padding
from harness.families.conv.strategies import cases
from harness.model import inputs
from harness.model.reference import conv, pad

pytestmark = pytest.mark.fast  # the inner-loop subset: python -m pytest -m fast


def naive_conv(x, w, b, stride, dilation, pads, groups):
    """The definition, one output element at a time, reading zeros outside the input: any rank."""
    n, _, *size = x.shape
    o, cg, *kernel = w.shape
    low = pads[0::2]
    out_size = [
        max((i + lo + hi - d * (k - 1) - 1) // s + 1, 0)
        for i, lo, hi, k, s, d in zip(size, low, pads[1::2], kernel, stride, dilation, strict=True)
    ]
    out = np.zeros((n, o, *out_size))
    for batch, channel, *position in np.ndindex(*out.shape):
        group = channel // (o // groups)
        total = 0.0 if b is None else b[channel]
        for ci in range(cg):
            for tap in np.ndindex(*kernel):
                at = [
                    p * s + t * d - lo
                    for p, s, t, d, lo in zip(position, stride, tap, dilation, low, strict=True)
                ]
                if all(0 <= a < i for a, i in zip(at, size, strict=True)):
                    total += x[(batch, group * cg + ci, *at)] * w[(channel, ci, *tap)]
        out[(batch, channel, *position)] = total
    return out


def explicit_pads(rank: int):
    return st.tuples(*[st.integers(0, 3)] * (2 * rank)).map(lambda p: Padding.explicit(*p))


@settings(max_examples=5 * settings().max_examples)
@given(st.data(), st.sampled_from([("conv1d", 1), ("conv2d", 2), ("conv3d", 3)]))
def test_reference_matches_the_naive_loop_at_every_rank(data, op_rank):
    op, rank = op_rank
    case = data.draw(cases(padding=explicit_pads(rank), op=op))
    x, w, b = inputs.arrays(case)
    args = (case.stride, case.dilation, case.padding.pads, case.groups)
    np.testing.assert_allclose(
        conv(x, w, b, *args), naive_conv(x, w, b, *args), rtol=1e-12, atol=1e-12
    )


@given(st.integers(1, 6), st.integers(1, 6), st.tuples(*[st.integers(-2, 2)] * 4))
def test_padded_pixel_r_c_is_input_pixel_r_minus_top_c_minus_left_or_zero(h, w, pads):
    """Negative pads crop: the same rule read from the other side."""
    top, bottom, left, right = pads
    assume(h + top + bottom >= 0 and w + left + right >= 0)
    x = np.arange(1, h * w + 1, dtype=float).reshape(1, 1, h, w)
    padded = pad(x, pads)
    assert padded.shape[2:] == (h + top + bottom, w + left + right)
    for r, c in np.ndindex(*padded.shape[2:]):
        inside = 0 <= r - top < h and 0 <= c - left < w
        assert padded[0, 0, r, c] == (x[0, 0, r - top, c - left] if inside else 0)


def test_identity_kernel_returns_the_input():
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 7))
    w = np.zeros((3, 3, 1, 1))
    w[[0, 1, 2], [0, 1, 2]] = 1.0
    np.testing.assert_array_equal(conv(x, w, None, (1, 1), (1, 1), (0, 0, 0, 0), 1), x)


def test_cross_correlation_does_not_flip_the_kernel():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 0, 0] = 1.0  # a single 1 in the top-left corner
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    out = conv(x, w, None, (1, 1), (1, 1), (2, 2, 2, 2), 1)
    # The output pixel whose window puts kernel tap (i, j) on the 1 holds w[i, j].
    assert out[0, 0, 2, 2] == w[0, 0, 0, 0] and out[0, 0, 0, 0] == w[0, 0, 2, 2]


def test_kernel_larger_than_the_padded_input_gives_an_empty_axis():
    out = conv(np.ones((1, 1, 2, 5)), np.ones((1, 1, 3, 3)), None, (1, 1), (1, 1), (0, 0, 0, 0), 1)
    assert out.shape == (1, 1, 0, 3)
