"""Shrinking keeps the difference, and only it, in a case no larger than the drawn one; the
`shrink` command refuses bad input in one line."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.case import Case, Padding
from harness.model.strategies import cases
from harness.running import shrink, survey, variants
from harness.running.runner import Runner
from harness.suite.helpers import needs

CLI = [sys.executable, "-m", "harness.cli"]

# tf.nn with oneDNN on returns its input for an empty output (registry:
# tf-onednn-empty-output-returns-input); the drawn case is larger than it needs to be.
DRAWN = Case(
    op="conv2d",
    batch=2,
    in_channels=3,
    out_channels=4,
    spatial=(3, 5),
    kernel=(4, 2),
    stride=(2, 2),
    dilation=(1, 1),
    padding=Padding("valid"),
    bias=False,
)


@settings(max_examples=60, deadline=None)
@given(st.data(), cases())
def test_every_candidate_is_no_larger_than_the_drawn_case(data, drawn):
    candidate = data.draw(shrink.smaller(drawn))
    assert shrink.size(candidate) <= shrink.size(drawn)
    assert candidate.op == drawn.op and candidate.padding.kind == drawn.padding.kind
    for small, big in zip(
        (*candidate.spatial, *candidate.kernel, *candidate.stride, *candidate.dilation),
        (*drawn.spatial, *drawn.kernel, *drawn.stride, *drawn.dilation),
        strict=True,
    ):
        assert 1 <= small <= big


@needs("tensorflow")
def test_a_shrunk_case_is_smaller_and_keeps_the_same_difference():
    with Runner(variants.select(None, ["tensorflow"])) as runner:

        def run(case):
            return next(survey.reports(runner, [case]))

        drawn = run(DRAWN)
        (result,) = [r for r in drawn.results if r.outcome.info.adapter == "tf.nn"]
        assert result.known == "tf-onednn-empty-output-returns-input", result.judgement
        target = shrink.Target(("tf.nn",), result.judgement.verdict, result.known)
        assert shrink.shows(drawn, target)
        done = shrink.shrink(DRAWN, target, run, budget=60)
        assert done.ending in (shrink.Ending.SMALLEST, shrink.Ending.BUDGET)
        assert shrink.size(done.case) < shrink.size(DRAWN)
        assert shrink.shows(run(done.case), target)


def test_shrink_refuses_bad_input_in_one_line(tmp_path):
    missing = subprocess.run(
        [*CLI, "shrink", "abc", "--store", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "no store at" in missing.stderr
