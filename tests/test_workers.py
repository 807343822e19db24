"""The worker machinery: crashes, hangs and missing frameworks cost one case, never the run;
a framework that is installed but does not import is told apart from one that is not installed."""

from __future__ import annotations

import time

import pytest

from harness.case import Case
from harness.catalog.variants import Variant
from harness.errors import UsageError
from harness.running import runner as runner_module
from harness.running.runner import Runner
from harness.running.timeouts import TimeoutPolicy
from harness.running.workers import Absence

FAULT = Variant(name="fault", framework="fault", module="fault_adapter")
CALM = Variant(  # the same adapter, hanging on nothing
    name="fault-calm",
    framework="fault",
    module="fault_adapter",
    tag="calm",
    env={"FAULT_CALM": "1"},
)
MISSING = Variant(name="missing", framework="missing", module="missing_adapter")
BROKEN = Variant(name="broken", framework="broken", module="broken_adapter")
NEEDS = Variant(  # a backend variant whose other framework is not installed
    name="fault-needs",
    framework="fault",
    module="fault_adapter",
    tag="needs",
    requires=("no_such_backend_for_convharness_tests",),
)


def _case(height: int) -> Case:
    return Case(batch=1, in_channels=1, out_channels=2, spatial=(height, 4), kernel=(1, 1))


@pytest.mark.waits
def test_a_crash_or_a_hang_costs_only_its_own_case():
    heights = [4, 13, 5, 17, 6, 19, 23, 11, 7]
    with Runner([FAULT], timeout=5, batch_size=4) as runner:
        answered = {
            case.spatial[0]: outcomes for case, outcomes in runner.run([_case(h) for h in heights])
        }
        restarts = runner.restarts
    status = {h: answered[h][0].status for h in heights}
    assert status == {
        4: "ok",
        13: "crashed",
        5: "ok",
        17: "timeout",
        6: "ok",
        19: "crashed",
        23: "not_expressible",
        11: "crashed",
        7: "ok",
    }
    assert "killed by SIGABRT" in answered[13][0].message
    assert "killed by SIGSEGV" in answered[11][0].message
    assert "no answer within 5 s" in answered[17][0].message
    assert answered[19][0].message == "out of memory: MemoryError:"
    assert restarts == 4


def test_an_allocation_past_the_workers_limit_costs_only_its_own_case():
    heights = [4, 5, 37, 6, 7, 37, 8]
    with Runner([FAULT], batch_size=4, headroom=256 * 2**20) as runner:
        answered = [outcomes for _, outcomes in runner.run([_case(h) for h in heights])]
        restarts = runner.restarts
    assert [o.status for (o,) in answered] == ["ok", "ok", "crashed", "ok", "ok", "crashed", "ok"]
    assert answered[2][0].message.startswith("out of memory: MemoryError: Unable to allocate")
    assert restarts == 2
    with Runner([FAULT]) as unlimited:  # the same allocation, with no limit, succeeds
        ((_, (outcome,)),) = unlimited.run([_case(37)])
    assert outcome.status == "ok"


@pytest.mark.waits
def test_a_variant_that_hangs_on_some_cases_costs_seconds_not_the_ceiling():
    """Timeouts learned from the variant's own case times: each hang costs about the floor
    (and a restart), never the ceiling; every hung case is recorded as a timeout, and the
    variant beside it that does not hang answers every case."""
    policy = TimeoutPolicy(ceiling=300.0, floor=1.0, samples=10)
    quick = [_case(4 + i % 5) for i in range(60)]
    plan = [case if i < 12 or i % 12 else _case(17) for i, case in enumerate(quick)]
    hung = sum(case.spatial[0] == 17 for case in plan)
    timings = {}
    for name, cases in (("quick", quick), ("hanging", plan)):
        started = time.monotonic()
        with Runner([FAULT, CALM], timeout=policy, batch_size=4) as runner:
            answered = [(case, outcomes) for case, outcomes in runner.run(cases)]
            start_cost = max(w.startup_seconds for w in runner.workers)
        timings[name] = time.monotonic() - started
    assert hung == 4
    faulty = [(c, o[0].status) for c, o in answered]
    assert [s for c, s in faulty if c.spatial[0] == 17] == ["timeout"] * hung
    assert all(s == "ok" for c, s in faulty if c.spatial[0] != 17)
    assert all(o[1].status == "ok" for _, o in answered)  # the calm variant, every case
    # each hang: its limit (the floor, as the quick cases take milliseconds) and a restart
    assert timings["hanging"] < 2 * timings["quick"] + hung * (policy.floor + 2 * start_cost)


@pytest.mark.fast
def test_a_timeout_is_a_multiple_of_the_variants_slow_cases_within_floor_and_ceiling():
    timer = TimeoutPolicy(floor=2.0, ceiling=100.0, multiple=10.0, samples=5).timer()
    assert timer.limit == 100.0  # too few times known: the ceiling
    for seconds in (0.01, 0.02, 0.01, 0.03, 0.01):
        timer.record(seconds)
    assert timer.limit == 2.0  # 10 x 0.03 is under the floor
    timer.record(1.5)
    assert timer.limit == 15.0
    timer.record(50.0)
    assert timer.limit == 100.0
    assert TimeoutPolicy(fixed=7.0).timer().limit == 7.0


@pytest.mark.fast
def test_a_missing_framework_is_reported_as_skipped_with_its_reason():
    with Runner([MISSING]) as runner:
        ((_, (outcome,)),) = runner.run([_case(4)])
    assert outcome.status == "skipped"
    assert "no_such_framework_for_convharness_tests is not installed" in outcome.message
    assert outcome.info.adapter == "missing.conv"


@pytest.mark.fast
def test_not_installed_installed_but_broken_and_a_missing_backend_are_told_apart():
    with Runner([MISSING, BROKEN, NEEDS]) as runner:
        told = {w.variant.name: (w.absence, w.skipped) for w in runner.workers}
        ((_, outcomes),) = runner.run([_case(4)])
    assert told == {
        "missing": (
            Absence.NOT_INSTALLED,
            "no_such_framework_for_convharness_tests is not installed",
        ),
        "broken": (
            Absence.IMPORT_FAILED,
            "broken_framework_for_convharness_tests is installed but fails to import: "
            "RuntimeError: broken on purpose",
        ),
        "fault-needs": (
            Absence.NEEDS_ANOTHER,
            "needs no_such_backend_for_convharness_tests, which is not installed",
        ),
    }
    assert [o.status for o in outcomes] == ["skipped"] * 3
    assert "fails to import" in outcomes[1].message


@pytest.mark.fast
def test_what_was_asked_for_or_is_installed_must_import():
    with Runner([MISSING, BROKEN, NEEDS]) as runner:
        runner.check(None, None, broken=False)  # nothing asked for: each is skipped, with why
        with pytest.raises(UsageError) as installed:
            runner.check(None, None, broken=True)
        with pytest.raises(UsageError) as frameworks:
            runner.check(["missing", "broken", "fault"], None, broken=False)
        with pytest.raises(UsageError) as named:
            runner.check(None, ["missing", "broken", "fault-needs"], broken=False)
    assert str(installed.value) == (
        "broken: broken_framework_for_convharness_tests is installed but fails to import: "
        "RuntimeError: broken on purpose"
    )
    assert str(frameworks.value).startswith("missing: no_such_framework_for_convharness_tests")
    assert "; broken: " in str(frameworks.value) and "fault-needs" not in str(frameworks.value)
    assert str(named.value).endswith(
        "; fault-needs: needs no_such_backend_for_convharness_tests, which is not installed"
    )
    assert "\n" not in str(named.value)


def test_the_main_process_never_imports_a_framework(runner):
    import sys

    assert runner.infos
    assert not {"torch", "tensorflow", "jax", "flax", "keras"} & set(sys.modules)


FRAMEWORK_MODULES = (
    "torch", "tensorflow", "jax", "flax", "keras", "onnxruntime", "paddle", "openvino", "mlx",
    "mindspore", "tinygrad",
)  # fmt: skip


@pytest.mark.fast
def test_what_a_variant_serves_is_read_without_importing_its_framework():
    """`run` and `explain` start the workers of the variants that serve an operator of the
    plan alone; reading what each serves imports its adapter module here, never a framework."""
    import subprocess
    import sys

    script = (
        "import sys\nfrom harness.catalog import variants\n"
        "served = {v.name: variants.served_ops(v.module) for v in variants.load()}\n"
        f"print(sorted(set({FRAMEWORK_MODULES!r}) & set(sys.modules)))\n"
        "print(sorted(n for n, ops in served.items() if ops is None))\n"
        "print(sorted(n for n, ops in served.items() if ops and 'patches1d' in ops))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    imported, unread, patches1d = done.stdout.splitlines()
    assert (imported, unread) == ("[]", "[]"), done.stderr
    assert "'jax'" in patches1d and "'torch'" not in patches1d


@pytest.mark.fast
def test_only_variants_serving_an_operator_of_the_plan_are_started():
    from harness.catalog import variants

    chosen = variants.select(["torch", "jax"])
    kept = [v.name for v in variants.serving(chosen, {"patches1d"})]
    assert kept == [v.name for v in chosen if v.framework == "jax"]
    assert variants.serving(chosen, {"conv2d", "patches1d"}) == chosen
    with pytest.raises(UsageError, match="no variant asked for serves patches1d; torch, "):
        variants.serving(variants.select(["torch"]), {"patches1d"})


def _slow_cases(count: int) -> list[Case]:
    return [
        Case(batch=1, in_channels=1, out_channels=2, spatial=(43, 4 + i), kernel=(1, 1))
        for i in range(count)
    ]


@pytest.mark.waits
def test_a_lagging_variant_gets_a_helper_and_every_case_is_answered_once(monkeypatch):
    monkeypatch.setattr(runner_module, "HELPER_START", 0.2)  # the adapter imports NumPy alone
    cases = _slow_cases(80)  # 0.1 s each: 8 s on one process
    with Runner([FAULT], batch_size=4, helpers=1) as runner:
        answered = [(case, [o.status for o in outcomes]) for case, outcomes in runner.run(cases)]
        assert runner.helpers_started == 1
        assert not runner.helpers  # closed when the run ended
    assert sorted(case.spatial for case, _ in answered) == [case.spatial for case in cases]
    assert all(statuses == ["ok"] for _, statuses in answered)


@pytest.mark.waits
def test_no_helper_where_none_may_start_or_the_work_left_is_short(monkeypatch):
    with Runner([FAULT], batch_size=4, helpers=0) as runner:
        assert len(list(runner.run(_slow_cases(40)))) == 40
        assert runner.helpers_started == 0
    with Runner([FAULT], batch_size=4, helpers=1) as runner:  # 2.4 s left: a start costs more
        assert len(list(runner.run(_slow_cases(40)))) == 40
        assert runner.helpers_started == 0


@pytest.mark.waits
def test_a_helper_that_dies_starting_is_dropped_and_costs_no_case(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "HELPER_START", 0.2)
    gate = tmp_path / "no-more"
    dying = Variant(name="fault", framework="fault", module="fault_adapter",
                    env={"FAULT_NO_MORE": str(gate)})  # fmt: skip
    with Runner([dying], batch_size=4, helpers=1) as runner:
        gate.touch()  # the first process has started; any later one dies importing
        answered = list(runner.run(_slow_cases(80)))
        assert runner.helpers_started == 1 and not runner.helpers
    assert len(answered) == 80
    assert all(o.status == "ok" for _, outcomes in answered for o in outcomes)
