"""The worker machinery: crashes, hangs and missing frameworks cost one case, never the run."""

from __future__ import annotations

from harness.case import Case
from harness.runner import Runner
from harness.variants import Variant

FAULT = Variant(name="fault", framework="fault", module="fault_adapter")
MISSING = Variant(name="missing", framework="missing", module="missing_adapter")


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


def test_the_main_process_never_imports_a_framework(runner):
    import sys

    assert runner.infos
    assert not {"torch", "tensorflow", "jax", "flax", "keras"} & set(sys.modules)
