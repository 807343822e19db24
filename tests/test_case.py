"""The case value: padding specs, JSON round trip, stable ids, validation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given

from harness.case import Case, CaseError, Padding
from harness.strategies import CLASSIC, cases, paddings


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


@pytest.mark.parametrize("spec", ["SAME", "Valid", "same_lower"])
def test_padding_words_are_case_insensitive(spec):
    assert Padding.parse(spec).kind == spec.lower()


@pytest.mark.parametrize("spec", ["full", [1, 2, 3], "1,x", True, 1.5, None])
def test_bad_padding_is_refused(spec):
    with pytest.raises(CaseError):
        Padding.parse(spec)


@given(cases())
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
        ({"input": [1, 3, 8]}, "four ints"),
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


@given(cases())
def test_the_printed_command_rebuilds_the_case(case):
    from harness.cli import _case_from_flags, build_parser

    args = build_parser().parse_args(case.command().split()[1:])
    assert _case_from_flags(args) == case
