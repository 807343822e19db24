"""Warm workers: a warm worker serves one command after another; a crash, a hang or an
allocation past its limit costs only its case and the worker is replaced; a change of the
project's code gives a new worker and stops the stale one; a busy one is not shared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from harness.case import Case
from harness.catalog.variants import Variant
from harness.cli import build_parser, main
from harness.model import conventions, registry
from harness.running import warm
from harness.running.runner import Runner
from harness.suite.helpers import ANY_FRAMEWORK

FAULT = Variant(name="fault", framework="fault", module="fault_adapter")


def _case(height: int) -> Case:
    return Case(batch=1, in_channels=1, out_channels=2, spatial=(height, 4), kernel=(1, 1))


@pytest.fixture(autouse=True)
def _data_read_from_the_real_variants():
    """The registry and the conventions are read once a process, from every variant's module:
    read before a test here stands its test double in for the variants (`variants.load`), so
    the tests after it find the plugins' entries."""
    registry.load()
    conventions.load()


@pytest.fixture(autouse=True)
def warm_directory(monkeypatch):
    """A warm workers' directory of its own (a short path: a Unix socket's name is at most 107
    bytes)."""
    with tempfile.TemporaryDirectory(prefix="chw-") as path:
        monkeypatch.setenv("CONVHARNESS_WARM_DIR", path)
        try:
            yield path
        finally:
            for name, about in warm.described():
                warm.stop(name, int(about["pid"]), kill=True)


def _statuses(heights: list[int], **options) -> tuple[list[str], Runner]:
    with Runner([FAULT], warm=True, batch_size=4, **options) as runner:
        answered = [outcomes[0] for _, outcomes in runner.run([_case(h) for h in heights])]
    return [o.status.value for o in answered], runner


def test_a_second_command_is_served_by_the_same_warm_worker():
    first, runner = _statuses([4, 5])
    pid, started = runner.workers[0].pid, runner.workers[0].startup_seconds
    second, again = _statuses([6, 7])
    assert first == second == ["ok", "ok"]
    assert again.workers[0].pid == pid and not again.workers[0].private
    assert again.workers[0].startup_seconds < started
    assert [about["pid"] for _, about in warm.described()] == [pid]


@pytest.mark.waits
def test_a_crash_a_hang_and_an_allocation_past_the_limit_cost_one_case_each():
    heights = [4, 13, 5, 17, 6, 37, 7]
    limited = {"timeout": 3, "headroom": 256 * 2**20}
    statuses, runner = _statuses(heights, **limited)
    assert statuses == ["ok", "crashed", "ok", "timeout", "ok", "crashed", "ok"]
    assert runner.restarts == 3
    after, again = _statuses([8], **limited)  # the replacement serves the next command
    assert after == ["ok"] and again.workers[0].pid == runner.workers[0].pid


def test_a_change_of_the_code_starts_a_new_worker_and_stops_the_stale_one(monkeypatch):
    _, runner = _statuses([4])
    stale = runner.workers[0].pid
    monkeypatch.setattr(warm, "code_hash", lambda extra=(): "changed")
    statuses, fresh = _statuses([5])
    assert statuses == ["ok"]
    assert fresh.workers[0].pid != stale
    deadline = time.monotonic() + 10
    while warm._alive(stale) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not warm._alive(stale)


def test_a_worker_busy_with_another_command_is_not_shared():
    with Runner([FAULT], warm=True) as holding:
        statuses, other = _statuses([4])
        assert not holding.workers[0].private
    assert statuses == ["ok"] and other.workers[0].private


def test_workers_start_status_and_stop(capsys, monkeypatch):
    monkeypatch.setattr("harness.catalog.variants.load", lambda: (FAULT,))
    assert main(["workers", "start", "--variants", "fault", "--idle", "60"]) == 0
    assert capsys.readouterr().out.startswith("fault: pid ")
    assert main(["workers", "status"]) == 0
    assert ", current, exits after 60 s idle" in capsys.readouterr().out
    assert main(["workers", "stop"]) == 0
    assert capsys.readouterr().out == "stopped 1 warm worker(s)\n"


def test_the_suite_on_warm_workers_twice_runs_on_the_same_workers(warm_directory):
    """`--conv-warm`: the property suite's second session finds the first one's workers."""
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "pytest", "--pyargs", "harness.suite", "-p"]
    command += ["no:cacheprovider", "-q", "-n", "0", "-k", "13x13"]
    command += ["--conv-frameworks", ANY_FRAMEWORK]
    command += ["--conv-warm", "--noconftest"]  # as a framework's CI runs it: not this session's
    env = {**os.environ, "CONVHARNESS_WARM_DIR": warm_directory, "CONVHARNESS_PROFILE": "dev"}
    pids = []
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, cwd=root, env=env)
        assert done.returncode == 0, done.stdout[-2000:]
        assert " passed" in done.stdout
        pids.append(sorted(about["pid"] for _, about in warm.described()))
    assert pids[0] == pids[1] and pids[0]


# a test run after a property in its session: the property's warm workers, let go of, serve it
AFTER_THE_PROPERTIES = """
from harness.catalog import variants
from harness.running import memory, survey, warm


def test_the_properties_workers_serve_what_comes_after_them():
    before = {{about["pid"] for _, about in warm.described()}}
    chosen = variants.select([{framework!r}], None)
    headroom = memory.WORKER_FACTOR * memory.default_budget()
    found = warm.start(chosen, survey.compile_cache_env(None), headroom)
    assert before and not any(worker.private for worker in found)  # none was busy
    assert {{worker.pid for worker in found}} <= before  # the properties' own
"""


def test_the_suite_lets_go_of_its_warm_workers_once_the_last_property_ran(warm_directory, tmp_path):
    after = tmp_path / "test_after_the_properties.py"
    after.write_text(AFTER_THE_PROPERTIES.format(framework=ANY_FRAMEWORK))
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "pytest", "--pyargs", "harness.suite", str(after)]
    command += ["-p", "no:cacheprovider", "-q", "-n", "0", "-k", "13x13 or after_them"]
    command += ["--conv-frameworks", ANY_FRAMEWORK, "--noconftest"]
    env = {**os.environ, "CONVHARNESS_WARM": "1", "CONVHARNESS_WARM_DIR": warm_directory}
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, env=env)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "2 passed" in done.stdout


EXPLAIN_FLAGS = ["explain", "--input", "1,1,4,4", "--out-channels", "2", "--kernel", "1,1"]


def test_explain_starts_warm_workers_on_first_use_and_the_next_explain_reuses_them(
    capsys, monkeypatch
):
    monkeypatch.setattr("harness.catalog.variants.load", lambda: (FAULT,))
    monkeypatch.delenv("CONVHARNESS_WARM")
    assert main([*EXPLAIN_FLAGS, "--variants", "fault"]) == 0
    first = warm.described()
    assert [about["idle"] for _, about in first] == [warm.FIRST_USE_IDLE]
    assert main([*EXPLAIN_FLAGS, "--variants", "fault", "--padding", "same"]) == 0
    assert warm.described() == first  # the same worker, still running
    assert capsys.readouterr().out.count("PASS") == 2


def test_run_starts_warm_workers_by_default_and_the_next_run_reuses_them(
    capsys, monkeypatch, tmp_path
):
    monkeypatch.setattr("harness.catalog.variants.load", lambda: (FAULT,))
    monkeypatch.delenv("CONVHARNESS_WARM")
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(_case(h).to_json()) + "\n" for h in (4, 5)))
    run = ["run", "--cases", str(cases), "--variants", "fault", "--quiet"]
    assert main([*run, "--store", str(tmp_path / "one.db")]) == 0
    first = warm.described()
    assert [about["idle"] for _, about in first] == [warm.FIRST_USE_IDLE]
    assert main([*run, "--store", str(tmp_path / "two.db")]) == 0
    assert warm.described() == first  # the same worker, still running
    assert main([*run, "--store", str(tmp_path / "three.db"), "--no-warm"]) == 0
    assert warm.described() == first  # its own worker came and went; the warm one stays


@pytest.mark.parametrize(
    "off", [["--no-warm"], ["--no-pool"], ["CONVHARNESS_WARM=0"], ["CONVHARNESS_POOL=0"]]
)
def test_explain_without_warm_workers_leaves_none_running(off, capsys, monkeypatch):
    monkeypatch.setattr("harness.catalog.variants.load", lambda: (FAULT,))
    monkeypatch.delenv("CONVHARNESS_WARM")
    flags = [word for word in off if word.startswith("--")]
    for word in off:
        if "=" in word:
            monkeypatch.setenv(*word.split("="))
    assert main([*EXPLAIN_FLAGS, "--variants", "fault", *flags]) == 0
    assert "PASS" in capsys.readouterr().out
    assert warm.described() == []


@pytest.mark.fast
def test_a_warm_setting_that_is_not_0_or_1_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr("harness.catalog.variants.load", lambda: (FAULT,))
    monkeypatch.setenv("CONVHARNESS_WARM", "yes")
    assert main([*EXPLAIN_FLAGS, "--variants", "fault"]) == 2
    error = capsys.readouterr().err
    assert error == "convharness: error: CONVHARNESS_WARM takes 0 or 1, got 'yes'\n"


@pytest.mark.fast
def test_each_python_environment_has_warm_workers_of_its_own(monkeypatch, tmp_path):
    """Two virtual environments never serve, nor stop as stale, each other's workers."""
    monkeypatch.delenv("CONVHARNESS_WARM_DIR")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "prefix", "/venvs/one")
    one = warm.directory()
    monkeypatch.setattr(sys, "prefix", "/venvs/two")
    two = warm.directory()
    assert one != two and one.parent == two.parent == tmp_path
    monkeypatch.setattr(sys, "prefix", "/venvs/one")
    assert warm.directory() == one


@pytest.mark.fast
def test_a_key_ignores_the_projects_own_folders_on_the_path_but_not_a_folder_outside(
    monkeypatch, tmp_path
):
    """pytest prepends the project and its test folders as a session goes on, and `python -m`
    the current directory: the commands of one environment share warm workers anyway. A folder
    outside the project (a shadowing package on PYTHONPATH) gives another key."""
    root = Path(__file__).resolve().parent.parent
    base = [entry for entry in sys.path if entry != ""]
    monkeypatch.setattr(sys, "path", list(base))
    key = warm.key_of(FAULT, {}, None)
    monkeypatch.setattr(sys, "path", [str(root), str(root / "tests"), str(root), *base])
    assert warm.key_of(FAULT, {}, None) == key
    monkeypatch.setattr(sys, "path", [str(tmp_path), *base])
    assert warm.key_of(FAULT, {}, None) != key


@pytest.mark.fast
def test_the_older_spelling_of_the_directory_still_names_it(monkeypatch, tmp_path):
    """CONVHARNESS_POOL_DIR, deprecated, names the directory where CONVHARNESS_WARM_DIR is unset."""
    monkeypatch.delenv("CONVHARNESS_WARM_DIR")
    monkeypatch.setenv("CONVHARNESS_POOL_DIR", str(tmp_path / "older"))
    assert warm.directory() == tmp_path / "older"
    monkeypatch.setenv("CONVHARNESS_WARM_DIR", str(tmp_path / "newer"))
    assert warm.directory() == tmp_path / "newer"


@pytest.mark.fast
@pytest.mark.parametrize("command", [["explain", "--help"], ["run", "--help"]])
def test_the_older_flags_say_they_are_deprecated(command, capsys):
    with pytest.raises(SystemExit):
        main(command)
    usage = " ".join(capsys.readouterr().out.split())
    assert "--pool deprecated: the older --warm" in usage
    assert "--no-pool deprecated: the older --no-warm" in usage
    parser = build_parser()
    assert parser.parse_args([*command[:1], "--pool"]).warm is True
    assert parser.parse_args([*command[:1], "--no-pool"]).warm is False


def test_commands_started_in_the_project_or_elsewhere_share_their_warm_workers(tmp_path):
    """The project's own metadata (convharness.egg-info) is on the path of a command started in
    the project and not on one started elsewhere: neither takes the other's worker for stale."""
    said = [
        subprocess.run(
            [sys.executable, "-c", "from harness.running import warm; print(warm.current_code())"],
            capture_output=True,
            text=True,
            cwd=where,
            env={**os.environ, "PYTHONPATH": str(warm._ROOT)},  # found from anywhere
            timeout=60,
        )
        for where in (warm._ROOT, warm._ROOT / "tests", tmp_path)
    ]
    assert all(done.returncode == 0 for done in said), [done.stderr for done in said]
    assert len({done.stdout for done in said}) == 1
