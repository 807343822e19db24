"""The command line: the classic question answered end to end, and bad input refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness.cli import EXPLAIN_KEYS, main
from harness.families.conv.record import CLASSIC
from harness.running.store import Store
from harness.suite.helpers import ANY_FRAMEWORK, importable, installed_of

CLI = [sys.executable, "-m", "harness.cli"]
CLASSIC_FLAGS = [
    "--input",
    "1,3,28,28",
    "--out-channels",
    "16",
    "--kernel",
    "3,3",
    "--stride",
    "2,2",
    "--dilation",
    "1,1",
    "--groups",
    "1",
]


def _cli(*args, cwd=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_explain_json_answers_the_classic_same_question(capsys):
    # in this process: the session's warm workers, which the properties imported, serve it
    assert main(["explain", *CLASSIC_FLAGS, "--padding", "same", "--json"]) == 0
    # F.pad and ZeroPadding2D take pads per side: they have no 'same' to answer with
    rows = [
        row
        for row in json.loads(capsys.readouterr().out)
        if row["status"] not in ("skipped", "not_expressible")
    ]
    assert all(tuple(row) == EXPLAIN_KEYS for row in rows)
    here = {fw for fw in ("torch", "tensorflow", "keras", "jax", "flax") if importable(fw)}
    assert {row["framework"] for row in rows} >= here
    for row in rows:
        if row["framework"] == "torch":
            assert row["status"] == "rejected", row
            assert "not supported for strided convolutions" in row["error"]["message"]
        if row["status"] == "rejected":  # PyTorch, and plugins that refuse as it does
            assert row["verdict"] == "EXPECTED_REJECT", row
        else:
            assert row["shape"] == [1, 16, 14, 14], row
            assert row["pads"] == [0, 1, 0, 1], row
            assert row["pads_inferred"] == [[0, 0], [1, 2], [0, 0], [1, 2]], row
            assert row["verdict"] == "PASS", row


def test_explain_cases_file_prints_one_json_line_per_case(tmp_path):
    lines = [
        {
            "input": [1, 3, 28, 28],
            "out_channels": 16,
            "kernel": [3, 3],
            "stride": [2, 2],
            "dilation": [1, 1],
            "groups": 1,
            "padding": spec,
        }
        for spec in (1, 0)
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    frameworks = installed_of("torch", "jax") or ANY_FRAMEWORK
    done = _cli("explain", "--cases", str(path), "--json", "--frameworks", frameworks)
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert [p["case"]["padding"] for p in printed] == [1, 0]
    for result in printed[0]["results"]:
        if result["status"] != "skipped":
            assert result["shape"] == [1, 16, 14, 14] and result["pads"] == [1, 1, 1, 1]
            assert result["pads_inferred"] == [[1, 1], [0, 1], [1, 1], [0, 1]]


def test_explain_prints_a_table_a_person_can_read(capsys):
    assert main(["explain", *CLASSIC_FLAGS, "--padding", "1", "--frameworks", ANY_FRAMEWORK]) == 0
    out = capsys.readouterr().out
    assert "1x16x14x14" in out and "1,1,1,1" in out and "1,0..1,1,0..1" in out and "PASS" in out


def test_run_writes_a_store_and_never_overwrites_it(tmp_path, capsys):
    path = tmp_path / "run.db"
    argv = [
        "run",
        "--examples",
        "4",
        "--frameworks",
        ANY_FRAMEWORK,
        "--seed",
        "3",
        "--store",
        str(path),
    ]
    code = main(argv)
    with Store.open(path, writable=False) as store:
        planned = [case for _, case in store.planned()]
        assert len(store.recorded_ids()) == len(planned) >= 4 + 3  # drawn, classic, twins
        assert set(CLASSIC) <= set(planned)
        assert code == (1 if any(store.attention()) else 0)
        assert all(name.endswith("@cpu") for name in store.verdict_counts())
    assert f"{len(planned)}/{len(planned)} planned cases recorded" in capsys.readouterr().out
    before = path.read_bytes()
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == before


@pytest.mark.fast
@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "--examples", "-1"], "--examples must be >= 1"),
        (["run", "--examples", "x"], "invalid int value"),
        (["run", "--frameworks", "torch,caffe"], "unknown framework caffe"),
        (["run", "--variants", "tensorflow-turbo"], "unknown variant tensorflow-turbo"),
        (["run", "--shard", "3/2"], "I must be between 1 and N"),
        (["run", "--shard", "half"], "--shard takes I/N"),
        (["run", "--timeout", "0"], "--timeout must be > 0"),
        (["run", "--ops", "patches1d", "--frameworks", "torch"], "no variant asked for serves"),
        (["run", "--resume"], "--resume needs --store"),
        (["run", "--resume", "--store", "x.db", "--seed", "2"], "drop --seed"),
        (["run", "--resume", "--store", "/no/such/store.db"], "no store at"),
        (["merge", "/no/such/a.db", "--out", "/tmp/never-written.db"], "no store at"),
        (["explain", "--kernel", "3,3"], "explain needs --input, --out-channels"),
        (["explain", *CLASSIC_FLAGS, "--padding", "full"], "padding 'full'"),
        (["explain", *CLASSIC_FLAGS, "--input", "1,3,x"], "not comma-separated ints"),
        (["explain", *CLASSIC_FLAGS, "--op", "conv4d"], "invalid choice: 'conv4d'"),
        (["explain", *CLASSIC_FLAGS, "--op", "conv3d"], "conv3d takes --input N,C and 3"),
        (["explain", *CLASSIC_FLAGS, "--input", "1,3,28"], "kernel must be an int or 1 ints"),
        (["explain", *CLASSIC_FLAGS, "--kernel", "3,3,3"], "kernel must be an int or 2 ints"),
        (["explain", *CLASSIC_FLAGS, "--stride", "2,2,2"], "stride must be an int or 2 ints"),
        (["explain", *CLASSIC_FLAGS, "--padding=1,1,1"], "padding '1,1,1' is not"),
        (
            ["explain", *CLASSIC_FLAGS, "--input", "1,3,8,8,8", "--kernel", "3", "--stride", "1"]
            + ["--dilation", "1", "--padding=1,0,1,0"],
            "padding '1,0,1,0' is not valid, same, same_lower, P, 3 ints",
        ),
        (["explain", *CLASSIC_FLAGS, "--groups", "2"], "must divide"),
        (["explain", "--cases", "/no/such/file.jsonl"], "cannot read"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_get_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("convharness: error:")
    assert message in captured.err


@pytest.mark.fast
def test_a_malformed_case_line_is_named(tmp_path, capsys):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"input": [1,3,8,8], "out_channels": 4, "kernel": [3,3]}\n{"input": [1,3\n')
    assert main(["explain", "--cases", str(path), "--json"]) == 2
    assert f"{path}:2:" in capsys.readouterr().err


@pytest.mark.fast
@pytest.mark.parametrize(
    "command",
    [
        ["run", "--store", "{store}"],
        ["explain", "--json"],
        ["repro", "--adapters", "torch.functional"],
    ],
)
def test_a_case_given_twice_is_refused_in_one_line_naming_both_lines(tmp_path, capsys, command):
    path = tmp_path / "cases.jsonl"
    case = '{"input": [1,3,8,8], "out_channels": 4, "kernel": [3,3]}'
    same = '{"kernel": 3, "out_channels": 4, "input": [1, 3, 8, 8], "padding": "valid"}'
    other = '{"input": [1,3,9,9], "out_channels": 4, "kernel": [3,3]}'
    path.write_text(f"{case}\n{other}\n\n{same}\n")
    store = tmp_path / "never.db"
    argv = [part.format(store=store) for part in command]
    assert main([*argv[:1], "--cases", str(path), *argv[1:]]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert f"{path}:4: the same case as line 1" in captured.err
    assert not store.exists() and list(tmp_path.iterdir()) == [path]


@pytest.mark.fast
def test_the_installed_command_refuses_a_case_given_twice_without_a_traceback(tmp_path):
    path = tmp_path / "cases.jsonl"
    case = '{"input": [1,3,8,8], "out_channels": 4, "kernel": [3,3]}'
    path.write_text(f"{case}\n{case}\n")
    done = _cli("run", "--cases", str(path), "--store", str(tmp_path / "s.db"), "--quiet")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and ":2: the same case as line 1" in done.stderr


@pytest.mark.fast
def test_the_installed_command_refuses_bad_input_without_a_traceback():
    done = _cli("run", "--examples", "-1")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.fast
@pytest.mark.parametrize(
    "line, message",
    [
        ('{"op": "conv4d", "input": [1,3,8,8], "out_channels": 4, "kernel": 3}', "unknown op"),
        ('{"op": "conv1d", "input": [1,3,8,8], "out_channels": 4, "kernel": 3}', "must be 3 ints"),
        ('{"op": "conv3d", "input": [1,3,8,8,8], "out_channels": 4, "kernel": [3,3]}', "3 ints"),
        (
            '{"op": "conv1d", "input": [1,3,8], "out_channels": 4, "kernel": 3, "stride": [1,2]}',
            "stride must be an int or 1 ints",
        ),
        (
            '{"op": "conv3d", "input": [1,3,8,8,8], "out_channels": 4, "kernel": 3, '
            '"padding": [[1,0],[0,1]]}',
            "3 [low, high] pairs",
        ),
    ],
)
def test_a_case_file_of_another_rank_is_refused_in_one_line_and_nothing_is_written(
    tmp_path, capsys, line, message
):
    path = tmp_path / "cases.jsonl"
    path.write_text(line + "\n")
    store = tmp_path / "never.db"
    assert main(["run", "--cases", str(path), "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}:1:" in err and message in err
    assert not store.exists() and list(tmp_path.iterdir()) == [path]


@pytest.mark.fast
def test_every_command_prints_its_help(capsys):
    """Every help text formats (argparse reads '%' as a placeholder in them)."""
    from harness.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.choices and "run" in a.choices).choices
    for name in commands:
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0, name
        assert "usage:" in capsys.readouterr().out, name


@pytest.mark.fast
def test_the_command_script_imports_no_command_until_it_runs(monkeypatch, capsys):
    """A worker that `convharness` spawns runs the script again as its main module: the script's
    module (the entry point) imports no command, so the worker does not import them all."""
    from importlib import metadata

    (point,) = [
        p for p in metadata.entry_points(group="console_scripts") if p.name == "convharness"
    ]
    assert point.value == "harness.console:main"
    done = subprocess.run(
        [sys.executable, "-c", "import sys, harness.console; print(*sys.modules, sep='\\n')"],
        capture_output=True,
        text=True,
    )
    loaded = set(done.stdout.split())
    assert "harness.console" in loaded and not {"harness.cli", "hypothesis", "rich"} & loaded
    import harness.console

    monkeypatch.setattr(sys, "argv", ["convharness", "explain", "--input", "1,1,5,5"])
    assert harness.console.main() == 2  # the command ran, and refused what it was given
    assert capsys.readouterr().err == (
        "convharness: error: explain needs --out-channels, --kernel (or --cases FILE)\n"
    )
