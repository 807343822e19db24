"""The wide regime: widened cases stay cases, inside their memory and work bounds and the
default budget; most drawn cases stay small; the layout variants answer as their base does."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import ops
from harness.case import Case, Padding
from harness.catalog import variants
from harness.families.conv.strategies import cases
from harness.model import wide
from harness.model.strategies import draw_cases
from harness.running import memory
from harness.running.runner import Runner
from harness.suite.helpers import needs


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose3d", "avg_pool2d"])
def test_wide_cases_stay_within_their_bounds_and_the_default_budget(op):
    family = ops.of_op(op)
    drawn = draw_cases(300, seed=3, strategy=family.strategy(op))
    widened = [case for case in drawn if case.in_channels > 16 or min(case.spatial) >= 16]
    assert widened, "no wide case drawn"
    for case in widened:
        assert memory.estimate(case) <= min(wide.WIDE_MEMORY, memory.default_budget()), case
        assert wide.work(case) <= wide.WIDE_WORK, case
    assert len(widened) < len(drawn) / 2  # the small edge cases keep the majority


@pytest.mark.fast
@settings(max_examples=40, deadline=None)
@given(st.data(), cases(op="conv3d"))
def test_a_wide_case_over_its_memory_bound_gives_back_the_drawn_case(data, drawn):
    assert wide.widen(data.draw, drawn, lambda case: wide.WIDE_MEMORY + 1) == drawn


@pytest.mark.fast
@settings(max_examples=40, deadline=None)
@given(st.data(), cases(op="conv2d"))
def test_a_widened_convolution_keeps_everything_but_channels_kernel_and_sizes(data, drawn):
    case = wide.widen(data.draw, drawn, lambda case: 0)
    assert (case.op, case.batch, case.padding, case.bias, case.dtype) == (
        drawn.op,
        drawn.batch,
        drawn.padding,
        drawn.bias,
        drawn.dtype,
    )
    if case.groups == case.in_channels > drawn.in_channels:  # depthwise
        assert case.out_channels % case.in_channels == 0


# A case per rank and family, at the kernels the layouts change: channels-last
# changes 2-d and 3-d (1-d runs channels-first), NHWC dimension numbers change every rank.
LAYOUT_CASES = [
    Case(batch=2, in_channels=8, out_channels=16, spatial=(12, 10), kernel=(3, 3), groups=1),
    Case(
        op="conv3d",
        batch=1,
        in_channels=6,
        out_channels=12,
        spatial=(5, 6, 4),
        kernel=(3, 1, 3),
        stride=(2, 1, 1),
        groups=6,
        padding=Padding.explicit(1, 0, 0, 1, 1, 1),
    ),
    Case(op="conv1d", batch=2, in_channels=4, out_channels=4, spatial=(9,), kernel=(3,)),
    Case(
        op="conv_transpose2d",
        batch=1,
        in_channels=4,
        out_channels=6,
        spatial=(5, 4),
        kernel=(3, 2),
        stride=(2, 2),
        padding=Padding("valid"),
    ),
    Case(
        op="max_pool2d",
        batch=1,
        in_channels=5,
        out_channels=5,
        spatial=(7, 7),
        kernel=(3, 3),
        stride=(2, 2),
        bias=False,
    ),
]


def _outputs(names: list[str]) -> dict[tuple[str, str, str], np.ndarray | None]:
    """(case id, adapter, variant tag) -> output, for LAYOUT_CASES."""
    with Runner(variants.select(None, names)) as runner:
        return {
            (case.id, *(o.info.adapter.rstrip("]").split("[") + [""])[:2]): o.output
            for case, outcomes in runner.run(LAYOUT_CASES)
            for o in outcomes
        }


@pytest.mark.parametrize(
    "base, layout",
    [
        pytest.param("torch", "torch-channels-last", marks=needs("torch")),
        pytest.param("jax", "jax-nhwc", marks=needs("jax")),
        pytest.param("paddle", "paddle-nhwc", marks=needs("paddle")),
    ],
)
def test_a_layout_variant_gives_its_base_variants_outputs(base, layout):
    found = _outputs([base, layout])
    assert {tag for *_, tag in found} == {"", variants.select(None, [layout])[0].tag}
    compared = 0
    for (case_id, api, tag), output in found.items():
        if not tag:
            continue
        other = found[(case_id, api, "")]
        assert (output is None) == (other is None), (case_id, api)
        if output is not None:
            assert output.shape == other.shape, (case_id, api)
            np.testing.assert_allclose(output, other, rtol=1e-5, atol=1e-5, err_msg=case_id)
            compared += 1
    assert compared >= len(LAYOUT_CASES)
