"""The adapter contract's own machinery: a Call runs and is written from the same arguments,
the family table dispatches or refuses, and the built-in adapters import from the harness only
harness.adapter_api."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from harness.adapter_api import Call, Case, NotExpressible, Ref, Served, by_family, spell

pytestmark = pytest.mark.fast  # the inner-loop subset: python -m pytest -m fast

ADAPTERS = Path(__file__).resolve().parent.parent / "adapters"


def test_a_call_written_into_a_script_computes_what_the_run_computed():
    values = np.array([[3.0, -4.0], [1.0, np.inf]])
    calls = [
        Call("np.linalg.norm", dict(ord=1, axis=0)),
        Call("np.clip", dict(a_max=2.5), (-float("inf"),)),  # an infinity, positionally
        Call("np.sum", dict(axis=0, dtype=Ref("np.float32"))),  # an object of the library
    ]
    for built in calls:
        scope = {"np": np, "values": values}
        exec(f"y = {built.source('values')}", scope)  # noqa: S102 - the source built here
        assert np.array_equal(scope["y"], built(np, values))
    assert calls[1].source("v") == "np.clip(v, float('-inf'), a_max=2.5)"
    assert calls[2].source("v") == "np.sum(v, axis=0, dtype=np.float32)"


def test_a_long_call_is_written_one_argument_a_line_and_still_runs():
    arguments = dict(
        start=0.0, stop=1.0, num=5, endpoint=True, retstep=False, dtype="float64", axis=0
    )
    built = Call("np.linspace", arguments)
    source = built.source()
    assert source.count("\n") == len(arguments) + 1
    scope = {"np": np}
    exec(f"y = {source}", scope)  # noqa: S102 - the source built here
    assert np.array_equal(scope["y"], built(np))


def test_infinities_are_spelled_as_python_reads_them():
    assert eval(spell(-float("inf"))) == -float("inf")  # noqa: S307
    assert spell(2.0) == "2.0" and spell((1, 2)) == "(1, 2)"


def _served(name: str) -> Served:
    def run(case, x, w, b, device):
        return np.full(1, len(name))

    return Served({f"{name}2d": f"lib.{name}2d"}, run, lambda case, env: name)


def test_the_family_table_dispatches_and_refuses_a_family_it_lacks():
    api = by_family("lib", conv=_served("conv"), pool=_served("max_pool"))
    assert dict(api.apis) == {"conv2d": "lib.conv2d", "max_pool2d": "lib.max_pool2d"}
    conv = Case.from_json({"input": [1, 1, 4, 4], "out_channels": 1, "kernel": 2})
    pool = Case.from_json({"op": "max_pool2d", "input": [1, 1, 4, 4], "kernel": 2})
    assert api.run(conv, None, None, None, "cpu")[0] == 4 and api.code(pool, {}) == "max_pool"
    transposed = Case.from_json(
        {"op": "conv_transpose2d", "input": [1, 1, 4, 4], "out_channels": 1, "kernel": 2}
    )
    with pytest.raises(NotExpressible, match="lib has no conv_transpose call"):
        api.run(transposed, None, None, None, "cpu")
    with pytest.raises(NotExpressible, match="lib has no conv_transpose call"):
        api.code(transposed, {})


def test_the_adapters_import_from_the_harness_only_its_adapter_api():
    imported = set()
    for path in sorted(ADAPTERS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                imported.update((path.name, alias.name) for alias in node.names)
    harness = {module for _, module in imported if module.split(".")[0] == "harness"}
    assert harness == {"harness.adapter_api"}
