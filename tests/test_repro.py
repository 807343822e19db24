"""Reproduction scripts: standalone, one framework each, and they show the difference when run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import repro_forks  # tests/repro_forks.py

from harness.families.conv.record import CLASSIC
from harness.model import inputs
from harness.reporting.repro import script
from harness.suite.helpers import importable, needs

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
    scripts = sorted(out.glob("*.py"))
    for framework in ("tensorflow", "torch"):  # TensorFlow's first: torch's compare with them
        ran = [path for path in scripts if ("torch" in path.name) == (framework == "torch")]
        # each script as `python SCRIPT` in its folder, in a child of one Python that imported
        # the framework (tests/repro_forks.py)
        stage = {"repros": {path.name: path.read_text() for path in ran}}
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        shown = repro_forks.run(framework, stage, env, cwd=out)
        for path in ran:
            returncode, stdout, stderr = shown[path.name]
            assert returncode == 0, stderr
            printed[path.name] = stdout
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


# A case per family and padding form, small enough to run quickly on every adapter.
SCRIPTED = [
    {
        "op": "conv2d",
        "input": [1, 3, 9, 9],
        "out_channels": 4,
        "kernel": 3,
        "stride": 2,
        "padding": 1,
    },
    {
        "op": "conv2d",
        "input": [1, 2, 9, 8],
        "out_channels": 2,
        "kernel": 3,
        "stride": 2,
        "padding": "same",
    },
    {
        "op": "conv1d",
        "input": [2, 4, 11],
        "out_channels": 4,
        "kernel": 3,
        "groups": 2,
        "padding": [1, 2],
        "bias": False,
    },
    {"op": "conv3d", "input": [1, 2, 5, 6, 5], "out_channels": 3, "kernel": 2, "padding": 0},
    {
        "op": "conv_transpose2d",
        "input": [1, 4, 5, 5],
        "out_channels": 2,
        "kernel": 3,
        "stride": 2,
        "padding": 1,
        "output_padding": 1,
        "groups": 2,
    },
    {
        "op": "conv_transpose1d",
        "input": [1, 3, 6],
        "out_channels": 2,
        "kernel": 3,
        "stride": 2,
        "padding": "same",
    },
    {"op": "max_pool2d", "input": [1, 2, 7, 8], "kernel": 3, "stride": 2, "padding": [1, 0]},
    {"op": "avg_pool2d", "input": [1, 2, 7, 7], "kernel": 2, "stride": 2, "padding": 1},
    {"op": "avg_pool1d", "input": [1, 3, 9], "kernel": 3, "stride": 2, "padding": "valid"},
]

# The variants that share a framework run in one process (a framework imported once): each
# variant's environment is set while it runs (CONVHARNESS_* layout settings are read at each
# call; KERAS_BACKEND before Keras is first imported, and only the Keras variant imports it).
# Every adapter of a variant runs each case it serves, then the script written for it runs in
# the same process, and the two outputs are compared.
_RUN_AND_SCRIPT = """
import json, os, sys
import numpy as np
from harness.adapter_api import NotExpressible
from harness.case import Case
from harness.model import inputs
from harness.reporting.repro import script
from harness.catalog.variants import load

catalog = {v.name: v for v in load()}
cases = [Case.from_json(data) for data in json.loads(sys.argv[2])]
found = {}
for name in sys.argv[1].split(","):
    variant, before = catalog[name], dict(os.environ)
    os.environ.update(variant.env)
    module = __import__(variant.module, fromlist=["APIS"])
    rows = found[name] = []
    for case in cases:
        for api in module.APIS:
            if api.api_for(case.op) is None:
                continue
            adapter = variant.adapter_name(api.adapter)
            try:
                ran = api.run(case, *inputs.arrays(case), "cpu")
            except NotExpressible:
                continue
            except Exception as error:  # the framework refuses: the script must refuse too
                ran = type(error).__name__
            scope = {}
            exec(compile(script(case, adapter)[1], adapter, "exec"), scope)
            written = scope["y"]
            same = (
                written is None if isinstance(ran, str)
                else written is not None and written.shape == ran.shape
                and bool(np.array_equal(written, ran, equal_nan=True))
            )
            rows.append([adapter, case.family, case.op, isinstance(ran, str), same])
    os.environ.clear()
    os.environ.update(before)
print(json.dumps(found))
"""

# the variants that share a process, by group; the frameworks each variant needs
SHARING = {
    "torch": ["torch", "torch-channels-last"],
    "tensorflow": ["tensorflow", "tensorflow-nchw"],
    "jax": ["keras-jax", "jax", "jax-nhwc", "flax"],
}
NEEDS = {
    "torch": ("torch",),
    "torch-channels-last": ("torch",),
    "tensorflow": ("tensorflow",),
    "tensorflow-nchw": ("tensorflow",),
    "keras-jax": ("keras", "jax"),
    "jax": ("jax",),
    "jax-nhwc": ("jax",),
    "flax": ("flax",),
}
_RAN: dict[str, dict] = {}  # group -> what its process printed, or its error


def _ran_with_its_group(variant: str, tmp_path) -> list:
    """The variant's rows, from the one process its group runs in (started by the first of
    the group's tests; the group's tests run on one xdist worker)."""
    group = next(name for name, members in SHARING.items() if variant in members)
    if group not in _RAN:
        members = [v for v in SHARING[group] if importable(*NEEDS[v])]
        done = subprocess.run(
            [sys.executable, "-c", _RUN_AND_SCRIPT, ",".join(members), json.dumps(SCRIPTED)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
            timeout=600,
        )
        _RAN[group] = (
            json.loads(done.stdout.strip().splitlines()[-1])
            if done.returncode == 0
            else {"error": done.stderr[-3000:]}
        )
    ran = _RAN[group]
    assert "error" not in ran, ran["error"]
    return ran[variant]


@pytest.mark.xdist_group("repro-scripts")
@pytest.mark.parametrize("variant", list(NEEDS))
def test_a_script_computes_what_the_run_computed(variant, tmp_path):
    if not importable(*NEEDS[variant]):
        pytest.skip(f"needs {', '.join(NEEDS[variant])}, not installed here")
    found = _ran_with_its_group(variant, tmp_path)
    differ = [row for row in found if not row[-1]]
    assert not differ, differ
    answered = {(adapter, family) for adapter, family, _, refused, _ in found if not refused}
    families = {family for _, family in answered}
    assert families == {"conv", "conv_transpose", "pool"}, answered  # every family compared
