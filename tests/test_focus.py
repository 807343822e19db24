"""The focus regions: a move lands its case in the region it names (or keeps the case drawn),
and a nightly-sized plan reaches every region."""

from __future__ import annotations

import collections

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import ops
from harness.case import OPS, Case, CaseError
from harness.running import survey

BASE = {record.name: record for record in ops.RECORDS}  # every family's, unfocused, unwidened
NAMED = [name for name in ops.MOVES if not name.startswith("plain")]


@pytest.mark.fast
def test_every_region_is_drawn_in_the_order_it_always_was():
    """The region a draw picks is an index into every family's moves: plans drawn before the
    moves moved into the family folders are drawn again only in this order."""
    assert ops.MOVES == (
        "plain: no dilation, no groups",
        "'same' with a stride past the window",
        "one side cropped, the other padded",
        "bfloat16 grouped and strided",
        "float64 grouped",
        "transposed 'same' at stride 1, even kernel",
    )


@pytest.mark.fast
@given(st.sampled_from(list(OPS)), st.sampled_from(list(ops.MOVES)), st.data())
def test_a_move_lands_its_case_in_the_region_it_names_or_gives_none(op, name, data):
    record = BASE[OPS[op][0]]
    drawn = data.draw(record.strategy(op))
    if name not in record.focus:
        return  # focus() keeps the case drawn: the family does not take this move
    try:
        moved = record.focus[name](data.draw, drawn)
        if moved is not None:
            moved = Case.from_json(moved.to_json())
    except CaseError:
        return  # focus() keeps the case drawn
    if moved is None:
        return
    assert moved.op == drawn.op
    if name.startswith("plain"):
        assert set(moved.dilation) == {1}
    else:
        assert name in ops.family(moved).coverage(moved), (name, moved)


def test_a_nightly_plan_reaches_every_focus_region():
    plan = survey.full_plan(survey.PROFILE_EXAMPLES["nightly"], 0, tuple(OPS))
    reached = collections.Counter(
        name for case in plan for name in ops.family(case).coverage(case) if name in NAMED
    )
    assert set(reached) == set(NAMED), reached
    assert all(count >= 20 for count in reached.values()), reached
