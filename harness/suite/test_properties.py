"""Properties over Hypothesis-drawn cases, run on every installed framework.

A failure prints the minimal case and the `convharness explain` line that reruns it.
"""

from __future__ import annotations

from hypothesis import event, example, given, note
from hypothesis import strategies as st

from harness.case import Padding
from harness.ops.conv import CLASSIC
from harness.strategies import cases, coverage
from harness.suite.helpers import problems, unexpected_lines, unexplained_lines


def _record(report) -> None:
    for label in coverage(report.case):
        event(label)
    note(f"reproduce: {report.case.command()}")


@given(case=cases())
@example(case=CLASSIC[0])
@example(case=CLASSIC[1])
@example(case=CLASSIC[2])
def test_every_framework_does_what_its_documentation_says(survey, case):
    report = survey(case)
    _record(report)
    unexpected = unexpected_lines(report)
    assert not unexpected, "\n".join(unexpected + [f"reproduce: {case.command()}"])


@given(case=cases())
def test_frameworks_agree_unless_the_registry_says_otherwise(survey, case):
    report = survey(case)
    _record(report)
    unexplained = unexplained_lines(report)
    assert not unexplained, "\n".join(unexplained + [f"reproduce: {case.command()}"])


@given(
    case=cases(
        padding=st.just(Padding("same")), stride=st.just(1), dtype=st.just("float32")
    ).filter(lambda c: c.batch > 0)
)
def test_stride_one_same_keeps_the_size_and_agrees_everywhere(survey, installed, case):
    report = survey(case)
    _record(report)
    for result in report.results:
        if result.outcome.status == "ok":
            assert result.outcome.output.shape[2:] == case.spatial, result.name
        elif result.outcome.info.adapter in installed:  # or a documented refusal
            assert result.judgement.verdict in ("NOT_EXPRESSIBLE", "EXPECTED_REJECT"), result.name
    assert not problems(report), "\n".join(problems(report))
