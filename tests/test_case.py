"""The case value: padding specs, JSON round trip, stable ids, validation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.case import Case, CaseError, Padding
from harness.families.conv.record import CLASSIC
from harness.families.conv.strategies import cases, paddings

pytestmark = pytest.mark.fast  # the inner-loop subset: python -m pytest -m fast


@given(paddings())
def test_padding_survives_its_own_spelling(padding):
    assert Padding.parse(padding.to_json()) == padding
    assert Padding.parse(str(padding)) == padding


@pytest.mark.parametrize(
    "spec, pads",
    [
        (1, (1, 1, 1, 1)),
        ([1, 2], (1, 1, 2, 2)),
        ([0, 1, 2, 3], (0, 1, 2, 3)),
        ("2,1", (2, 2, 1, 1)),
        ("-1,0,0,0", (-1, 0, 0, 0)),
    ],
)
def test_explicit_shorthands_expand_to_four_sides(spec, pads):
    assert Padding.parse(spec) == Padding.explicit(*pads)


@pytest.mark.parametrize(
    "rank, spec, pads",
    [
        (1, 2, (2, 2)),
        (1, [3], (3, 3)),
        (1, [1, 0], (1, 0)),
        (1, [[1, 0]], (1, 0)),
        (3, [1, 0, 2], (1, 1, 0, 0, 2, 2)),
        (3, [[1, 0], [0, 0], [1, 1]], (1, 0, 0, 0, 1, 1)),
        (3, "1,0,0,0,1,1", (1, 0, 0, 0, 1, 1)),
        (2, [[0, 1], [2, 3]], (0, 1, 2, 3)),
    ],
)
def test_explicit_padding_at_any_rank_is_one_low_high_pair_per_axis(rank, spec, pads):
    padding = Padding.parse(spec, rank)
    assert padding == Padding.explicit(*pads)
    assert Padding.parse(padding.to_json(), rank) == Padding.parse(str(padding), rank) == padding


def test_a_case_without_op_is_conv2d_and_keeps_its_id():
    """The id of every published conv2d case is the one it had before cases named their op."""
    legacy = {"input": [1, 3, 28, 28], "out_channels": 16, "kernel": [3, 3], "stride": 2}
    case = Case.from_json({**legacy, "padding": "same"})
    assert case.op == "conv2d" and case == CLASSIC[1]
    assert case.id == Case.from_json({**legacy, "padding": "same", "op": "conv2d"}).id
    assert case.id == "d133640a53f1"  # as README's explain example prints it


def test_the_issue_example_conv3d_case_reads():
    case = Case.from_json(
        {
            "op": "conv3d",
            "input": [1, 2, 5, 6, 7],
            "out_channels": 4,
            "kernel": [3, 3, 3],
            "stride": [2, 1, 2],
            "dilation": [1, 1, 1],
            "groups": 1,
            "padding": [[1, 0], [0, 0], [1, 1]],
        }
    )
    assert case.rank == 3 and case.spatial == (5, 6, 7)
    assert case.weight_shape == (4, 2, 3, 3, 3)
    assert case.padding.pairs() == [(1, 0), (0, 0), (1, 1)]
    assert Case.from_json(case.to_json()) == case


@pytest.mark.parametrize("spec", ["SAME", "Valid", "same_lower"])
def test_padding_words_are_case_insensitive(spec):
    assert Padding.parse(spec).kind == spec.lower()


@pytest.mark.parametrize("spec", ["full", [1, 2, 3], "1,x", True, 1.5, None])
def test_bad_padding_is_refused(spec):
    with pytest.raises(CaseError):
        Padding.parse(spec)


@given(st.sampled_from(["conv1d", "conv2d", "conv3d"]).flatmap(lambda op: cases(op=op)))
def test_case_survives_a_json_round_trip(case):
    text = json.dumps(case.to_json())
    again = Case.from_json(json.loads(text))
    assert again == case
    assert again.id == case.id


def test_case_id_depends_only_on_content():
    spelled_short = Case.from_json(
        {"input": [1, 3, 28, 28], "out_channels": 16, "kernel": [3, 3], "stride": 2, "padding": 1}
    )
    spelled_long = Case.from_json(
        {
            "input": [1, 3, 28, 28],
            "out_channels": 16,
            "kernel": [3, 3],
            "stride": [2, 2],
            "padding": [1, 1, 1, 1],
        }
    )
    assert spelled_short.id == spelled_long.id == CLASSIC[2].id
    assert len({c.id for c in CLASSIC}) == 3


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"input": [1, 3, 8]}, "conv2d input must be 4 ints"),
        ({"op": "conv4d"}, "unknown op 'conv4d'"),
        ({"op": "conv3d"}, "conv3d input must be 5 ints"),
        ({"op": "conv1d", "input": [1, 3, 8]}, "kernel must be an int or 1 ints"),
        ({"kernel": [3, 3, 3]}, "kernel must be an int or 2 ints"),
        ({"stride": [1, 1, 1]}, "stride must be an int or 2 ints"),
        ({"dilation": [1]}, "dilation must be an int or 2 ints"),
        ({"padding": [[1, 1], [1, 1], [0, 0]]}, "padding .* is not"),
        ({"padding": [1, 2, 3]}, "padding .* is not"),
        ({"groups": 2}, "must divide"),
        ({"kernel": [0, 3]}, "kernel must be >= 1"),
        ({"stride": [1, 0]}, "stride must be >= 1"),
        ({"dtype": "int8"}, "dtype"),
        ({"bias": "yes"}, "bias"),
        ({"colour": "red"}, "unknown case field"),
    ],
)
def test_invalid_cases_are_refused_with_a_reason(fields, message):
    data = {"input": [1, 3, 8, 8], "out_channels": 4, "kernel": [3, 3], **fields}
    with pytest.raises(CaseError, match=message):
        Case.from_json(data)


@given(st.sampled_from(["conv1d", "conv2d", "conv3d"]).flatmap(lambda op: cases(op=op)))
def test_the_printed_command_rebuilds_the_case(case):
    from harness.cli.cases import case_from_flags
    from harness.cli.parser import build_parser

    args = build_parser().parse_args(case.command().split()[1:])
    assert case_from_flags(args) == case
