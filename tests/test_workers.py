"""The worker machinery: crashes, hangs and missing frameworks cost one case, never the run;
a framework that is installed but does not import is told apart from one that is not installed."""

from __future__ import annotations

import pytest

from harness.case import Case
from harness.errors import UsageError
from harness.running.runner import Runner
from harness.running.variants import Variant
from harness.running.workers import Absence

FAULT = Variant(name="fault", framework="fault", module="fault_adapter")
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
        19: "rejected",
        23: "not_expressible",
        11: "crashed",
        7: "ok",
    }
    assert "killed by SIGABRT" in answered[13][0].message
    assert "killed by SIGSEGV" in answered[11][0].message
    assert "no answer within 5 s" in answered[17][0].message
    assert (answered[19][0].error_type, answered[19][0].message) == ("MemoryError", "")
    assert restarts == 3


def test_a_missing_framework_is_reported_as_skipped_with_its_reason():
    with Runner([MISSING]) as runner:
        ((_, (outcome,)),) = runner.run([_case(4)])
    assert outcome.status == "skipped"
    assert "no_such_framework_for_convharness_tests is not installed" in outcome.message
    assert outcome.info.adapter == "missing.conv"


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
