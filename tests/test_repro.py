"""Reproduction scripts: standalone, one framework each, and they show the difference when run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from harness.model import inputs
from harness.ops.conv import CLASSIC
from harness.reporting.repro import script
from harness.suite.helpers import needs

CLI = [sys.executable, "-m", "harness.cli"]


@pytest.mark.fast
def test_a_script_rebuilds_exactly_the_harness_data():
    _, source = script(CLASSIC[1], "jax.lax")
    data = source.split("try:")[0]  # the part before the framework call
    scope: dict = {}
    exec(compile(data, "repro", "exec"), scope)  # noqa: S102 - our own generated source
    x, w, b = inputs.arrays(CLASSIC[1])
    assert (scope["x"] == x).all() and (scope["w"] == w).all() and (scope["b"] == b).all()


@pytest.mark.fast
def test_scripts_are_written_without_importing_a_framework():
    for adapter in ("torch.padded", "tf.nn[no-onednn]", "keras.padded[jax]", "flax.nnx"):
        name, source = script(CLASSIC[2], adapter)
        assert name.endswith(".py") and "import numpy as np" in source
    assert not {"torch", "tensorflow", "jax", "flax", "keras"} & set(sys.modules)


@needs("tensorflow", "torch")
def test_the_porting_trap_scripts_show_same_shape_and_different_values(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(c.to_json()) + "\n" for c in CLASSIC[1:]))
    out = tmp_path / "scripts"
    done = subprocess.run(
        [
            *CLI,
            "repro",
            "--cases",
            str(cases),
            "--adapters",
            "tf.nn,torch.functional",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    printed = {}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    for path in sorted(out.glob("*.py"), key=lambda p: ("torch" in p.name, p.name)):
        run = subprocess.run(
            [sys.executable, path.name],
            cwd=out,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr
        printed[path.name] = run.stdout
    same, one = CLASSIC[1].id, CLASSIC[2].id
    assert (
        "refuses: RuntimeError padding='same' is not supported"
        in printed[f"repro_{same}_torch_functional.py"]
    )
    torch_one = printed[f"repro_{one}_torch_functional.py"]
    assert "output shape [N, C, *spatial]: (1, 16, 14, 14)" in torch_one
    lines = dict(
        line.strip().split(": ", 1)
        for line in torch_one.splitlines()
        if line.strip().startswith("vs ")
    )
    difference = {key: float(text.rsplit("= ", 1)[1]) for key, text in lines.items()}
    assert difference[f"vs {one}-tf_nn"] < 1e-4  # padding=1 in both: the same output
    assert difference[f"vs {same}-tf_nn"] > 0.1  # TF's SAME is not padding=1: same shape


@needs("torch", "jax")
def test_repro_from_a_store_takes_the_adapters_that_diverged(tmp_path):
    path = tmp_path / "s.db"
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(CLASSIC[1].to_json()) + "\n")
    done = subprocess.run(
        [
            *CLI,
            "run",
            "--cases",
            str(cases),
            "--frameworks",
            "torch,jax",
            "--store",
            str(path),
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*CLI, "repro", CLASSIC[1].id, "--store", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "out").glob("*.py"))
    assert any("torch_functional" in n for n in names) and any("jax_lax" in n for n in names)


@pytest.mark.fast
@pytest.mark.parametrize(
    "argv, message",
    [
        (["repro"], "repro needs CASE_ID"),
        (["repro", "0123456789ab"], "no store under runs/ holds case 0123456789ab"),
        (["repro", "abc", "--store", "/no/such.db"], "no store at"),
        (["repro", "--cases", "/no/such.jsonl", "--adapters", "tf.nn"], "cannot read"),
    ],
)
def test_bad_repro_arguments_get_one_line(argv, message):
    done = subprocess.run([*CLI, *argv], capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1
