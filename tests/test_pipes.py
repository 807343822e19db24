"""Every command that writes to stdout stops quietly when its reader leaves (`... | head`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import BROKEN_PIPE_STATUS
from harness.families.conv.record import CLASSIC
from harness.running import survey
from harness.running.store import Plan, Store
from harness.suite.helpers import ANY_FRAMEWORK

CLI = [sys.executable, "-m", "harness.cli"]
ROOT = Path(__file__).resolve().parent.parent  # this checkout's harness, from any directory


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("pipes") / "plan.db"
    cases = list(CLASSIC)
    plan = Plan(cases=list(enumerate(cases)), plan_id=survey.plan_id(cases), variants=("torch",))
    Store.create(path, plan).close()
    return path


def _with_reader_gone(args: list[str], cwd) -> subprocess.CompletedProcess:
    """Run the command with a stdout whose reader has already left: every write fails (EPIPE)."""
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    try:
        return subprocess.run(
            [*CLI, *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
            timeout=600,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize(
    "command",
    ["summary", "merge", "repro", "help", "explain", "workers status"],
)
def test_a_command_whose_reader_left_ends_quietly(command, store, tmp_path):
    case_file = tmp_path / "case.jsonl"
    case_file.write_text(json.dumps(CLASSIC[0].to_json()) + "\n")
    args = {
        "summary": ["summary", str(store)],
        "merge": ["merge", str(store), "--out", str(tmp_path / "merged.db")],
        "repro": ["repro", "--cases", str(case_file), "--adapters", "torch.functional"],
        "help": ["--help"],
        "explain": ["explain", "--cases", str(case_file), "--frameworks", ANY_FRAMEWORK],
        "workers status": ["workers", "status"],
    }[command]
    done = _with_reader_gone(args, tmp_path)
    assert done.stderr == ""
    # argparse's help drops a failed write itself and exits 0
    assert done.returncode == (0 if command == "help" else BROKEN_PIPE_STATUS)
