"""Shrinking keeps the difference, and only it, in a case no larger than the drawn one; the
`shrink` command refuses bad input in one line."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import fault_plugin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.case import Case, Padding
from harness.catalog import variants
from harness.families.conv.strategies import cases
from harness.running import shrink, survey
from harness.running.runner import Runner
from harness.running.store import Store
from harness.running.timeouts import TimeoutPolicy
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


@pytest.mark.fast
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


@pytest.mark.fast
def test_shrink_refuses_bad_input_in_one_line(tmp_path):
    missing = subprocess.run(
        [*CLI, "shrink", "abc", "--store", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "no store at" in missing.stderr


@pytest.mark.fast
def test_a_cap_bounds_a_variants_limit_however_its_times_go():
    policy = TimeoutPolicy(floor=2.0, ceiling=100.0, multiple=10.0, samples=5, cap=3.0)
    assert policy.timer().limit == 3.0  # too few times known: the cap, not the ceiling
    assert policy.learned([0.01] * 5) == 2.0  # the floor, under the cap
    assert policy.learned([1.5] * 5) == 3.0  # 15 s, capped
    assert TimeoutPolicy(samples=5).learned([1.5] * 5) == 30.0


@pytest.mark.waits
def test_a_shrink_whose_adapter_hangs_ends_within_its_budget_and_one_limit(tmp_path):
    """The fault adapter hangs on every case of height 17: each try of such a case costs the
    run's --timeout, not the 300 s ceiling, and the budget ends the search with what it has."""
    env = fault_plugin.install(tmp_path / "site")
    hangs = Case(batch=2, in_channels=2, out_channels=2, spatial=(17, 6), kernel=(3, 3))
    quick = Case(batch=1, in_channels=1, out_channels=2, spatial=(4, 4), kernel=(1, 1))
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(c.to_json()) + "\n" for c in (hangs, quick)))
    store = tmp_path / "hangs.db"
    budget, limit = 3.0, 2.0
    started = time.monotonic()
    done = subprocess.run(
        [*CLI, "run", "--cases", str(cases), "--variants", "fault", "--store", str(store)]
        + ["--timeout", f"{limit:g}", "--shrink-budget", f"{budget:g}", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    took = time.monotonic() - started
    assert done.returncode == 1, done.stderr  # the hang is an unexpected verdict
    assert f"the {budget:g} s budget ran out after " in done.stdout
    assert "; the smallest case so far" in done.stdout
    with Store.open(store, writable=False) as held:
        ((case_id, _, shrunk, ending, tries, seconds),) = held.shrunk_rows()
    assert case_id == hangs.id and ending == shrink.Ending.BUDGET and tries >= 2
    assert shrunk.spatial[0] == 17 and shrink.size(shrunk) <= shrink.size(hangs)
    # the last try began within the budget: one limit, and the worker's start after a hang
    assert budget < seconds < budget + limit + 5.0, (seconds, done.stdout)
    assert took < 60, took


@pytest.mark.fast
def test_a_shrink_learns_each_variants_limit_from_its_case_times_in_the_store(tmp_path):
    from harness.catalog.variants import Variant
    from harness.cli.shrink import case_limits
    from harness.running.store import Plan

    fault = Variant(name="fault", framework="fault", module="fault_adapter")
    cases = [
        Case(batch=1, in_channels=1, out_channels=2, spatial=(4, 4 + i), kernel=(1, 1))
        for i in range(TimeoutPolicy.samples)
    ]
    plan = Plan(cases=list(enumerate(cases)), plan_id="quick")
    with Store.create(tmp_path / "quick.db", plan) as store:
        assert case_limits(store, None) == {}  # nothing known: the ceiling, as a run has
        with Runner([fault]) as runner:
            survey.execute(runner, store, cases, total=len(cases), quiet=True)
        assert len(store.case_seconds()["fault"]) == len(cases)
        # milliseconds each: the floor, not the ceiling; --timeout wins
        assert case_limits(store, None) == {"fault": TimeoutPolicy.floor}
        assert case_limits(store, 7.0) == {"fault": 7.0}


def test_shrinking_after_a_run_starts_no_worker_of_its_own(tmp_path, monkeypatch, capsys):
    """The fault adapter answers a wrong shape on height 29: the run's shrink of that finding
    runs on the run's own worker, still running, instead of starting another."""
    from harness.catalog.variants import Variant
    from harness.cli import main
    from harness.running.workers import Worker

    monkeypatch.setattr(
        variants,
        "load",
        lambda: (Variant(name="fault", framework="fault", module="fault_adapter"),),
    )
    monkeypatch.setenv("CONVHARNESS_WARM", "0")  # the run's own worker, counted here
    monkeypatch.setenv("FAULT_CALM", "1")  # height 17 answers instead of hanging
    spawned = []
    spawn = Worker.spawn
    monkeypatch.setattr(Worker, "spawn", lambda self: (spawned.append(self), spawn(self))[1])
    wrong = Case(batch=1, in_channels=1, out_channels=2, spatial=(29, 4), kernel=(1, 1))
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(wrong.to_json()) + "\n")
    store = tmp_path / "wrong.db"
    command = ["run", "--cases", str(cases), "--variants", "fault", "--store", str(store)]
    assert main([*command, "--shrink-budget", "5", "--quiet"]) == 1
    assert "shrunk SHAPE_MISMATCH on fault" in capsys.readouterr().out
    # one worker: the run's (shrinking passes heights where the fault adapter aborts or
    # segfaults on purpose, and that worker then starts again, as it would in the run)
    assert len({id(worker) for worker in spawned}) == 1
    with Store.open(store, writable=False) as held:
        assert len(held.shrunk_rows()) == 1
