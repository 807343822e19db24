"""Properties over Hypothesis-drawn cases, run on every installed framework.

A failure prints the minimal case and the `convharness explain` line that reruns it.
"""

from __future__ import annotations

from hypothesis import event, example, given, note
from hypothesis import strategies as st

from harness.case import Padding
from harness.families.conv.record import CLASSIC
from harness.families.conv.strategies import coverage
from harness.suite.helpers import (
    drawn_cases,
    problems,
    selected_ops,
    unexpected_lines,
    unexplained_lines,
)


def _record(report) -> None:
    for label in coverage(report.case):
        event(label)
    note(f"reproduce: {report.case.command()}")


def _classic_examples(test):
    """The classic question as explicit examples, where conv2d is among the operators drawn."""
    for case in CLASSIC if "conv2d" in selected_ops() else ():
        test = example(case=case)(test)
    return test


@given(case=drawn_cases())
@_classic_examples
def test_every_framework_does_what_its_documentation_says(survey, case):
    report = survey(case)
    _record(report)
    unexpected = unexpected_lines(report)
    assert not unexpected, "\n".join(unexpected + [f"reproduce: {case.command()}"])


@given(case=drawn_cases())
def test_frameworks_agree_unless_the_registry_says_otherwise(survey, case):
    report = survey(case)
    _record(report)
    unexplained = unexplained_lines(report)
    assert not unexplained, "\n".join(unexplained + [f"reproduce: {case.command()}"])


@given(
    case=drawn_cases(
        padding=st.just(Padding("same")), stride=st.just(1), dtype=st.just("float32")
    ).filter(lambda c: c.batch > 0)
)
def test_stride_one_same_keeps_the_size_and_agrees_everywhere(survey, installed, case):
    report = survey(case)
    _record(report)
    for result in report.results:
        if result.outcome.status == "ok" and not result.known:
            assert result.outcome.output.shape[2:] == case.spatial, result.name
        elif result.outcome.info.adapter in installed:  # or a documented refusal, or a known bug
            expected = result.judgement.verdict in ("NOT_EXPRESSIBLE", "EXPECTED_REJECT")
            assert expected or result.known, result.name
    assert not problems(report), "\n".join(problems(report))
