"""A framework the suite or the command line is asked for that does not import fails the run,
in one line naming it; a property that judged no framework answer is skipped, never passed.

JAX is made unimportable by a broken build on purpose: a `jax` package, first on PYTHONPATH,
whose import raises. The real JAX runs the last test, which checks that every property that
passes judged JAX answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.pytest_plugin import JUDGED_PROPERTY
from harness.suite.helpers import importable, needs

ROOT = Path(__file__).resolve().parent.parent
BROKEN = 'raise ImportError("broken on purpose")\n'
# as a framework's CI runs the suite: none of this session's conftest
SUITE = ["-m", "pytest", "--pyargs", "harness.suite", "-p", "no:cacheprovider", "-q", "-n", "0"]
SUITE += ["--noconftest"]
CHEAP = "test_padding_zero_gives_13x13_everywhere"
EXPLAIN = ["-m", "harness.cli", "explain", "--input", "1,1,5,5", "--out-channels", "1"]


def _python(args: list[str], shadow: Path | None = None) -> subprocess.CompletedProcess:
    paths = [str(shadow)] if shadow else []
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")]),
        "CONVHARNESS_PROFILE": "dev",
    }
    if shadow:  # workers of its own, which end with it; else the session's warm workers
        env["CONVHARNESS_WARM"] = "0"
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


@pytest.fixture
def broken_jax(tmp_path: Path) -> Path:
    (tmp_path / "jax").mkdir()
    (tmp_path / "jax" / "__init__.py").write_text(BROKEN)
    return tmp_path


def _lines_naming_the_error(done: subprocess.CompletedProcess) -> list[str]:
    return [
        line for line in (done.stdout + done.stderr).splitlines() if "broken on purpose" in line
    ]


def test_a_broken_jax_fails_the_suite_in_one_line_naming_it(broken_jax):
    done = _python([*SUITE, "--conv-frameworks=jax", "-x", "-k", CHEAP], shadow=broken_jax)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    (line,) = _lines_naming_the_error(done)
    assert "jax: jax is installed but fails to import: ImportError: broken on purpose" in line
    assert "passed" not in done.stdout


def test_an_installed_framework_that_does_not_import_fails_the_suite_unasked(broken_jax):
    done = _python([*SUITE, "-x", "-k", CHEAP], shadow=broken_jax)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    (line,) = _lines_naming_the_error(done)
    for variant in ("jax", "flax", "keras-jax"):  # flax and Keras's JAX backend import jax
        if importable(variant.split("-")[0]):
            assert f"{variant}: " in line
    assert "torch: " not in line and "tensorflow: " not in line  # they import


def test_allow_missing_skips_with_the_reason_and_a_run_that_checked_nothing_fails(broken_jax):
    args = [*SUITE, "--conv-frameworks=jax", "--conv-allow-missing", "-rs", "-k", CHEAP]
    done = _python(args, shadow=broken_jax)
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    (line,) = _lines_naming_the_error(done)
    assert line.startswith("SKIPPED") and "judged no framework answer" in line
    assert "jax is installed but fails to import: ImportError: broken on purpose" in line
    assert "1 skipped" in done.stdout and "passed" not in done.stdout
    assert "every property was skipped" in done.stdout


FAILS = "jax is installed but fails to import: ImportError: broken on purpose"


@pytest.mark.parametrize(
    "selection, named",
    [(["--frameworks", "jax"], ["jax", "jax-nhwc"]), (["--variants", "jax"], ["jax"])],
)
def test_explain_refuses_a_broken_framework_it_was_asked_for_in_one_line(
    broken_jax, selection, named
):
    done = _python([*EXPLAIN, "--kernel", "3,3", *selection], shadow=broken_jax)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "convharness: error: " + "; ".join(f"{n}: {FAILS}" for n in named) + "\n"


def test_run_refuses_a_broken_framework_before_writing_its_store(broken_jax, tmp_path):
    store = tmp_path / "run.db"
    args = ["-m", "harness.cli", "run", "--examples", "2", "--frameworks", "jax", "--store"]
    done = _python([*args, str(store)], shadow=broken_jax)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "ImportError: broken on purpose" in done.stderr
    assert not store.exists()


@needs("jax")
def test_every_property_that_passes_on_jax_judged_jax_answers(tmp_path):
    report = tmp_path / "suite.xml"
    done = _python([*SUITE, "--conv-frameworks=jax", f"--junitxml={report}"])
    assert done.returncode == 0, done.stdout + done.stderr
    judged, passed = {}, set()
    for case in ET.parse(report).getroot().iter("testcase"):
        assert case.find("failure") is None and case.find("error") is None, case.get("name")
        if case.find("skipped") is None:
            passed.add(case.get("name"))
        judged[case.get("name")] = {
            p.get("name"): int(p.get("value"))
            for p in case.iter("property")
            if p.get("name", "").startswith(JUDGED_PROPERTY)
        }
    # the one suite test that runs no framework: it checks how recipes are written
    assert {name for name in passed if not judged[name]} == {
        "test_twins_keep_the_data_and_spell_out_the_pads"
    }
    for name in passed - {"test_twins_keep_the_data_and_spell_out_the_pads"}:
        assert set(judged[name]) == {JUDGED_PROPERTY + "jax"}, name
        assert judged[name][JUDGED_PROPERTY + "jax"] > 0, name
    assert {CHEAP, "test_every_framework_does_what_its_documentation_says"} <= passed
    # counted over the drawn examples too, not only the 3 explicit classic ones
    assert (
        judged["test_every_framework_does_what_its_documentation_says"][JUDGED_PROPERTY + "jax"] > 3
    )
