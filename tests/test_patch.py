"""Patch extraction: the case, the float64 reference against a grouped convolution with a
one-hot weight, the output size (the convolution's arithmetic, TensorFlow's 'same'), the pads
read back from values, the patch-axis order as data, and the frameworks' answers (their orders
measured, a wrong convention caught by values, the refusals measured)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import ops
from harness.case import Case, CaseError
from harness.cli import main
from harness.families.patch.record import CLASSIC
from harness.families.patch.reference import patches
from harness.families.patch.rules import PatchRules, to_channel_major, to_kernel_major
from harness.model import conventions, inputs, reference
from harness.model.assess import assess
from harness.suite.helpers import by_adapter

PATCH = ops.of_op("patches2d")
SAME = CLASSIC[2]  # 7x7, 3x3, stride 2, 'same', two channels


def _one_hot(channels: int, kernel: tuple[int, ...]) -> np.ndarray:
    """A grouped convolution's weight whose output channel c·K + t takes channel c's tap t."""
    taps = math.prod(kernel)
    return np.tile(np.eye(taps).reshape(taps, 1, *kernel), (channels, 1, *[1] * len(kernel)))


@pytest.mark.fast
@settings(max_examples=40, deadline=None)
@given(
    rank=st.integers(1, 3),
    channels=st.integers(1, 3),
    data=st.data(),
)
def test_the_reference_is_a_grouped_convolution_with_a_one_hot_weight(rank, channels, data):
    """Two independent float64 constructions agree at every rank, with stride, dilation and
    pads (crops included)."""
    ints = lambda low, high: tuple(data.draw(st.integers(low, high)) for _ in range(rank))  # noqa: E731
    kernel, stride, dilation = ints(1, 3), ints(1, 3), ints(1, 2)
    spatial = tuple(
        d * (k - 1) + 1 + e for k, d, e in zip(kernel, dilation, ints(2, 4), strict=True)
    )
    pads = tuple(data.draw(st.integers(-1, 2)) for _ in range(2 * rank))
    x = np.random.default_rng(0).standard_normal((2, channels, *spatial))
    got = patches(x, kernel, stride, dilation, pads)
    want = reference.conv(x, _one_hot(channels, kernel), None, stride, dilation, pads, channels)
    assert got.shape == want.shape and np.array_equal(got, want)


@pytest.mark.fast
def test_a_patch_case_has_no_weight_and_c_times_k_output_channels():
    case = Case.from_json({"op": "patches3d", "input": [1, 2, 5, 5, 5], "kernel": [2, 1, 3]})
    assert case.stride == (1, 1, 1) and case.out_channels == 2 and case.weight_shape == ()
    assert case.operators.output_channels(case) == 12 and Case.from_json(case.to_json()) == case
    assert "--out-channels" not in case.command()
    resolved = conventions.load()["jax"].resolve(case)
    assert resolved.shape == (1, 12, 4, 5, 3)


@pytest.mark.fast
@pytest.mark.parametrize(
    "data, message",
    [
        ({"op": "patches2d", "input": [1, 3, 8, 8], "kernel": 3, "out_channels": 27}, "equals"),
        ({"op": "patches2d", "input": [1, 3, 8, 8], "kernel": 3, "bias": True}, "no bias"),
        ({"op": "patches2d", "input": [1, 3, 8, 8], "kernel": 3, "ceil_mode": True}, "pooling"),
        ({"op": "patches1d", "input": [1, 3, 8, 8], "kernel": 3}, "3 ints"),
    ],
)
def test_a_case_that_patch_extraction_cannot_mean_is_refused(data, message):
    with pytest.raises(CaseError, match=message):
        Case.from_json(data)


@pytest.mark.fast
def test_bad_patch_flags_get_one_line_and_exit_2(capsys):
    argv = ["explain", "--op", "patches2d", "--input", "1,3,8,8", "--kernel", "3,3"]
    assert main([*argv, "--out-channels", "5"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "out_channels equals in_channels" in err


@pytest.mark.fast
def test_same_is_tensorflows_ceil_of_input_over_stride_with_the_extra_pad_at_the_end():
    resolved = conventions.load()["tensorflow"].resolve(SAME)
    assert resolved.pads == (1, 1, 1, 1) and resolved.shape == (1, 18, 4, 4)
    even = dataclasses.replace(SAME, spatial=(8, 8))  # total 1: the odd pixel after
    assert conventions.load()["tensorflow"].resolve(even).pads == (0, 1, 0, 1)
    assert conventions.load()["torch"].resolve(SAME).pads is None  # unfold has no 'same'


@pytest.mark.fast
def test_the_pads_are_read_back_from_the_values():
    x, w, b = inputs.arrays(SAME)
    for pads in [(1, 1, 1, 1), (0, 2, 1, 0)]:
        output = PATCH.reference(SAME, x, w, b, pads)
        found = PATCH.infer(SAME, output, x, w, b, {})
        assert found is not None and found.proven and found.contains(pads), pads
        assert not found.contains((0, 0, 0, 0))


@pytest.mark.fast
def test_the_patch_orders_are_each_others_transpose_and_differ_with_several_channels():
    y = np.arange(2 * 18 * 3).reshape(2, 18, 3).astype(float)  # C=2, K=9
    assert np.array_equal(to_channel_major(SAME, to_kernel_major(SAME, y)), y)
    kernel_major = to_kernel_major(SAME, y)
    assert not np.array_equal(kernel_major, y)
    assert list(kernel_major[0, :4, 0]) == [y[0, 0, 0], y[0, 9, 0], y[0, 1, 0], y[0, 10, 0]]
    one_channel = dataclasses.replace(SAME, in_channels=1, out_channels=1)
    z = y[:, :9]
    assert np.array_equal(to_kernel_major(one_channel, z), z)  # one channel: no trap


@pytest.mark.fast
def test_each_framework_documents_its_patch_axis_with_a_citation():
    orders = {
        name: convention.families["patch"].family
        for name, convention in conventions.load().items()
        if "patch" in convention.families
    }
    assert {name: rules.order for name, rules in orders.items()} == {
        "torch": "channel_major",
        "tensorflow": "kernel_major",
        "keras": "kernel_major",
        "jax": "channel_major",
        "onnxruntime": "channel_major",
    }
    assert all(isinstance(r, PatchRules) and r.citation for r in orders.values())


@pytest.mark.fast
def test_a_patch_table_without_an_order_is_refused():
    with pytest.raises(ValueError, match="patch_axis"):
        conventions.OPERATORS["patch"].parse_rules({"output": "floor"}, "frameworks.x.patch")


# ---- the frameworks ------------------------------------------------------------------------


def _require(installed, names):
    missing = [name for name in names if name not in installed]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}, not installed here")


def test_the_classic_patch_questions_pass_everywhere_they_can_be_stated(survey, installed):
    """im2col, ViT tiles, TensorFlow's strided 'SAME' and rates=2: every answer matches the
    float64 reference through its framework's order, or the API cannot state the case."""
    _require(installed, ["torch.functional", "jax.lax", "tf.nn"])
    for case in CLASSIC:
        results = by_adapter(survey(case))
        for name, result in results.items():
            verdict = result.judgement.verdict
            assert verdict in ("PASS", "NOT_EXPRESSIBLE", "EXPECTED_REJECT"), (name, case.id)
        assert results["jax.lax"].judgement.verdict == "PASS", case.command()
    assert by_adapter(survey(SAME))["tf.nn"].judgement.verdict == "PASS"
    assert by_adapter(survey(CLASSIC[0]))["torch.module"].judgement.verdict == "PASS"


def test_a_wrong_patch_order_in_the_conventions_is_caught_by_values(runner, installed):
    """TensorFlow's raw answer judged under a convention that calls it channel-major: the
    values match no padding, and they differ from JAX's; under its own convention it passes."""
    _require(installed, ["jax.lax", "tf.nn"])
    ((_, outcomes),) = list(runner.run([SAME]))
    answers = [o for o in outcomes if o.info.adapter in ("tf.nn", "jax.lax")]
    data = inputs.arrays(SAME)
    right = assess(SAME, answers, data, PATCH)
    assert {r.outcome.info.adapter: r.judgement.verdict for r in right.results} == {
        "tf.nn": "PASS",
        "jax.lax": "PASS",
    }
    assert not right.divergences
    loaded = conventions.load()
    tensorflow = loaded["tensorflow"]
    wrong_rules = dataclasses.replace(
        tensorflow.families["patch"], family=PatchRules("channel_major", "wrong on purpose")
    )
    wrong = dict(loaded)
    wrong["tensorflow"] = dataclasses.replace(
        tensorflow, families={**tensorflow.families, "patch": wrong_rules}
    )
    judged = assess(SAME, answers, data, PATCH, conventions=wrong)
    verdicts = {r.outcome.info.adapter: r.judgement.verdict for r in judged.results}
    assert verdicts == {"tf.nn": "PADDING_UNEXPLAINED", "jax.lax": "PASS"}
    assert [d.aspect for d in judged.divergences] == ["values"]


def test_the_patch_refusals_are_measured(survey, installed):
    """A kernel larger than the input: PyTorch, TensorFlow and ONNX Runtime refuse as their
    conventions say; JAX returns an empty axis (output = clamp). Keras refuses strides with
    rates."""
    _require(installed, ["torch.functional", "jax.lax"])
    larger = Case.from_json({"op": "patches2d", "input": [1, 2, 3, 3], "kernel": 5})
    results = by_adapter(survey(larger))
    assert results["torch.functional"].judgement.rule == "torch/unfold-nonpositive-blocks"
    assert results["jax.lax"].outcome.shape == (1, 50, 0, 0)
    assert results["jax.lax"].judgement.verdict == "PASS"
    expected = {
        "tf.nn": "tf/patches-negative-output",
        "onnxruntime": "onnxruntime/patches-nonpositive-output",
    }
    for name, rule in expected.items():
        if name in installed:
            assert results[name].judgement.rule == rule, name
    if "keras" in installed:
        strided = Case.from_json({**CLASSIC[3].to_json(), "stride": 2})
        rates = by_adapter(survey(strided))
        assert rates["keras"].judgement.rule == "keras/patches-strided-dilated"
