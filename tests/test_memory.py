"""The memory budget: a case's bytes are estimated before it runs, and a case over the budget
is refused in one line (exit 2) wherever it comes from; the strategies draw none."""

from __future__ import annotations

import json
import math

import pytest

from harness.case import Case
from harness.cli import main
from harness.families.conv.record import CLASSIC
from harness.families.family import default_memory
from harness.model import inference, inputs
from harness.model.strategies import draw_cases
from harness.ops import FAMILIES, family
from harness.running import memory

HUGE = {"input": [1, 1, 30000, 30000], "out_channels": 1, "kernel": 3}


@pytest.mark.fast
def test_the_estimate_counts_at_least_the_arrays_the_assessment_really_builds():
    for case in CLASSIC:
        x, w, b = inputs.arrays(case)
        output = family(case).reference(case, x, w, b, case.padding.pads or (1, 1, 1, 1))
        out = [max(n, 1) for n in output.shape[2:]]
        dense = inference.dense_reference(case, x, w, b, inference.margin_for(case, tuple(out)))
        held = x.nbytes + w.nbytes + (b.nbytes if b is not None else 0)
        assert memory.estimate(case) >= held + output.nbytes + dense.nbytes


@pytest.mark.fast
def test_a_huge_case_is_estimated_in_gigabytes_and_a_bigger_dtype_costs_more():
    huge = Case.from_json(HUGE)
    assert memory.estimate(huge) > 30000 * 30000 * 8 * 3
    wider = Case.from_json({**HUGE, "dtype": "float64"})
    assert memory.estimate(wider) > memory.estimate(huge)
    same = Case.from_json({**HUGE, "padding": "same"})
    assert memory.estimate(same) > memory.estimate(huge)  # its output is larger


@pytest.mark.fast
def test_a_size_is_read_as_a_person_writes_it():
    assert memory.parse_size("2GiB") == 2 * 2**30
    assert memory.parse_size("1.5g") == int(1.5 * 2**30)
    assert memory.parse_size("800MB") == 800 * 2**20
    assert memory.parse_size("4096") == 4096
    for bad in ("", "lots", "-1G", "0"):
        with pytest.raises(ValueError):
            memory.parse_size(bad)


@pytest.mark.fast
def test_explain_refuses_a_case_over_the_budget_in_one_line(capsys):
    argv = ["explain", "--input", "1,1,30000,30000", "--out-channels", "1", "--kernel", "3"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("convharness: error: case ") and err.count("\n") == 1
    assert "needs about" in err and "GiB" in err and "over --max-case-memory" in err


@pytest.mark.fast
@pytest.mark.parametrize("command", ["explain", "run"])
def test_a_case_file_with_a_case_over_the_budget_is_refused_and_nothing_runs(
    command, tmp_path, capsys
):
    small = json.dumps(CLASSIC[0].to_json())
    path = tmp_path / "cases.jsonl"
    path.write_text(small + "\n" + json.dumps(HUGE) + "\n")
    store = tmp_path / "run.db"
    extra = ["--store", str(store)] if command == "run" else []
    assert main([command, "--cases", str(path), "--max-case-memory", "1GiB", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "over --max-case-memory 1 GiB" in err
    assert "1x1x30000x30000 float32" in err
    assert not store.exists()


@pytest.mark.fast
def test_a_budget_that_is_not_a_size_is_refused_in_one_line(capsys):
    assert main(["explain", "--cases", "x.jsonl", "--max-case-memory", "lots"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("convharness: error: argument --max-case-memory: 'lots' is not")
    assert err.endswith("2GiB or 800MiB\n")


def test_the_strategies_draw_no_case_anywhere_near_the_smallest_budget():
    """A machine of 1 GiB has a default budget of 64 MiB: no drawn case comes near it."""
    smallest = 2**30 // memory.CASE_FRACTION
    for fam in FAMILIES.values():
        for op in fam.ops:
            drawn = draw_cases(300, seed=5, strategy=fam.strategy(op))
            largest = max(memory.estimate(case) for case in drawn)
            assert largest < smallest / 4, (op, memory.readable(largest))


@pytest.mark.fast
def test_a_family_without_its_own_estimate_is_charged_for_its_input_and_output():
    case = Case(batch=2, in_channels=3, out_channels=4, spatial=(10, 10), kernel=(3, 3))
    doubled = Case(batch=4, in_channels=3, out_channels=4, spatial=(10, 10), kernel=(3, 3))
    held = math.prod(case.input_shape) * 8 + case.batch * case.out_channels * 100 * 8
    assert default_memory(case) >= held
    assert default_memory(doubled) > default_memory(case)
