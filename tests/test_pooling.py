"""Pooling: the case's fields, the float64 reference against a loop written out by hand, the
ceil_mode rule, the divisor rule that an average's values prove, and the family's feature
words."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.case import Case, CaseError
from harness.cli import main
from harness.families.pool.inference import infer, reference
from harness.families.pool.record import CLASSIC
from harness.families.pool.reference import avg_pool, max_pool
from harness.families.pool.rules import PoolRules, ceil_output
from harness.model import conventions, recipes
from harness.model.features import features
from harness.model.oracle import output_size
from harness.model.outcome import AdapterInfo, Outcome
from harness.model.verdicts import judge

pytestmark = pytest.mark.fast  # the inner-loop subset: python -m pytest -m fast

STEM = {"op": "max_pool2d", "input": [1, 3, 112, 112], "kernel": 3, "stride": 2, "padding": 1}


def test_a_pool_case_has_no_weight_and_its_stride_is_its_kernel():
    case = Case.from_json({"op": "avg_pool1d", "input": [2, 3, 9], "kernel": 4})
    assert case.stride == (4,) and case.out_channels == 3 and not case.bias
    assert case.weight_shape == ()
    assert Case.from_json(case.to_json()) == case
    assert "ceil_mode" not in case.to_json() and "count_include_pad" not in case.to_json()


def test_pooling_flags_round_trip_and_change_the_id():
    plain = Case.from_json(STEM)
    flagged = Case.from_json({**STEM, "ceil_mode": True})
    assert flagged.to_json()["ceil_mode"] is True and Case.from_json(flagged.to_json()) == flagged
    assert plain.id != flagged.id
    assert "--ceil-mode" in flagged.command() and "--out-channels" not in flagged.command()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"input": [1, 3, 8, 8], "out_channels": 4, "kernel": 3, "ceil_mode": True}, "pooling"),
        ({**STEM, "count_include_pad": True}, "average pooling option"),
        ({**STEM, "kernel": 0}, "kernel must be >= 1"),
        ({**STEM, "out_channels": 4}, "out_channels equals in_channels"),
        ({**STEM, "bias": True}, "no bias"),
        ({**STEM, "padding": "same", "ceil_mode": True}, "ceil_mode takes explicit pads"),
        ({**STEM, "ceil_mode": 1}, "ceil_mode must be true or false"),
    ],
)
def test_a_case_that_pooling_cannot_mean_is_refused(data, message):
    with pytest.raises(CaseError, match=message):
        Case.from_json(data)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--input", "1,3,8,8", "--out-channels", "4", "--kernel", "3", "--ceil-mode"], "pooling"),
        (["--op", "max_pool2d", "--input", "1,3,8,8", "--kernel", "3", "--count-include-pad"], ""),
        (["--op", "avg_pool1d", "--input", "1,3,8", "--kernel", "0"], "kernel must be >= 1"),
    ],
)
def test_bad_pooling_flags_get_one_line_and_exit_2(capsys, flags, message):
    assert main(["explain", *flags]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("convharness: error:") and message in captured.err


def _by_hand(x, kind, kernel, stride, dilation, pads, counted, include):
    """One output at a time: the window's positions, inside the input or not."""
    n, c, *size = x.shape
    low = pads[0::2]
    out = [
        max((i + a + b - d * (k - 1) - 1) // s + 1, 0)
        for i, k, s, d, a, b in zip(
            size, kernel, stride, dilation, pads[0::2], pads[1::2], strict=True
        )
    ]
    y = np.zeros((n, c, *out))
    for at in itertools.product(*map(range, out)):
        values, count = [], 0
        for tap in itertools.product(*map(range, kernel)):
            where = [
                o * s - p + t * d
                for o, s, p, t, d in zip(at, stride, low, tap, dilation, strict=True)
            ]
            if all(0 <= w < i for w, i in zip(where, size, strict=True)):
                values.append(x[(slice(None), slice(None), *where)])
                count += 1
            elif include and all(
                -cl <= w < i + ch
                for w, i, cl, ch in zip(where, size, counted[0::2], counted[1::2], strict=True)
            ):
                count += 1
        if kind == "max":
            y[(slice(None), slice(None), *at)] = np.max(values, axis=0) if values else -np.inf
        else:
            total = np.sum(values, axis=0) if values else np.zeros((n, c))
            y[(slice(None), slice(None), *at)] = total / count if count else np.nan
    return y


@pytest.mark.parametrize(
    "op, spatial, kernel, stride, dilation, fits",
    [
        ("avg_pool1d", [2], 2, 1, 1, True),  # the whole input is one window
        ("avg_pool1d", [3], 2, 1, 1, False),  # two windows
        ("avg_pool1d", [5], 3, 3, 1, True),  # one window, and a stride's worth left over
        ("avg_pool1d", [6], 3, 3, 1, False),
        ("avg_pool1d", [1], 3, 1, 1, True),  # none: the input is under the kernel
        ("max_pool1d", [4], 2, 1, 3, True),  # a dilated kernel of 4
        ("max_pool2d", [9, 2], [2, 2], [1, 1], [1, 1], True),  # on one axis of two
        ("max_pool3d", [3, 3, 3], 2, 1, 1, False),
    ],
)
def test_input_under_kernel_plus_stride_says_at_most_one_unpadded_window_fits(
    op, spatial, kernel, stride, dilation, fits
):
    case = Case.from_json(
        {"op": op, "input": [1, 1, *spatial], "kernel": kernel, "stride": stride}
        | {"dilation": dilation, "padding": "same"}
    )
    facts = features(case, (0,) * (2 * case.rank))
    assert facts["input_under_kernel_plus_stride"] is fits
    axes = zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
    unpadded = [output_size(*axis, 0, 0) for axis in axes]  # the windows that fit, floor formula
    assert (min(unpadded) <= 1) is fits


def test_input_under_kernel_plus_stride_is_false_on_a_convolution():
    case = Case.from_json({"op": "conv1d", "input": [1, 1, 2], "out_channels": 1, "kernel": 2})
    assert features(case, (0, 0))["input_under_kernel_plus_stride"] is False


@settings(max_examples=40, deadline=None)
@given(
    rank=st.integers(1, 3),
    data=st.data(),
    kind=st.sampled_from(["max", "avg"]),
    include=st.booleans(),
)
def test_the_reference_is_the_loop_written_out(rank, data, kind, include):
    axis = st.tuples(st.integers(1, 6), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2))
    axes = [data.draw(axis) for _ in range(rank)]
    counted = tuple(p for _ in range(rank) for p in data.draw(st.tuples(*[st.integers(0, 3)] * 2)))
    overhang = tuple(p for _ in range(rank) for p in (0, data.draw(st.integers(0, 2))))
    pads = tuple(c + o for c, o in zip(counted, overhang, strict=True))
    size, kernel, stride, dilation = (tuple(a[i] for a in axes) for i in range(4))
    x = np.random.default_rng(rank).standard_normal((2, 2, *size))
    expected = _by_hand(x, kind, kernel, stride, dilation, pads, counted, include)
    if kind == "max":
        got = max_pool(x, kernel, stride, dilation, pads)
    else:
        got = avg_pool(x, kernel, stride, dilation, pads, counted, include)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_a_border_average_counts_the_padding_or_not():
    x = np.array([[[1.0, 2.0, 3.0]]])
    include = avg_pool(x, (3,), (1,), (1,), (1, 1), (1, 1), True)
    exclude = avg_pool(x, (3,), (1,), (1,), (1, 1), (1, 1), False)
    np.testing.assert_allclose(include[0, 0], [1.0, 2.0, 5 / 3])
    np.testing.assert_allclose(exclude[0, 0], [1.5, 2.0, 2.5])
    np.testing.assert_array_equal(max_pool(-x, (3,), (1,), (1,), (1, 1))[0, 0], [-1, -1, -2])


@pytest.mark.parametrize(
    "axis, out",
    [
        ((32, 1, 2, 1, 0, 0), 16),  # pytorch/pytorch#57178: the formula alone says 17
        ((5, 2, 2, 1, 1, 1), 3),  # the 4th window would start in the right padding
        ((7, 2, 2, 1, 0, 0), 4),  # MaxPool2d(2, 2, ceil_mode=True) on 7: 4, floor gives 3
        ((112, 3, 2, 1, 1, 1), 57),
    ],
)
def test_ceil_mode_drops_a_last_window_that_starts_in_the_padding(axis, out):
    assert ceil_output("last_window_starts_inside", *axis) == out


@pytest.mark.parametrize(
    "axis, window",
    [
        ((4, 1, 1, 1, 2, 2), (2, 1)),  # 7 windows: floor mode's 8th starts in the right pad
        ((1, 1, 2, 1, 2, 2), (2, 0)),  # 2 windows: floor mode's 3rd starts in the right pad
        ((2, 1, 1, 2, 4, 4), (4, 3)),  # dilation 2 is no kernel: 9 windows, floor gives 10
        ((5, 2, 2, 1, 1, 1), (1, 1)),  # 3 either way
        ((7, 2, 2, 1, 0, 0), (0, 1)),  # the overhang: 4 windows, floor gives 3
    ],
)
def test_window_pads_state_the_ceil_mode_size_for_the_floor_formula(axis, window):
    """ceil_mode may give fewer windows than floor mode where a pad reaches the kernel
    (OpenVINO's ceil_torch: 4, k1, s1, pads (2, 2) gives 7): the high pad is narrowed to end
    with the last window, as it is widened by an overhang where ceil_mode gives more."""
    i, k, s, d, low, high = axis
    case = Case.from_json(
        {"op": "max_pool1d", "input": [1, 1, i], "kernel": k, "stride": s, "dilation": d}
        | {"padding": [[low, high]], "ceil_mode": True}
    )
    rules = PoolRules("last_window_starts_inside", "flag", {}, "measured")
    assert rules.window_pads(case, (low, high), "floor") == window
    x = np.random.default_rng(2).standard_normal(case.input_shape)
    output = reference(case, x, window)
    assert output.shape[-1] == ceil_output("last_window_starts_inside", *axis)
    found = infer(case, output, x, {})
    assert found is not None and found.contains(window)


@pytest.mark.parametrize(
    "axis, out",
    [
        ((1, 5, 2, 1, 0, 0), 0),  # (1 - 5 + 1) / 2 = -1 towards zero: the formula's ceil is -1
        ((1, 6, 2, 1, 0, 0), -1),  # (1 - 6 + 1) / 2 = -2
        ((2, 6, 2, 1, 0, 0), 0),
        ((7, 2, 2, 1, 0, 0), 4),
    ],
)
def test_paddle_ceil_mode_divides_towards_zero_and_an_empty_axis_is_not_a_negative_one(axis, out):
    """Paddle's PoolOutputSize measured: avg_pool1d(kernel 5, stride 2, ceil_mode) on 1 element
    returns an empty axis, which its refusal of a negative size does not cover."""
    assert ceil_output("truncated_ceil", *axis) == out
    i, k, s, d, low, high = axis
    case = Case.from_json(
        {"op": "avg_pool1d", "input": [1, 1, i], "kernel": k, "stride": s, "dilation": d}
        | {"padding": [[low, high]], "ceil_mode": True}
    )
    paddle = conventions.load().get("paddle")
    if paddle is None:
        pytest.skip("the Paddle plugin (its conventions) is not installed")
    facts = paddle.resolve(case).facts
    assert facts["output"] == ("zero" if out == 0 else "negative" if out < 0 else "positive")


@pytest.mark.parametrize("padding, twin", [(0, (0, 1)), (2, (2, 2))])
def test_a_ceil_mode_twin_writes_the_overhang_and_never_narrows_the_asked_pads(padding, twin):
    """7, k2, s2: ceil_mode adds an overhang of 1; 4, k1, s1, pads (2, 2): PyTorch, the
    recipe's source, refuses the pad, and the twin keeps it."""
    recipe = next(r for r in recipes.load() if r.id == "torch-ceil-mode-in-jax")
    size, kernel = (7, 2) if padding == 0 else (4, 1)
    case = Case.from_json(
        {"op": "max_pool1d", "input": [1, 1, size], "kernel": kernel, "stride": kernel}
        | {"padding": padding, "ceil_mode": True}
    )
    found = recipe.twin(case)
    assert found is not None and not found.ceil_mode and found.padding.pads == twin


def _outcome(case, output):
    info = AdapterInfo("torch.functional", "torch", "", "torch.nn.functional.avg_pool2d", "cpu")
    return Outcome(info, "ok", output)


@pytest.mark.parametrize("asked, given", [(True, False), (False, True)])
def test_an_average_that_divides_by_the_other_count_gets_its_own_verdict(asked, given):
    """The output of the other divisor rule (computed, not run) is named for what it is."""
    case = Case.from_json({**CLASSIC[4].to_json(), "count_include_pad": asked})
    x = np.random.default_rng(0).standard_normal(case.input_shape)
    expect = conventions.load()["torch"].resolve(case)
    output = reference(case, x, expect.pads, include=given)
    found = infer(case, output, x, {})
    assert found is not None and found.divisor == ("include" if given else "exclude")
    judgement = judge(
        case,
        _outcome(case, output),
        expect,
        lambda pads: reference(case, x, pads),
        lambda y: infer(case, y, x, {}),
    )
    assert judgement.verdict == "DIVISOR_MISMATCH", judgement
    assert ("counts" if given else "leaves out") in judgement.detail


def test_a_ceil_mode_average_proves_its_pads_and_that_the_overhang_is_not_counted():
    case = Case.from_json(
        {"op": "avg_pool2d", "input": [1, 2, 8, 8], "kernel": 3, "stride": 2, "padding": 1}
        | {"ceil_mode": True, "count_include_pad": True}
    )
    x = np.random.default_rng(1).standard_normal(case.input_shape)
    pads = conventions.load()["torch"].resolve(case).pads
    assert pads == (1, 2, 1, 2)  # 5 outputs: the last window hangs one past the padding
    found = infer(case, reference(case, x, pads), x, {})
    assert found is not None and found.divisor == "include" and found.contains(pads)
