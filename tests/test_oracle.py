"""The analytic oracle against Dumoulin & Visin's conv arithmetic (arXiv:1603.07285)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from harness.model.oracle import effective_kernel, output_size, same_total, split

pytestmark = pytest.mark.fast  # the inner-loop subset: python -m pytest -m fast

many = settings(max_examples=20 * settings().max_examples)
i_ = st.integers(1, 64)
k_ = st.integers(1, 9)
s_ = st.integers(1, 5)
d_ = st.integers(1, 4)
p_ = st.integers(0, 6)


@many
@given(i_, k_)
def test_relationship_1_no_padding_unit_stride(i, k):
    assert output_size(i, k, 1, 1, 0, 0) == i - k + 1


@many
@given(i_, k_, p_)
def test_relationship_2_padding_unit_stride(i, k, p):
    assert output_size(i, k, 1, 1, p, p) == i - k + 2 * p + 1


@many
@given(i_, st.integers(0, 4))
def test_relationship_3_half_padding_keeps_the_size(i, n):
    k = 2 * n + 1
    assert output_size(i, k, 1, 1, k // 2, k // 2) == i


@many
@given(i_, k_)
def test_relationship_4_full_padding_grows_by_k_minus_1(i, k):
    assert output_size(i, k, 1, 1, k - 1, k - 1) == i + k - 1


@many
@given(i_, k_, s_)
def test_relationship_5_no_padding_strided(i, k, s):
    assert output_size(i, k, s, 1, 0, 0) == (i - k) // s + 1


@many
@given(i_, k_, s_, p_)
def test_relationship_6_general(i, k, s, p):
    assert output_size(i, k, s, 1, p, p) == (i + 2 * p - k) // s + 1


@many
@given(i_, k_, s_, p_)
def test_relationship_6_inputs_sharing_an_output_size(i, k, s, p):
    """When i + 2p - k is a multiple of s, inputs i .. i+s-1 give the same size."""
    assume(i + 2 * p - k >= 0 and (i + 2 * p - k) % s == 0)
    sizes = {output_size(i + extra, k, s, 1, p, p) for extra in range(s)}
    assert sizes == {output_size(i, k, s, 1, p, p)}


@many
@given(i_, k_, s_, d_, p_)
def test_relationship_15_dilation(i, k, s, d, p):
    k_hat = k + (k - 1) * (d - 1)
    assert effective_kernel(k, d) == k_hat
    assert output_size(i, k, s, d, p, p) == (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1


@many
@given(i_, k_, s_, d_, st.integers(-8, 8), st.integers(-8, 8))
def test_asymmetric_pads_only_their_sum_matters(i, k, s, d, before, after):
    assert output_size(i, k, s, d, before, after) == output_size(i, k, s, d, before + after, 0)


@many
@given(i_, k_, s_, d_, st.integers(-8, 8))
def test_truncation_and_clamping_agree_with_floor_where_the_size_is_positive(i, k, s, d, p):
    floor = output_size(i, k, s, d, p, 0)
    truncated = output_size(i, k, s, d, p, 0, "truncate")
    clamped = output_size(i, k, s, d, p, 0, "clamp")
    assert truncated - floor in (0, 1)  # C division rounds up what floor rounds down
    if floor >= 0:
        assert truncated == floor == clamped
    else:
        assert clamped == 0 and truncated <= 0


def test_truncation_hides_an_overhang_smaller_than_the_stride():
    # i + pads - eff = -3 with stride 2: floor gives -1, C integer division gives 0.
    assert output_size(6, 9, 2, 1, 0, 0) == -1
    assert output_size(6, 9, 2, 1, 0, 0, "truncate") == 0
    assert output_size(6, 9, 2, 1, 0, 0, "clamp") == 0


@many
@given(i_, k_, s_, d_)
def test_minimal_same_gives_ceil_i_over_s(i, k, s, d):
    before, after = split("extra_at_end", same_total("minimal", i, k, s, d))
    assert output_size(i, k, s, d, before, after) == -(-i // s)


@many
@given(i_, k_, d_)
def test_the_two_same_totals_agree_at_stride_one(i, k, d):
    assert same_total("minimal", i, k, 1, d) == same_total("dilated_kernel", i, k, 1, d)
    assert output_size(i, k, 1, d, *split("extra_at_end", same_total("minimal", i, k, 1, d))) == i


@many
@given(st.integers(0, 40))
def test_splits_put_the_odd_pixel_on_opposite_sides(total):
    end, start = split("extra_at_end", total), split("extra_at_start", total)
    assert sum(end) == sum(start) == total
    assert end == start[::-1]
    assert end[1] - end[0] == total % 2


@many
@given(i_, k_, s_, d_)
def test_the_onnx_total_is_the_minimal_one_without_the_clamp(i, k, s, d):
    unclamped = same_total("unclamped", i, k, s, d)
    assert same_total("minimal", i, k, s, d) == max(0, unclamped)
    if unclamped < 0:  # a crop: only where the stride is larger than the dilated kernel
        assert s > effective_kernel(k, d)


@many
@given(st.integers(-20, 40))
def test_truncated_splits_differ_from_floor_ones_only_for_negative_totals(total):
    for side in ("end", "start"):
        truncated = split(f"truncated_extra_at_{side}", total)
        assert sum(truncated) == total
        if total >= 0:
            assert truncated == split(f"extra_at_{side}", total)
    assert split("truncated_extra_at_end", -3) == (-1, -2)  # C division rounds towards zero
