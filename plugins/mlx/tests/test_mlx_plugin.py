"""The MLX plugin on the real framework: the registry's entries are loaded, and the three adapters
agree where each can state a case (tests/test_verdicts.py measures each documented refusal on the
plugin's REFUSAL_CASES). Run with `pytest plugins/mlx/tests --conv-frameworks=mlx`.
"""

from __future__ import annotations

import pytest
from convharness_mlx import calls

from harness.adapter_api import NotExpressible
from harness.case import Case
from harness.model import registry
from harness.suite.helpers import by_adapter


def _conv(op="conv2d", size=6, k=3, **fields) -> Case:
    rank = int(op[-2])
    data = {"op": op, "input": [1, 4] + [size] * rank, "out_channels": 4, "kernel": k}
    return Case.from_json({**data, **fields})


def _pool(op, size, k, padding="valid") -> Case:
    rank = int(op[-2])
    data = {"op": op, "input": [1, 2] + [size] * rank, "kernel": k, "stride": 1}
    return Case.from_json({**data, "padding": padding})


def test_the_registry_carries_the_plugins_entries():
    ids = {entry.id for entry in registry.load().entries}
    assert {
        "mlx-float64-convolution-in-float32",
        "mlx-conv-kernel-past-the-padded-input-by-less-than-the-stride",
        "mlx-transposed-crop-past-the-kernel-cuts-input-elements",
        "mlx-conv-general-crop-past-the-input",
    } <= ids


# Cases every adapter states: the weight layouts (grouped transposed ones included), the
# channels-last moves and the bias must give the reference at every rank.
AGREED = [
    _conv("conv1d", 9, 3, stride=2, padding=1, groups=2),
    _conv("conv2d", 7, [3, 2], dilation=[1, 2], padding=[1, 0]),
    _conv("conv3d", 5, 2, stride=[1, 2, 1]),
    _conv("conv_transpose1d", 4, 3, stride=2, padding=1, output_padding=1),
    _conv("conv_transpose2d", 4, [3, 2], stride=[2, 1], dilation=[1, 2], groups=2),
    _conv("conv_transpose3d", 3, 2, stride=2, padding=[0, 1, 0]),
]


@pytest.mark.parametrize("case", AGREED, ids=[case.op for case in AGREED])
def test_the_adapters_give_the_reference(survey, installed, case):
    results = by_adapter(survey(case))
    served = [name for name in ("mlx.core", "mlx.conv_general", "mlx.nn") if name in installed]
    if not served:
        pytest.skip("mlx is not installed")
    computed = [name for name in served if results[name].judgement.verdict != "NOT_EXPRESSIBLE"]
    assert {"mlx.core", "mlx.conv_general"} & set(computed)
    for name in computed:
        assert results[name].judgement.verdict == "PASS", (name, results[name].judgement)


# Pooling as mlx.nn documents it: the padding is -inf for a max and 0 for an average, counted in
# the average's divisor, and nothing keeps it smaller than the window (windows of padding alone
# give -inf, or 0).
POOLS = [
    Case.from_json(
        {
            "op": "avg_pool2d",
            "input": [1, 2, 5, 5],
            "kernel": 3,
            "stride": 2,
            "padding": 1,
            "count_include_pad": True,
        }
    ),
    Case.from_json(
        {"op": "max_pool1d", "input": [1, 2, 5], "kernel": 2, "stride": 1, "padding": 3}
    ),
    Case.from_json(
        {
            "op": "avg_pool3d",
            "input": [1, 2, 3, 3, 3],
            "kernel": 2,
            "stride": 1,
            "padding": 2,
            "count_include_pad": True,
        }
    ),
]


@pytest.mark.parametrize("case", POOLS, ids=[case.op for case in POOLS])
def test_pooling_pads_and_divides_as_documented(survey, installed, case):
    if "mlx.nn" not in installed:
        pytest.skip("mlx is not installed")
    result = by_adapter(survey(case))["mlx.nn"]
    assert result.judgement.verdict == "PASS", result.judgement


def test_an_average_that_leaves_the_padding_out_is_not_expressible():
    with pytest.raises(NotExpressible, match="counts the padding"):
        calls.layer(_pool("avg_pool2d", 5, 3, padding=1))
    calls.layer(_pool("avg_pool2d", 5, 3))  # without padding the divisors agree
