"""The float64 reference against a naive loop, and against facts that need no code."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from harness import inputs
from harness.case import Padding
from harness.reference import conv2d, pad
from harness.strategies import cases


def naive_conv2d(x, w, b, stride, dilation, pads, groups):
    """The definition, one output element at a time, reading zeros outside the input."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    top, bottom, left, right = pads
    oh = (h + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, max(oh, 0), max(ow, 0)))
    for index in np.ndindex(*out.shape):
        batch, channel, row, col = index
        group = channel // (o // groups)
        total = 0.0 if b is None else b[channel]
        for ci in range(cg):
            for i in range(kh):
                for j in range(kw):
                    r = row * stride[0] + i * dilation[0] - top
                    q = col * stride[1] + j * dilation[1] - left
                    if 0 <= r < h and 0 <= q < wd:
                        total += x[batch, group * cg + ci, r, q] * w[channel, ci, i, j]
        out[index] = total
    return out


explicit_pads = st.tuples(*[st.integers(0, 3)] * 4).map(lambda p: Padding.explicit(*p))


@settings(max_examples=5 * settings().max_examples)
@given(cases(padding=explicit_pads))
def test_reference_matches_the_naive_loop(case):
    x, w, b = inputs.arrays(case)
    args = (case.stride, case.dilation, case.padding.pads, case.groups)
    np.testing.assert_allclose(
        conv2d(x, w, b, *args), naive_conv2d(x, w, b, *args), rtol=1e-12, atol=1e-12
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
    np.testing.assert_array_equal(conv2d(x, w, None, (1, 1), (1, 1), (0, 0, 0, 0), 1), x)


def test_cross_correlation_does_not_flip_the_kernel():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 0, 0] = 1.0  # a single 1 in the top-left corner
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    out = conv2d(x, w, None, (1, 1), (1, 1), (2, 2, 2, 2), 1)
    # The output pixel whose window puts kernel tap (i, j) on the 1 holds w[i, j].
    assert out[0, 0, 2, 2] == w[0, 0, 0, 0] and out[0, 0, 0, 0] == w[0, 0, 2, 2]


def test_kernel_larger_than_the_padded_input_gives_an_empty_axis():
    out = conv2d(
        np.ones((1, 1, 2, 5)), np.ones((1, 1, 3, 3)), None, (1, 1), (1, 1), (0, 0, 0, 0), 1
    )
    assert out.shape == (1, 1, 0, 3)
