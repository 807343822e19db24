"""Every installed adapter, run for real on the cases the project exists to answer."""

from __future__ import annotations

import numpy as np
import pytest

from harness.case import Case, Padding
from harness.families.conv.record import CLASSIC
from harness.families.pool.record import CLASSIC as POOL_CLASSIC
from harness.model import conventions
from harness.suite.helpers import by_adapter, problems

ACCEPTS_STRIDED_SAME = ["tf.nn", "keras[tensorflow]", "jax.lax", "flax.linen", "flax.nnx"]
TORCH = ["torch.functional", "torch.module"]


def _require(installed, names):
    missing = [name for name in names if name not in installed]
    if missing:
        pytest.skip(f"not installed here: {', '.join(missing)}")


def test_every_adapter_reports_framework_version_api_and_device(runner):
    for worker in runner.workers:
        for info in worker.infos:
            assert info.framework in conventions.load()  # every framework is documented
            assert info.api and info.variant == worker.variant.name
            assert info.device.startswith(("cpu", "gpu"))
            assert worker.skipped or info.version


def test_padding_zero_gives_13x13_everywhere(survey, installed):
    results = by_adapter(survey(CLASSIC[0]))
    for name, result in results.items():
        if name in installed:
            assert result.outcome.status == "ok", name
            assert result.outcome.output.shape == (1, 16, 13, 13), name
            assert result.judgement.verdict == "PASS", name


def test_strided_same_pads_the_odd_pixel_at_the_end_or_is_refused_by_torch(survey, installed):
    _require(installed, ACCEPTS_STRIDED_SAME + TORCH)
    results = by_adapter(survey(CLASSIC[1]))
    for name in ACCEPTS_STRIDED_SAME:
        assert results[name].outcome.output.shape == (1, 16, 14, 14), name
        assert results[name].judgement.pads == (0, 1, 0, 1), name
        assert results[name].judgement.verdict == "PASS", name
    for name in TORCH:
        assert results[name].outcome.status == "rejected"
        assert "not supported for strided convolutions" in results[name].outcome.message
        assert results[name].judgement.verdict == "EXPECTED_REJECT"
    assert results["torch.functional"].outcome.error_type == "RuntimeError"
    assert results["torch.module"].outcome.error_type == "ValueError"


def test_same_and_padding_one_share_a_shape_but_not_values(survey, installed):
    """The porting trap: TF 'SAME' pads (0, 1); padding=1 pads (1, 1)."""
    _require(installed, ["tf.nn"])
    same = by_adapter(survey(CLASSIC[1]))["tf.nn"].outcome.output
    one = by_adapter(survey(CLASSIC[2]))["tf.nn"].outcome.output
    assert same.shape == one.shape == (1, 16, 14, 14)
    assert np.max(np.abs(same - one)) > 0.1


def test_padding_one_pads_one_on_every_side_everywhere(survey, installed):
    results = by_adapter(survey(CLASSIC[2]))
    for name, result in results.items():
        if name in installed and not name.startswith("keras["):  # Conv2D has no explicit pads
            assert result.outcome.output.shape == (1, 16, 14, 14), name
            assert result.judgement.pads == (1, 1, 1, 1), name
            assert result.judgement.verdict == "PASS", name
    for name in installed:
        if name.startswith("keras["):  # ZeroPadding2D (keras.padded) says it instead
            assert results[name].judgement.verdict == "NOT_EXPRESSIBLE"


@pytest.mark.parametrize(
    "case",
    [
        # Layout traps: non-square everything, groups, bias, asymmetric pads.
        Case(
            batch=2,
            in_channels=4,
            out_channels=6,
            spatial=(9, 13),
            kernel=(2, 5),
            stride=(3, 1),
            dilation=(1, 2),
            padding=Padding.explicit(2, 0, 1, 3),
            groups=2,
        ),
        Case(
            batch=1,
            in_channels=3,
            out_channels=3,
            spatial=(11, 6),
            kernel=(4, 1),
            stride=(1, 2),
            padding=Padding("same_lower"),
            groups=3,
            bias=False,
        ),
        Case(
            batch=1,
            in_channels=2,
            out_channels=4,
            spatial=(10, 10),
            kernel=(4, 4),
            padding=Padding("same"),
            dtype="float64",
        ),
    ],
    ids=["asymmetric-grouped", "same_lower-depthwise", "same-even-kernel-float64"],
)
def test_layout_and_padding_traps_pass_on_every_adapter_that_can_express_them(survey, case):
    report = survey(case)
    assert not problems(report), "\n".join(problems(report))
    computed = [r for r in report.results if r.outcome.status == "ok"]
    if not computed:
        pytest.skip(f"no adapter installed here can express {case.padding}")
    assert any(r.judgement.verdict == "PASS" for r in computed)


def test_each_case_runs_on_every_device_each_framework_sees(runner):
    devices = {(i.adapter, i.device) for i in runner.infos}
    for adapter in {i.adapter for i in runner.infos}:
        assert (adapter, "cpu") in devices


# ---- pooling: the ResNet stem, ceil_mode on an odd size, and the average's divisor ----------


def test_the_resnet_stem_max_pool_gives_56x56_wherever_it_can_be_stated(survey, installed):
    """MaxPool2d(3, stride=2, padding=1) on 112x112: explicit pads (1, 1) where an API takes
    them, NOT_EXPRESSIBLE where it takes 'valid'/'same' only, and TensorFlow's documented
    refusal of explicit pads channels-first on the CPU (tensorflow-nchw)."""
    _require(installed, ["torch.functional", "jax.lax"])
    results = by_adapter(survey(POOL_CLASSIC[0]))
    answered = 0
    for name, result in results.items():
        if name in installed and result.outcome.status == "ok":
            assert result.outcome.output.shape == (1, 3, 56, 56), name
            assert result.judgement.verdict == "PASS", name
            answered += 1
        elif name in installed and result.judgement.verdict == "EXPECTED_REJECT":
            assert result.judgement.rule == "tf/pool-nchw-explicit-pads", name
        elif name in installed:
            assert result.judgement.verdict == "NOT_EXPRESSIBLE", name
    assert answered >= 2 and results["torch.functional"].judgement.pads == (1, 1, 1, 1)


def test_ceil_mode_on_an_odd_size_keeps_the_last_partial_window(survey, installed):
    """MaxPool2d(2, 2, ceil_mode=True) on 7x7: 4x4, where floor gives 3x3."""
    _require(installed, TORCH)
    results = by_adapter(survey(POOL_CLASSIC[1]))
    for name in TORCH + [n for n in ("onnxruntime",) if n in installed]:
        assert results[name].outcome.output.shape == (1, 3, 4, 4), name
        assert results[name].judgement.verdict == "PASS", name
        assert results[name].judgement.pads == (0, 1, 0, 1), name  # the overhang, never padding


@pytest.mark.parametrize("counted", [True, False])
def test_the_avgpool_3_2_1_border_divisor_is_proven_by_the_values(survey, installed, counted):
    """AvgPool2d(3, stride=2, padding=1) on 7x7: the corner averages 4 input elements, over 9
    (count_include_pad=True, PyTorch's default) or over 4 (False, ONNX's default)."""
    _require(installed, TORCH)
    case = POOL_CLASSIC[3] if counted else POOL_CLASSIC[4]
    results = by_adapter(survey(case))
    flag_takers = TORCH + [n for n in ("flax.linen", "jax.lax", "onnxruntime") if n in installed]
    for name in flag_takers:
        assert results[name].judgement.verdict == "PASS", name
        assert results[name].judgement.inferred.divisor == ("include" if counted else "exclude")
    for name in ("tf.nn", "keras[tensorflow]"):
        if name in installed:  # no explicit pads for an average: 'valid' or 'same' only
            assert results[name].judgement.verdict == "NOT_EXPRESSIBLE", name


def test_the_same_average_leaves_the_padding_out_in_tensorflow_and_keras(survey, installed):
    _require(installed, ["tf.nn"])
    results = by_adapter(survey(POOL_CLASSIC[5]))
    for name in ("tf.nn", "keras[tensorflow]", "keras[jax]", "jax.lax", "flax.linen"):
        if name in installed:
            assert results[name].judgement.verdict == "PASS", name
            assert results[name].judgement.pads == (1, 1, 1, 1), name  # 7, k3, s2: total 2
            assert results[name].judgement.inferred.divisor == "exclude", name
