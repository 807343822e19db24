"""The runner and its store: faults cost one case, kill -9 loses nothing, shards merge back."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing

import fault_plugin
import pytest

from harness.case import Case
from harness.catalog.variants import Variant
from harness.errors import UsageError
from harness.running import survey
from harness.running.runner import Runner
from harness.running.store import SCHEMA_VERSION, Plan, Store, merge
from harness.suite.helpers import ANY_FRAMEWORK, needs

FAULT = Variant(name="fault", framework="fault", module="fault_adapter")
CLI = [sys.executable, "-m", "harness.cli"]
# one xdist worker runs the module: its uninterrupted run is run once
pytestmark = pytest.mark.xdist_group("uninterrupted-store")
PLAN = ["--examples", "24", "--frameworks", ANY_FRAMEWORK, "--seed", "5", "--quiet"]


def _case(height: int) -> Case:
    return Case(batch=1, in_channels=2, out_channels=2, spatial=(height, 5), kernel=(3, 1))


def _counts(path) -> dict[str, Counter]:
    with Store.open(path, writable=False) as store:
        return store.verdict_counts()


def _verdicts(path) -> dict[int, str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT p.json, o.verdict FROM outcomes o JOIN plan p USING (case_id)")
        return {Case.from_json(json.loads(j)).spatial[0]: v for j, v in rows}


def test_every_fault_costs_one_case_and_every_other_case_is_recorded(tmp_path):
    heights = [4, 13, 5, 11, 6, 17, 7, 19, 8, 29, 9, 31, 10]
    cases = [_case(h) for h in heights]
    plan = Plan(cases=list(enumerate(cases)), plan_id="faults")
    with (
        Store.create(tmp_path / "faults.db", plan) as store,
        Runner([FAULT], timeout=3, batch_size=5) as runner,
    ):
        survey.execute(runner, store, cases, total=len(cases), quiet=True)
        assert store.recorded_ids() == {case.id for case in cases}
    verdicts = _verdicts(tmp_path / "faults.db")
    assert verdicts == {
        4: "PASS",
        13: "CRASH",
        5: "PASS",
        11: "CRASH",
        6: "PASS",
        17: "TIMEOUT",
        7: "PASS",
        19: "CRASH",  # MemoryError: out of memory
        8: "PASS",
        29: "SHAPE_MISMATCH",
        9: "PASS",
        31: "CRASH",
        10: "PASS",
    }


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "whole.db"
    done = subprocess.run(
        [*CLI, "run", *PLAN, "--store", str(path)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode in (0, 1), done.stderr
    return path


def test_kill_9_loses_nothing_and_resume_finishes_the_plan(tmp_path, uninterrupted):
    path = tmp_path / "killed.db"
    run = subprocess.Popen(
        [*CLI, "run", *PLAN, "--store", str(path)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    recorded: set[str] = set()
    deadline = time.monotonic() + 300
    while not recorded and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
        if path.exists():
            os.killpg(run.pid, signal.SIGSTOP)  # it cannot finish while the store is read
            try:
                with Store.open(path, writable=False) as store:
                    recorded = store.recorded_ids()
            except (UsageError, sqlite3.OperationalError):
                pass
            if not recorded:
                os.killpg(run.pid, signal.SIGCONT)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    with Store.open(path, writable=False) as store:
        survived = store.recorded_ids()
        planned = store.planned()
    assert recorded <= survived  # nothing committed was lost
    assert len(survived) < len(planned), "the run finished before it could be killed"
    resumed = subprocess.run(
        [*CLI, "run", "--store", str(path), "--resume", "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert resumed.returncode in (0, 1), resumed.stderr
    with Store.open(path, writable=False) as store:
        assert store.recorded_ids() == {case.id for _, case in planned}
        assert len(store.db.execute("SELECT 1 FROM runs").fetchall()) == 2
    assert _counts(path) == _counts(uninterrupted)


def test_resume_never_reruns_a_recorded_case(tmp_path, uninterrupted):
    path = tmp_path / "copy.db"
    shutil.copy(uninterrupted, path)
    before = sqlite3.connect(path).execute("SELECT * FROM outcomes ORDER BY 1, 2").fetchall()
    done = subprocess.run(
        [*CLI, "run", "--store", str(path), "--resume"], capture_output=True, text=True, timeout=600
    )
    assert done.returncode in (0, 1), done.stderr
    with Store.open(path, writable=False) as store:
        planned = len(store.planned())  # the 24 drawn cases and their recipe twins
    assert f"{planned}/{planned} planned cases recorded" in done.stdout
    after = sqlite3.connect(path).execute("SELECT * FROM outcomes ORDER BY 1, 2").fetchall()
    assert before == after


def test_shards_are_disjoint_cover_the_plan_and_merge_back(tmp_path, uninterrupted):
    shards = []
    for index in (1, 2, 3):
        path = tmp_path / f"shard{index}.db"
        done = subprocess.run(
            [*CLI, "run", *PLAN, "--shard", f"{index}/3", "--store", str(path)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode in (0, 1), done.stderr
        shards.append(path)
    ids = []
    for path in shards:
        with Store.open(path, writable=False) as store:
            ids.append({case.id for _, case in store.planned()})
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    with merge(shards, tmp_path / "all.db") as merged:
        with Store.open(uninterrupted, writable=False) as whole:
            assert merged.planned() == whole.planned()  # same cases, same order
            assert merged.recorded_ids() == whole.recorded_ids()
    assert _counts(tmp_path / "all.db") == _counts(uninterrupted)


def test_merge_refuses_stores_of_another_plan(tmp_path, uninterrupted):
    other = tmp_path / "other.db"
    done = subprocess.run(
        [
            *CLI,
            "run",
            "--examples",
            "2",
            "--frameworks",
            ANY_FRAMEWORK,
            "--seed",
            "6",
            "--quiet",
            "--store",
            str(other),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    with pytest.raises(UsageError, match="another case plan"):
        merge([uninterrupted, other], tmp_path / "never.db")
    assert not (tmp_path / "never.db").exists()


def test_a_newer_or_corrupt_store_is_refused_and_left_untouched(tmp_path, uninterrupted):
    newer = tmp_path / "newer.db"
    shutil.copy(uninterrupted, newer)
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_text("not a database\n")
    for path, message in ((newer, "schema 99"), (corrupt, "not a convharness store")):
        before = path.read_bytes()
        done = subprocess.run(
            [*CLI, "run", "--store", str(path), "--resume"], capture_output=True, text=True
        )
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and message in done.stderr
        assert path.read_bytes() == before


@needs("jax")
def test_run_takes_a_case_file(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"input": [1,3,28,28], "out_channels": 16, "kernel": [3,3], '
        '"stride": [2,2], "padding": "same"}\n'
    )
    path = tmp_path / "file.db"
    done = subprocess.run(
        [*CLI, "run", "--cases", str(cases), "--variants", "jax", "--store", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert _counts(path) == {"jax.lax@cpu": Counter({"PASS": 1})}


@pytest.mark.fast
def test_shard_of_splits_round_robin():
    cases = [_case(h) for h in range(1, 11)]
    parts = [survey.shard_of(cases, (i, 3)) for i in (1, 2, 3)]
    assert sorted(i for part in parts for i, _ in part) == list(range(10))
    assert [len(part) for part in parts] == [4, 3, 3]


def _divergences(path) -> set[tuple]:
    with sqlite3.connect(path) as db:
        return {
            (cid, aspect, *sorted((left, right)), why)
            for cid, aspect, left, right, why in db.execute(
                "SELECT case_id, aspect, left, right, explained_by FROM divergences"
            )
        }


@needs("torch", "jax")
def test_variant_stores_of_one_plan_merge_and_compare_anew(tmp_path):
    """Jobs that ran different variants of one plan merge into what one job would have found."""
    plan = ["run", "--examples", "16", "--seed", "4", "--quiet"]
    paths = {}
    for name, variants in (("jax", "jax"), ("torch", "torch"), ("both", "jax,torch")):
        paths[name] = tmp_path / f"{name}.db"
        done = subprocess.run(
            [*CLI, *plan, "--variants", variants, "--store", str(paths[name])],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode in (0, 1), done.stderr
    with merge([paths["jax"], paths["torch"]], tmp_path / "merged.db") as merged:
        assert merged.recorded_ids() == {case.id for _, case in merged.planned()}
    assert _counts(tmp_path / "merged.db") == _counts(paths["both"])
    assert _divergences(tmp_path / "merged.db") == _divergences(paths["both"])


def test_a_schema_1_store_opens_as_conv2d_and_gains_the_op_column_when_resumed(tmp_path):
    """A store written before cases named their operator: conv2d cases, no `op` anywhere."""
    old = tmp_path / "old.db"
    done = subprocess.run(
        [*CLI, "run", "--examples", "4", "--ops", "conv2d", "--frameworks", ANY_FRAMEWORK]
        + ["--seed", "3", "--quiet", "--store", str(old)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    counts = _counts(old)
    with closing(sqlite3.connect(old)) as db, db:  # closed: the store is left as a run leaves it
        for case_id, text in db.execute("SELECT case_id, json FROM plan").fetchall():
            data = json.loads(text)
            assert data.pop("op") == "conv2d"
            db.execute("UPDATE plan SET json = ? WHERE case_id = ?", (json.dumps(data), case_id))
        db.execute("ALTER TABLE plan DROP COLUMN op")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        db.execute("DELETE FROM recorded WHERE rowid = (SELECT MIN(rowid) FROM recorded)")
    before = old.read_bytes()
    with Store.open(old, writable=False) as store:  # read as it is
        assert {case.op for _, case in store.planned()} == {"conv2d"}
        assert store.db.execute("SELECT DISTINCT op FROM plan").fetchall() == [("conv2d",)]
        assert len(store.pending()) == 1
    summary = subprocess.run([*CLI, "summary", str(old)], capture_output=True, text=True)
    assert summary.returncode in (0, 1) and "planned cases recorded" in summary.stdout
    assert old.read_bytes() == before  # reading it wrote nothing
    resumed = subprocess.run(
        [*CLI, "run", "--store", str(old), "--resume", "--quiet"], capture_output=True, text=True
    )
    assert resumed.returncode in (0, 1), resumed.stderr
    with Store.open(old, writable=False) as store:
        assert store.meta()["schema_version"] == SCHEMA_VERSION and not store.pending()
        assert store.db.execute("SELECT DISTINCT op FROM plan").fetchall() == [("conv2d",)]
        assert store.verdict_counts() == counts  # the one case ran again, with the same answer


def _gated_run(tmp_path):
    """A `run` of the fault plugin on three cases, the second held at a gate (fault_adapter.py:
    height 41) until the test opens it; started, not waited for."""
    env = fault_plugin.install(tmp_path / "site")
    gate = tmp_path / "gate"
    env["FAULT_GATE"] = str(gate)
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(_case(h).to_json()) + "\n" for h in (4, 41, 5)))
    store = tmp_path / "held.db"
    first = subprocess.Popen(
        [*CLI, "run", "--cases", str(cases), "--variants", "fault", "--store", str(store)]
        + ["--shrink-budget", "0", "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its group: the test ends every process it left
    )
    deadline = time.monotonic() + 120
    recorded: set[str] = set()
    while not recorded and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.05)
        with contextlib.suppress(UsageError, sqlite3.OperationalError):
            with Store.open(store, writable=False) as reading:  # a reader is never refused
                recorded = reading.recorded_ids()
    assert recorded == {_case(4).id}, first.stderr.read() if first.poll() is not None else ""
    return first, store, gate, env


def _end_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_a_second_writer_is_refused_in_one_line_and_the_first_finishes_unharmed(tmp_path):
    first, store, gate, env = _gated_run(tmp_path)
    try:
        summary = subprocess.run(
            [*CLI, "summary", str(store)], capture_output=True, text=True, env=env, timeout=120
        )
        assert summary.returncode == 0 and "1/3 planned cases recorded" in summary.stdout
        for command in (["run", "--resume", "--quiet"], ["shrink", "--all"]):
            second = subprocess.run(
                [*CLI, *command, "--store", str(store)],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert second.returncode == 2, second.stderr
            assert second.stderr.count("\n") == 1 and "Traceback" not in second.stderr
            assert f"{store} is being written by process {first.pid} (convharness run " in (
                second.stderr
            )
        gate.touch()
        out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
    finally:
        gate.touch()
        _end_group(first)
    with Store.open(store, writable=False) as done:
        assert done.recorded_ids() == {_case(h).id for h in (4, 41, 5)}
        assert len(done.db.execute("SELECT 1 FROM runs").fetchall()) == 1
        assert done.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert done.verdict_counts() == {"fault.misbehave@cpu": Counter({"PASS": 3})}
    assert not store.with_name(store.name + ".lock").exists()


def test_a_writer_killed_with_kill_9_leaves_no_lock_and_resume_finishes(tmp_path):
    first, store, gate, env = _gated_run(tmp_path)
    try:
        os.kill(first.pid, signal.SIGKILL)  # the run alone: its worker waits at the gate
        first.wait()
        os.killpg(first.pid, 0)  # ... and lives on, holding nothing
        assert store.with_name(store.name + ".lock").exists()  # the file stays, unlocked
        with Store.open(store):  # to write: the lock is free
            pass
        gate.touch()
        resumed = subprocess.run(
            [*CLI, "run", "--store", str(store), "--resume", "--quiet", "--shrink-budget", "0"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert resumed.returncode == 0, resumed.stderr
    finally:
        gate.touch()
        _end_group(first)
    with Store.open(store, writable=False) as done:
        assert done.recorded_ids() == {_case(h).id for h in (4, 41, 5)}
        assert len(done.db.execute("SELECT 1 FROM runs").fetchall()) == 2
