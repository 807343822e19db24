"""The focus regions: a move lands its case in the region it names (or keeps the case drawn),
and a nightly-sized plan reaches every region."""

from __future__ import annotations

import collections

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import ops
from harness.case import OPS, Case, CaseError
from harness.model import focus
from harness.ops.conv import CONV
from harness.ops.conv_transpose import CONV_TRANSPOSE
from harness.ops.pool import POOL
from harness.running import survey

BASE = {record.name: record for record in (CONV, CONV_TRANSPOSE, POOL)}  # unfocused, unwidened
NAMED = [name for name in focus.MOVES if not name.startswith("plain")]


@pytest.mark.fast
@given(st.sampled_from(list(OPS)), st.sampled_from(list(focus.MOVES)), st.data())
def test_a_move_lands_its_case_in_the_region_it_names_or_gives_none(op, name, data):
    drawn = data.draw(BASE[OPS[op][0]].strategy(op))
    try:
        moved = focus.MOVES[name](data.draw, drawn)
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
        assert name in focus.coverage(moved), (name, moved)


def test_a_nightly_plan_reaches_every_focus_region():
    plan = survey.full_plan(survey.PROFILE_EXAMPLES["nightly"], 0, tuple(OPS))
    reached = collections.Counter(
        name for case in plan for name in ops.family(case).coverage(case) if name in NAMED
    )
    assert set(reached) == set(NAMED), reached
    assert all(count >= 20 for count in reached.values()), reached
