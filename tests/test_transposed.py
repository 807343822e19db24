"""The transposed convolution: its case fields, the float64 reference as the adjoint of the
convolution, the crops each framework's words resolve to, and the crop proven by values."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import ops
from harness.case import Case, CaseError, full_size
from harness.cli import EXPLAIN_KEYS, main
from harness.families.conv_transpose import inference
from harness.families.conv_transpose.record import CLASSIC, CONV_TRANSPOSE
from harness.families.conv_transpose.reference import conv_transpose
from harness.model import conventions, inputs, reference, registry
from harness.model.strategies import draw_cases

OPS = CONV_TRANSPOSE.ops
UPSAMPLER = {"op": "conv_transpose2d", "input": [1, 8, 7, 7], "out_channels": 4, "kernel": 3}


@st.composite
def adjoint_cases(draw):
    """x, w, y, stride, dilation, groups at rank 1..3 (float64, small)."""
    rank = draw(st.integers(1, 3))
    groups = draw(st.integers(1, 2))
    axis = lambda low, high: tuple(draw(st.integers(low, high)) for _ in range(rank))  # noqa: E731
    spatial, kernel, stride, dilation = axis(1, 5), axis(1, 3), axis(1, 4), axis(1, 2)
    c, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    full = [full_size(*a) for a in zip(spatial, kernel, stride, dilation, strict=True)]
    x = rng.standard_normal((2, c, *spatial))
    w = rng.standard_normal((c, o // groups, *kernel))
    y = rng.standard_normal((2, o, *full))
    return x, w, y, stride, dilation, groups


@pytest.mark.fast
@settings(max_examples=60, deadline=None)
@given(adjoint_cases())
def test_conv_transpose_is_the_adjoint_of_conv(drawn):
    """<conv(y, w), x> == <y, conv_transpose(x, w)>, with the same stride, dilation, groups."""
    x, w, y, stride, dilation, groups = drawn
    none = (0,) * (2 * x.ndim - 4)
    forward = reference.conv(y, w, None, stride, dilation, none, groups)  # w as [O, C/g, *k]
    back = conv_transpose(x, w, None, stride, dilation, none, groups)
    assert forward.shape == x.shape and back.shape == y.shape
    left, right = float((forward * x).sum()), float((y * back).sum())
    assert abs(left - right) <= 1e-10 * max(1.0, abs(left), float(np.abs(forward * x).sum()))


@pytest.mark.fast
def test_a_crop_cuts_the_full_output_and_output_padding_extends_its_end():
    case = Case.from_json({**UPSAMPLER, "stride": 2, "padding": 1, "output_padding": 1})
    x, w, b = inputs.arrays(case)
    full = conv_transpose(x, w, b, case.stride, case.dilation, (0,) * 4, 1)
    cropped = CONV_TRANSPOSE.reference(case, x, w, b, (1, 0, 1, 0))
    assert full.shape[2:] == (15, 15) and cropped.shape[2:] == (14, 14)
    assert np.array_equal(cropped, full[:, :, 1:, 1:])
    extended = CONV_TRANSPOSE.reference(case, x, w, b, (0, -1, 0, 0))
    assert extended.shape[2:] == (16, 15)
    assert np.allclose(extended[:, :, -1, :], b.reshape(1, -1, 1))  # nothing lands there


def _dense(case, x, w, b):
    cache: dict[int, np.ndarray] = {}

    def dense_for(margin):
        return cache.setdefault(margin, inference.dense_reference(case, x, w, b, margin))

    return dense_for


@pytest.mark.fast
def test_the_crop_is_read_back_from_the_values_and_a_flipped_kernel_has_none():
    case = Case.from_json({**UPSAMPLER, "stride": 2, "padding": [2, 0, 1, 1]})
    x, w, b = inputs.arrays(case)
    output = CONV_TRANSPOSE.reference(case, x, w, b, (2, 0, 1, 1))
    found = inference.infer(case, output, _dense(case, x, w, b))
    assert found is not None and found.proven
    assert found.ranges == ((2, 2), (0, 0), (1, 1), (1, 1))
    other_side = CONV_TRANSPOSE.reference(case, x, w, b, (0, 2, 1, 1))  # same size
    assert inference.infer(case, other_side, _dense(case, x, w, b)).ranges[:2] == ((0, 0), (2, 2))
    flipped = CONV_TRANSPOSE.reference(case, x, w[:, :, ::-1, ::-1].copy(), b, (2, 0, 1, 1))
    assert inference.infer(case, flipped, _dense(case, x, w, b)) is None


@pytest.mark.parametrize("op", OPS)
def test_transposed_cases_reach_every_region(op):
    drawn = draw_cases(400, seed=1, strategy=CONV_TRANSPOSE.strategy(op))
    seen = {label for case in drawn for label in CONV_TRANSPOSE.coverage(case)}
    missing = set(CONV_TRANSPOSE.regions(op)) - seen
    assert not missing, f"{op}: regions never drawn in 400 cases: {sorted(missing)}"


@pytest.mark.fast
@pytest.mark.parametrize(
    "fields, message",
    [
        ({"output_padding": [-1, 0]}, "output_padding must be >= 0"),
        ({"output_shape": [40, 40], "stride": 2, "padding": 1}, "axis 0 takes 13..14"),
        ({"output_shape": [9, 9], "output_padding": 1}, "not both"),
        ({"op": "conv2d", "output_padding": 1}, "for transposed ops only"),
        ({"op": "conv2d", "output_shape": [5, 5]}, "for transposed ops only"),
    ],
)
def test_a_case_that_cannot_be_is_refused(fields, message):
    with pytest.raises(CaseError, match=message):
        Case.from_json({**UPSAMPLER, **fields})


@pytest.mark.fast
def test_a_transposed_case_round_trips_and_defaults_leave_its_id_alone():
    case = Case.from_json({**UPSAMPLER, "stride": 2, "padding": 1, "output_padding": [1, 0]})
    assert Case.from_json(json.loads(json.dumps(case.to_json()))) == case
    assert case.weight_shape == (8, 4, 3, 3)  # [C, O/groups, *k], PyTorch's
    assert "output_padding" not in Case.from_json(UPSAMPLER).to_json()
    assert "--output-padding 1,0" in case.command()


@pytest.mark.fast
@pytest.mark.parametrize(
    "flags, message",
    [
        (["--output-padding=-1"], "output_padding must be >= 0"),
        (["--output-shape", "40"], "on every framework, not 40"),
        (["--op", "conv2d", "--output-padding", "1"], "for transposed ops only"),
    ],
)
def test_bad_transposed_flags_get_one_line_and_exit_2(capsys, flags, message):
    argv = ["explain", "--input", "1,8,7,7", "--out-channels", "4", "--kernel", "3,3"]
    argv += ["--stride", "2,2", "--padding", "1", *(flags if "--op" in flags else flags)]
    if "--op" not in flags:
        argv += ["--op", "conv_transpose2d"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.fast
def test_the_upsampler_question_resolves_to_one_crop_everywhere():
    """k=4, s=2: PyTorch padding=1, and 'same' in Keras, TensorFlow, JAX, Flax and ONNX."""
    padding_one, same = CLASSIC
    found = conventions.load()
    assert found["torch"].resolve(padding_one).pads == (1, 1, 1, 1)
    for framework in ("tensorflow", "keras", "jax", "flax"):
        assert found[framework].resolve(same).pads == (1, 1, 1, 1), framework
        assert found[framework].resolve(same).shape == (1, 8, 16, 16), framework


@pytest.mark.fast
def test_the_family_record_is_registered():
    registered = ops.FAMILIES["conv_transpose"]  # the record, its strategy widened
    assert (registered.name, registered.ops, registered.reference, registered.memory) == (
        CONV_TRANSPOSE.name,
        CONV_TRANSPOSE.ops,
        CONV_TRANSPOSE.reference,
        CONV_TRANSPOSE.memory,
    )
    assert {
        Case.from_json(
            {**UPSAMPLER, "op": op, "input": [1, 8] + [5] * int(op[-2]), "kernel": 3}
        ).family
        for op in OPS
    } == {"conv_transpose"}


def test_explain_answers_the_transposed_upsampler_on_every_framework(capsys):
    # in this process: the session's warm workers, which the properties imported, serve it
    argv = ["explain", "--op", "conv_transpose2d", "--input", "1,8,7,7", "--out-channels", "4"]
    argv += ["--kernel", "3,3", "--stride", "2,2", "--padding", "1", "--output-padding", "1,1"]
    assert main([*argv, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(tuple(row) == EXPLAIN_KEYS for row in rows)
    ran = [row for row in rows if row["status"] == "ok"]
    assert ran, rows
    case = Case.from_json(
        {"op": "conv_transpose2d", "input": [1, 8, 7, 7], "out_channels": 4, "kernel": 3}
        | {"stride": 2, "padding": 1, "output_padding": [1, 1]}
    )
    known = registry.load()
    for row in ran:
        assert row["shape"] == [1, 4, 14, 14], row
        facts = conventions.load()[row["framework"]].resolve(case).facts
        # a registered departure (jax.lax.unflipped reads the kernel unflipped; MindSpore's
        # Conv2dTranspose appends output_padding as zeros) is its own answer
        if not known.known_bug(row["adapter"], row["verdict"], facts):
            assert row["pads"] == [1, 0, 1, 0] and row["verdict"] == "PASS", row
            assert row["pads_inferred"] == [[1, 1], [0, 0], [1, 1], [0, 0]], row
