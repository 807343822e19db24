"""The worker machinery: crashes, hangs and missing frameworks cost one case, never the run."""

from __future__ import annotations

from harness import inputs
from harness.case import Case
from harness.workers import Pool


def _case(height: int) -> Case:
    return Case(batch=1, in_channels=1, out_channels=2, height=height, width=4, kernel=(1, 1))


def _statuses(pool, heights):
    found = []
    for height in heights:
        case = _case(height)
        (outcome,) = pool.run(case, *inputs.arrays(case))
        found.append((outcome.status, outcome.error_type, outcome.message))
    return found


def test_a_crash_or_a_hang_costs_only_its_own_case():
    with Pool(["fault_adapter"], timeout=5) as pool:
        found = _statuses(pool, [4, 13, 4, 17, 4, 19, 23])
        worker = pool.workers[0]
    assert [status for status, *_ in found] == [
        "ok",
        "crashed",
        "ok",
        "crashed",
        "ok",
        "rejected",
        "not_expressible",
    ]
    assert "worker died" in found[1][2] and "exit code" in found[1][2]
    assert "no answer within 5 s" in found[3][2]
    assert found[5][1:] == ("ZeroDivisionError", "refused on purpose")
    assert worker.restarts == 2


def test_a_missing_framework_is_reported_as_skipped_with_its_reason():
    with Pool(["missing_adapter"]) as pool:
        case = _case(4)
        (outcome,) = pool.run(case, *inputs.arrays(case))
    assert outcome.status == "skipped"
    assert "no_such_framework_for_convharness_tests is not installed" in outcome.message
    assert outcome.info.adapter == "missing.conv"


def test_the_main_process_never_imports_a_framework(pool):
    import sys

    assert pool.infos
    assert not {"torch", "tensorflow", "jax", "flax", "keras"} & set(sys.modules)
