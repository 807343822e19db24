"""Releases as an axis: the release data, the environments' keys, release variants run by
another interpreter, the store's release column (and older stores), an API a release lacks,
and, where the package index can be reached, a run over releases, its report and a bisection
that re-finds a measured change."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
import tomllib
from contextlib import closing
from pathlib import Path

import pytest

from harness.case import Case
from harness.catalog.variants import Variant
from harness.errors import UsageError
from harness.model import registry
from harness.model.outcome import AdapterInfo, unreleased
from harness.model.versions import version_key
from harness.releases import drift, environments, sets
from harness.running import warm
from harness.running.runner import Runner
from harness.running.store import SCHEMA_VERSION, Plan, Store, merge
from harness.running.workers import _run_one

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "harness.cli"]
FAULT = Variant(name="fault", framework="fault", module="fault_adapter")


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints/pins.txt").read_text().splitlines()
    pairs = [line.split("==") for line in lines if "==" in line and not line.startswith("#")]
    return {environments.normalize(name): version for name, version in pairs}


def test_the_release_data_follows_the_pins_and_enough_earlier_releases():
    pins, frameworks = _pins(), sets.load()
    assert {"jax", "flax", "keras", "tensorflow", "onnxruntime"} <= set(frameworks)
    for framework in frameworks.values():
        assert pins[environments.normalize(framework.packages[0])] == framework.pinned
        assert version_key(framework.pinned) <= version_key(framework.latest)
        assert len(framework.earlier) >= 2
        assert all(version_key(v) < version_key(framework.pinned) for v in framework.earlier)
        followed = framework.followed()
        assert framework.requirements(framework.pinned) in followed
    prereleases = {p[0] for f in frameworks.values() for p in f.prerelease}
    assert {"tf-nightly", "keras-nightly"} <= prereleases


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("schema = 2\n", "unsupported schema"),
        (
            'schema = 1\n[framework.x]\npackages = ["x"]\npinned = "1.0"\nlatest = "1.0"\n'
            'earlier = ["0.9"]\n',
            "fewer than two",
        ),
        (
            'schema = 1\n[framework.x]\npackages = ["x"]\npinned = "one"\nlatest = "1.0"\n'
            'earlier = ["0.9", "0.8"]\n',
            "not a release version",
        ),
        (
            'schema = 1\n[framework.x]\npackages = ["x"]\npinned = "1.0"\nlatest = "1.0"\n'
            'earlier = ["0.9", "0.8"]\ncolour = "red"\n',
            "unknown keys",
        ),
        ('schema = 1\n[[change]]\nframework = "x"\n', "a change needs"),
    ],
)
def test_malformed_release_data_is_refused_naming_what(text, complaint):
    with pytest.raises(ValueError, match=complaint):
        sets.parse(text)


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--releases", "jax"],
        ["run", "--releases", "nosuchframework=1.0"],
        ["run", "--releases", "jax=0.8.3!"],
        ["envs", "add", "jax===0.8"],
        ["envs", "add"],
        ["envs", "add", "jax==0.0.0.1"],  # no such release: the resolver says so, in one line
        ["bisect", "nosuchframework", "--case", "{}"],
        ["bisect", "keras", "--case", "not json"],
        ["upstream", "no-such-entry"],
        ["upstream"],
        ["upstream", "--missing"],
        ["upstream", "--record", "--versions", "0.8.3"],
        ["upstream", "--record", "no-such-entry"],
        ["explain", "--input", "1,1,4,4", "--out-channels", "1", "--kernel", "3"]
        + ["--variants", "jax@jax==0.8.3!"],
        ["run", "--examples", "1", "--variants", "jax@nosuchframework==1.0"],
    ],
)
def test_bad_release_input_is_one_line_and_exit_2(args, tmp_path):
    env = {"CONVHARNESS_ENVS": str(tmp_path / "envs"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("convharness: error: ") and done.stderr.count("\n") == 1


def test_a_release_set_is_checked_and_its_key_is_the_resolved_set():
    assert environments.requirement_set(["jaxlib==0.8.3", " jax==0.8.3"]) == (
        "jax==0.8.3",
        "jaxlib==0.8.3",
    )
    with pytest.raises(UsageError):
        environments.requirement_set(["jax @ https://example.invalid/jax.whl"])
    one = environments.key_of({"jax": "0.8.3", "numpy": "2.4.6"})
    assert one == environments.key_of({"numpy": "2.4.6", "jax": "0.8.3"})
    assert one != environments.key_of({"jax": "0.8.3", "numpy": "1.26.4"})


def test_a_release_variant_is_named_by_its_release_and_keys_its_own_warm_worker():
    release = dataclasses.replace(
        FAULT, name="fault@fault==1.0", release="fault==1.0", python="/some/env/bin/python"
    )
    assert release.adapter_name("fault.api") == "fault.api{fault==1.0}"
    assert unreleased("fault.api[tag]{fault==1.0}") == "fault.api[tag]"
    assert sets.split_name(release.name) == ("fault", "fault==1.0")
    assert warm.key_of(release, {}, None).name != warm.key_of(FAULT, {}, None).name


def _info(release: str) -> AdapterInfo:
    return AdapterInfo("fault.api", "fault", "1.0", "fault.call", "cpu", "fault", (), release)


class _Lacking:
    """An adapter API whose call meets an older API: it raises what Python raises for one."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def run(self, case, x, w, b, device):
        raise self.error


def _raised(code: str) -> BaseException:
    try:
        exec(code, {})
    except Exception as error:  # what Python itself raises for the missing piece
        return error
    raise AssertionError(f"{code!r} raised nothing")


@pytest.mark.parametrize(
    "code, lacks",
    [
        ("from harness import no_such_name_in_this_release", "no harness.no_such_name"),
        ("import harness.no_such_module_in_this_release", "no module harness.no_such"),
        ("import harness; harness.no_such_attribute", "no harness.no_such_attribute"),
        ("def conv(x): pass\nconv(1, use_consistent_padding=True)", "no keyword"),
    ],
)
def test_an_api_a_release_lacks_is_not_expressible_there_and_a_refusal_here(code, lacks):
    error = _raised(code)
    assert lacks in drift.lacks(error)
    case = Case(batch=1, in_channels=1, out_channels=1, spatial=(4, 4), kernel=(1, 1))
    on_release = _run_one(_Lacking(error), _info("fault==1.0"), case, None, None, None)
    assert on_release.status == "not_expressible"
    assert "fault 1.0 (fault==1.0)" in on_release.message and lacks in on_release.message
    on_own = _run_one(_Lacking(error), _info(""), case, None, None, None)
    assert on_own.status == "rejected"  # the harness's own environment: the suite flags it


def test_an_error_raised_inside_an_installed_package_is_not_taken_for_a_missing_api():
    """numpy's own __getattr__ raises it: a framework failing on its dependencies looks so."""
    error = _raised("import numpy\nnumpy.no_such_attribute_in_any_release")
    assert drift.lacks(error) is not None and not drift.raised_by_the_caller(error)
    assert drift.older_api(error, _info("fault==1.0")) is None


def test_other_errors_are_not_taken_for_a_missing_api():
    assert drift.lacks(_raised("1 / 0")) is None
    assert drift.lacks(_raised("raise ValueError('padding must be valid or same')")) is None
    assert drift.lacks(_raised("def f(x): pass\nf()")) is None  # a missing argument, not a keyword


@pytest.mark.waits
def test_a_worker_runs_under_another_interpreter_and_survives_its_crashes(tmp_path, monkeypatch):
    """The release path of the worker machinery (a subprocess of the environment's Python with
    the project linked onto its path), on this Python as the 'environment'."""
    monkeypatch.setenv("CONVHARNESS_ENVS", str(tmp_path / "envs"))
    foreign = dataclasses.replace(
        FAULT, name="fault@fault==1.0", release="fault==1.0", python=sys.executable
    )
    heights = [4, 13, 5, 17, 6]
    cases = [
        Case(batch=1, in_channels=1, out_channels=2, spatial=(h, 4), kernel=(1, 1)) for h in heights
    ]
    with Runner([foreign], timeout=5, batch_size=4) as runner:
        answered = {case.spatial[0]: outcomes for case, outcomes in runner.run(cases)}
    status = {h: answered[h][0].status for h in heights}
    assert status == {4: "ok", 13: "crashed", 5: "ok", 17: "timeout", 6: "ok"}
    assert "killed by SIGABRT" in answered[13][0].message
    assert {o.info.release for h in heights for o in answered[h]} == {"fault==1.0"}
    assert answered[4][0].info.adapter.endswith("{fault==1.0}")
    links = list((tmp_path / "envs" / ".project").iterdir())
    assert len(links) == 1 and {p.name for p in links[0].iterdir()} >= {"harness", "adapters"}


@pytest.mark.fast
def test_a_release_environments_processes_keep_their_bytecode_in_it(tmp_path):
    """Whatever PYTHONDONTWRITEBYTECODE says, a process of a release environment writes the
    bytecode of what it imports under the environment, and reads it there the next time; any
    other interpreter's environment variables are left alone."""
    home = tmp_path / "envs" / "0123456789abcdef"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True)
    environments.Environment("0123456789abcdef", home, [["x"]], {}, "3", "uv").save()
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "answer.py").write_text("VALUE = 42\n")
    asked = {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(tmp_path / "lib"), "HOME": "/"}
    assert environments.process_env(sys.executable, asked) == asked
    env = environments.process_env(home / "bin" / "python", asked)
    assert "PYTHONDONTWRITEBYTECODE" not in env

    def cached_by_an_import() -> Path:
        said = subprocess.run(
            [str(home / "bin" / "python"), "-c", "import answer; print(answer.__cached__)"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return Path(said.stdout.strip())

    cached = cached_by_an_import()
    assert cached.is_file() and home / environments.BYTECODE in cached.parents
    assert not (tmp_path / "lib" / "__pycache__").exists()  # nothing written beside the source
    written = cached.stat().st_mtime_ns
    assert cached_by_an_import() == cached and cached.stat().st_mtime_ns == written  # read back


def _store_of_schema_2(path: Path) -> None:
    """A store as schema 2 wrote it: no release column; one answer in it."""
    case = Case(batch=1, in_channels=1, out_channels=1, spatial=(4, 4), kernel=(1, 1))
    Store.create(path, Plan(cases=[(0, case)], plan_id="p", variants=("jax",))).close()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("ALTER TABLE outcomes DROP COLUMN release")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        db.execute(
            "INSERT INTO outcomes (case_id, adapter, device, variant, framework, version, api, "
            "status, verdict) VALUES (?, 'jax.lax', 'cpu', 'jax', 'jax', '0.4.30', "
            "'jax.lax.conv_general_dilated', 'ok', 'PASS')",
            (case.id,),
        )
        db.execute("INSERT INTO recorded VALUES (?, 1, 0, 0)", (case.id,))


def test_a_schema_2_store_reads_as_the_harness_own_environment_and_upgrades_when_written(tmp_path):
    old = tmp_path / "old.db"
    _store_of_schema_2(old)
    before = old.read_bytes()
    with Store.open(old, writable=False) as store:
        rows = list(store.release_rows())
        assert [(r[1], r[4], r[5]) for r in rows] == [("jax.lax", "0.4.30", "")]
        assert store.release_counts() == {"jax==0.4.30": {"PASS": 1}}
    assert old.read_bytes() == before  # reading wrote nothing
    merged = merge([old], tmp_path / "merged.db")  # an older store merges into a new one
    with merged:
        assert [r[5] for r in merged.release_rows()] == [""]
    with Store.open(old) as store:  # opened to write: it gains the column
        assert store.meta()["schema_version"] == SCHEMA_VERSION
        assert [r[5] for r in store.release_rows()] == [""]


# ---- with the package index ------------------------------------------------------------------


@pytest.fixture(scope="module")
def index():
    """Skips unless the package index answers (release environments are built from it)."""
    try:
        environments.resolve(("keras==3.13.2", "jax", "jaxlib"))
    except UsageError as error:
        pytest.skip(f"the package index cannot be reached to build release environments: {error}")


KERAS_CHANGE = next(c for c in sets.changes() if c.framework == "keras")


@pytest.mark.network
def test_a_run_over_releases_records_each_release_and_reports_the_change(index, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(KERAS_CHANGE.case + "\n")
    store = tmp_path / "releases.db"
    done = subprocess.run(
        [*CLI, "run", "--cases", str(cases), "--variants", "keras-jax", "--shrink-budget", "0"]
        + ["--releases", f"keras={KERAS_CHANGE.last_before}", "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    # the older release's refusal is unexpected, and known: an entry scoped to releases < 3.14.0
    assert done.returncode == 0, done.stderr
    assert "verdicts per release:" in done.stdout
    older, pinned = f"keras=={KERAS_CHANGE.last_before}", f"keras=={sets.load()['keras'].pinned}"
    with Store.open(store, writable=False) as opened:
        counts = opened.release_counts()
        releases = {(r[1], r[5]) for r in opened.release_rows()}
        (run,) = opened.run_rows()
    versions = json.loads(run[6])  # what the release environment's resolver picked
    assert versions[f"keras-jax@{older}:keras"] == KERAS_CHANGE.last_before
    assert f"keras-jax@{older}:numpy" in versions and f"keras-jax@{older}:jaxlib" in versions
    assert counts[older] != counts[pinned]
    assert counts[older]["UNEXPECTED_REJECT (known)"] == 2  # keras and keras.padded
    assert "UNEXPECTED_REJECT (known)" not in counts[pinned]
    assert (f"keras[jax]{{{older}}}", older) in releases and ("keras[jax]", "") in releases
    report = tmp_path / "report"
    subprocess.run([*CLI, "report", str(store), "--out", str(report)], check=True, timeout=300)
    text = (report / "REPORT.md").read_text()
    assert "## Release matrix" in text and "## Changed between releases" in text
    case_id = Case.from_json(json.loads(KERAS_CHANGE.case)).id
    row = next(line for line in text.splitlines() if line.startswith(f"| {case_id} | keras[jax] |"))
    assert f"keras {KERAS_CHANGE.last_before} -> {sets.load()['keras'].pinned}" in row


@pytest.mark.network
def test_bisect_finds_the_measured_release_of_the_keras_change(index):
    """Re-runs the bisection whose result data/releases.toml records."""
    change = KERAS_CHANGE
    versions = list(dict.fromkeys([change.good, change.last_before, change.first, change.bad]))
    done = subprocess.run(
        [*CLI, "bisect", change.framework, "--case", change.case, "--adapter", change.adapter]
        + ["--good", change.good, "--bad", change.bad, "--versions", ",".join(versions)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr
    assert (
        f"first release of keras whose answer differs: keras=={change.first} (the release "
        f"before it among those probed: keras=={change.last_before})"
    ) in done.stdout
    assert f"--- on keras=={change.last_before}" in done.stdout
    assert f"--- on keras=={change.first}" in done.stdout
    repro = done.stdout.split("repro (the framework's own code):")[1].split("--- on")[0]
    assert "import keras" in repro and "import harness" not in repro
    assert "from harness" not in repro and "keras.layers.Conv2D(" in repro


@pytest.mark.network
def test_upstream_report_is_the_framework_code_with_the_releases_it_shows_on(index):
    done = subprocess.run(
        [*CLI, "upstream", "xla-cpu-negative-low-padding", "--versions", "0.10.2"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "```python\nimport numpy as np, jax" in text
    assert "pip install jax==0.10.2 jaxlib==0.10.2" in text
    shows = next(line for line in text.splitlines() if line.startswith("Shows on:"))
    clean = next(line for line in text.splitlines() if line.startswith("Does not show on:"))
    assert ("jax 0.10.2" in shows) != ("jax 0.10.2" in clean)  # measured, one way or the other
    assert "https://github.com/openxla/xla/issues/48713" in text


@pytest.mark.network
def test_flax_without_nnx_answers_not_expressible_naming_the_release(index, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        KERAS_CHANGE.case.replace('"input": [1, 1, 4, 4]', '"input": [1, 1, 8, 8]') + "\n"
    )
    store = tmp_path / "flax.db"
    done = subprocess.run(
        [*CLI, "run", "--cases", str(cases), "--variants", "flax", "--releases", "flax=0.7.5"]
        + ["--store", str(store), "--shrink-budget", "0"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with Store.open(store, writable=False) as opened:
        answers = {r[1]: (r[6], r[12]) for r in opened.release_rows() if r[5] == "flax==0.7.5"}
    assert answers["flax.linen{flax==0.7.5}"][0] == "ok"
    status, message = answers["flax.nnx{flax==0.7.5}"]
    assert status == "not_expressible" and message.startswith(
        "flax 0.7.5 (flax==0.7.5) has no module flax.nnx"
    )


def _built(
    base: Path, key: str, requested: list[str], days_ago: float, resolved: dict | None = None
) -> None:
    """An environment as `ensure` leaves one (its description and use mark), without packages."""
    import os
    import time

    path = base / key
    path.mkdir(parents=True)
    resolved = {"numpy": "2.4.6", **(resolved or {})}
    environments.Environment(key, path, [requested], resolved, "3.11.0", "uv 0.13.9", 2.5).save()
    (path / environments.USED).touch()
    then = time.time() - days_ago * 86400
    os.utime(path / environments.USED, (then, then))


def test_envs_lists_and_prunes_the_environments_it_finds(tmp_path):
    base = tmp_path / "envs"
    _built(base, "0123456789abcdef", ["jax==0.8.3", "jaxlib==0.8.3"], days_ago=40)
    _built(base, "fedcba9876543210", ["keras==3.13.2", "jax", "jaxlib"], days_ago=1)
    (base / "halfbuilt.partial").mkdir()  # a build that was killed
    env = {"CONVHARNESS_ENVS": str(base), "PATH": "/usr/bin:/bin"}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=60)

    listed = cli("envs", "list")
    assert listed.returncode == 0 and "2 environments" in listed.stdout
    assert "jax==0.8.3 jaxlib==0.8.3" in listed.stdout and "numpy 2.4.6" in listed.stdout
    assert environments.find(("jax==0.8.3", "jaxlib==0.8.3"), base).key == "0123456789abcdef"
    pruned = cli("envs", "prune")  # unused for 30 days
    assert pruned.returncode == 0 and "removed 0123456789abcdef" in pruned.stdout
    assert sorted(p.name for p in base.iterdir() if not p.name.startswith(".")) == [
        "fedcba9876543210"
    ]
    unknown = cli("envs", "prune", "nosuchkey")
    assert unknown.returncode == 2 and "no environment nosuchkey" in unknown.stderr
    assert cli("envs", "prune", "--all").returncode == 0 and environments.every(base) == []


def test_the_release_axis_of_the_report_is_computed_from_the_stored_answers(tmp_path, monkeypatch):
    """Answers of one case on two JAX releases, the older refusing it: a change between them,
    and the registered convention whose refusal rule only the older release shows."""
    from harness.releases import matrix, repro_releases

    monkeypatch.setattr(repro_releases, "PATH", tmp_path / "no-repro-table.json")
    from harness.reporting.facts import Survey

    case = Case(batch=1, in_channels=1, out_channels=1, spatial=(4, 4), kernel=(1, 1))
    path = tmp_path / "two.db"
    Store.create(path, Plan(cases=[(0, case)], plan_id="p", variants=("jax",))).close()
    rule = next(r for e in registry.load().entries for r in e.rules if r.startswith("jax/"))
    with closing(sqlite3.connect(path)) as db, db:
        for adapter, version, release, status, verdict, shape, refusal in (
            ("jax.lax", "0.10.2", "", "ok", "PASS", "[1, 1, 4, 4]", None),
            (
                "jax.lax{jax==0.4.38}",
                "0.4.38",
                "jax==0.4.38",
                "rejected",
                "EXPECTED_REJECT",
                "null",
                rule,
            ),
        ):
            db.execute(
                "INSERT INTO outcomes (case_id, adapter, device, variant, framework, version, "
                "api, status, verdict, rule, shape, release) VALUES (?, ?, 'cpu', 'jax', 'jax', "
                "?, 'jax.lax.conv_general_dilated', ?, ?, ?, ?, ?)",
                (case.id, adapter, version, status, verdict, refusal, shape, release),
            )
        db.execute("INSERT INTO recorded VALUES (?, 1, 0, 0)", (case.id,))
    with Store.open(path, writable=False) as store:
        survey = Survey(store)
    assert matrix.releases_of(survey) == {"jax": ["0.4.38", "0.10.2"]}
    (change,) = matrix.changes(survey)
    assert (change.adapter, change.before, change.after) == ("jax.lax", "0.4.38", "0.10.2")
    assert "accepts" in change.aspects and change.now.startswith("accepts")
    (span,) = [s for s in matrix.spans(survey) if s.shows]
    assert (span.first_seen, span.last_seen, span.fixed_in) == ("0.4.38", "0.4.38", "0.10.2")
    titles = [section.title for section in matrix.sections(survey)]
    assert titles == ["Release matrix", "Changed between releases"]


def test_a_stored_release_finds_the_set_its_environment_was_built_from(tmp_path, monkeypatch):
    """--resume names release variants by release: a nightly's is found by what it resolved."""
    monkeypatch.setenv("CONVHARNESS_ENVS", str(tmp_path))
    nightly = {"keras-nightly": "3.16.0.dev2026102704", "jax": "0.10.2"}
    _built(tmp_path, "00000000000000aa", ["jax", "jaxlib", "keras-nightly"], 0, nightly)
    found = sets.release_set_of("keras==3.16.0.dev2026102704")
    assert found.requirements == ("jax", "jaxlib", "keras-nightly")
    assert sets.release_set_of("jax==0.8.3").requirements == ("jax==0.8.3", "jaxlib==0.8.3")
    with pytest.raises(UsageError):
        sets.release_set_of("nosuchframework==1.0")


def test_release_order_reads_local_labels_and_dev_nightlies():
    found = ["2.23.0-dev20261026", "2.21.0", "2.15.0+cu132", "2.13.0+cpu", "2.12.1+cu130"]
    assert sorted(found, key=version_key) == [
        "2.12.1+cu130",
        "2.13.0+cpu",
        "2.15.0+cu132",
        "2.21.0",
        "2.23.0-dev20261026",
    ]
    assert version_key("2.23.0-dev20261026") < version_key("2.23.0")


def test_warm_workers_of_two_releases_keep_files_of_their_own():
    """A release variant's key name has dots (jax@jax==0.8.3-<hash>): each key its own files."""
    one, other = warm._files("jax@jax==0.8.3-0123456789ab"), warm._files("jax@jax==0.8.3-ba98")
    assert not set(one) & set(other)
    assert [p.name for p in one] == [
        f"jax@jax==0.8.3-0123456789ab.{suffix}" for suffix in ("sock", "lock", "json", "log")
    ]


def _survey_of_one_bug(tmp_path):
    from harness.reporting.facts import Survey

    case = Case(batch=1, in_channels=1, out_channels=1, spatial=(4, 4), kernel=(1, 1))
    path = tmp_path / "one.db"
    Store.create(path, Plan(cases=[(0, case)], plan_id="p", variants=("jax",))).close()
    with Store.open(path, writable=False) as store:
        return Survey(store)


def test_the_report_states_where_each_registered_repro_was_run_and_showed(tmp_path, monkeypatch):
    """The section reads the recorded table: every registered upstream bug has a row, those
    not measured say so."""
    from harness.releases import matrix, repro_releases

    bug = next(e for e in registry.load().entries if e.kind == "upstream_bug" and e.repro)
    table = tmp_path / "repro_releases.json"
    runs = {"0.4.38": "shows", "0.8.3": "does not show", "0.9.2": "could not run"}
    table.write_text(json.dumps({bug.id: {"framework": "jax", "releases": runs}}))
    monkeypatch.setattr(repro_releases, "PATH", table)
    section = matrix.repro_section(_survey_of_one_bug(tmp_path))
    assert section is not None and section.title == "Registered bugs' repros on releases"
    (rows,) = [b.rows for b in section.blocks if hasattr(b, "rows")]
    assert (bug.id, "jax", "0.4.38", "0.8.3", "0.9.2", "3 releases") in rows
    bugs = [e for e in registry.load().entries if e.kind == "upstream_bug"]
    assert len(rows) == len(bugs)
    assert all(row[-1] in ("not measured", "no repro") for row in rows if row[0] != bug.id)


def test_a_repro_of_a_framework_without_followed_releases_runs_here(tmp_path):
    """A plugin's bug: its repro runs on the harness's own environment, and the row says which
    release that is and whether it showed (the registry's repro tests expect it to)."""
    pytest.importorskip("mlx.core")
    from importlib import metadata

    from harness.releases import repro_releases

    bug = next(e for e in registry.load().entries if e.requires == "mlx.core" and e.repro)
    table = tmp_path / "repro_releases.json"
    rows = repro_releases.record([bug.id], path=table)
    assert rows[bug.id]["framework"] == "mlx"
    assert rows[bug.id]["releases"] == {metadata.version("mlx"): "shows"}
    assert json.loads(table.read_text())[bug.id]["releases"] == rows[bug.id]["releases"]


@pytest.mark.network
def test_explain_answers_a_case_on_each_release_side_by_side(index, tmp_path):
    cases = tmp_path / "case.jsonl"
    cases.write_text(KERAS_CHANGE.case + "\n")
    older = f"keras-jax@keras=={KERAS_CHANGE.last_before}"
    done = subprocess.run(
        [*CLI, "explain", "--cases", str(cases), "--variants", "keras-jax"]
        + ["--releases", f"keras={KERAS_CHANGE.last_before}"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    pinned = sets.load()["keras"].pinned
    lines = done.stdout.split("keras on 2 releases:\n")[1].splitlines()
    assert lines[0].split() == ["adapter", "keras", KERAS_CHANGE.last_before, "keras", pinned]
    row = next(line for line in lines if line.startswith("keras[jax]@cpu"))
    known = "keras-before-3.14-conv-checks-only-negative-output"
    assert row.split() == ["keras[jax]@cpu", "UNEXPECTED_REJECT", "(known:", f"{known})"] + (
        "ValueError EXPECTED_REJECT ValueError <- differs".split()
    )
    alone = subprocess.run(
        [*CLI, "explain", "--cases", str(cases), "--variants", older, "--json"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert alone.returncode == 0, alone.stderr
    answered = {r["adapter"] for r in json.loads(alone.stdout.splitlines()[0])["results"]}
    assert answered == {
        f"keras[jax]{{keras=={KERAS_CHANGE.last_before}}}",
        f"keras.padded[jax]{{keras=={KERAS_CHANGE.last_before}}}",
    }


@pytest.mark.network
def test_pip_builds_a_release_environment_where_uv_is_not_used(index, tmp_path, monkeypatch):
    """CONVHARNESS_NO_UV=1: resolved and installed by pip, a real build of a small set."""
    monkeypatch.setenv("CONVHARNESS_ENVS", str(tmp_path))
    monkeypatch.setenv("CONVHARNESS_NO_UV", "1")
    built = environments.ensure(("onnxruntime==1.30.0", "onnx"))
    assert built.tool.startswith("pip")
    assert not list((built.path / "bin").glob("pip*"))  # as uv builds one: no pip inside
    assert built.resolved["onnxruntime"] == "1.30.0" and "numpy" in built.resolved
    said = subprocess.run(
        [str(built.interpreter), "-c", "import onnxruntime, onnx; print(onnxruntime.__version__)"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert said.stdout.strip() == "1.30.0", said.stderr
    assert environments.ensure(("onnx", "onnxruntime==1.30.0")).path == built.path  # found again


def test_a_release_scoped_entry_marks_only_the_releases_it_names():
    from harness.model.registry import in_releases
    from harness.model.versions import in_range

    scoped = [e for e in registry.load().entries if e.releases]
    assert scoped
    entry = scoped[0]
    framework, bounds = entry.releases[0]
    adapter = entry.adapters[0]
    pinned = sets.load()[framework].pinned
    assert not in_range(pinned, bounds)  # never the pinned release
    assert not in_releases(entry, adapter)  # the harness's own environment
    assert not in_releases(entry, f"{adapter}{{{framework}=={pinned}}}")
    assert in_releases(entry, f"{adapter}{{{framework}==3.13.2}}") == in_range("3.13.2", bounds)
    assert not in_releases(entry, f"{adapter}{{otherframework==3.13.2}}")


@pytest.mark.parametrize("bounds", ["~3.14", "<", "3.14.0"])
def test_a_malformed_release_range_is_refused_naming_the_entry(bounds):
    text = (ROOT / "harness/data/registry.toml").read_text()
    data = tomllib.loads(text)
    scoped = next(d for d in data["divergence"] if d.get("releases"))
    scoped["releases"] = {"keras": bounds}
    with pytest.raises(ValueError, match=f"{scoped['id']}.*releases.keras"):
        registry.parse(data)


@pytest.mark.fast
def test_a_refusal_of_one_variant_covers_its_release_variants_and_no_other():
    from harness.model import conventions

    (rule,) = [
        r
        for r in conventions.load()["keras"].families["patch"].refusals
        if r.id == "keras/patches-jax-empty-output"
    ]
    facts = {"output": "zero", "empty_batch": False}
    api = "keras.ops.image.extract_patches"
    assert rule.applies(api, facts, "keras-jax")
    assert rule.applies(api, facts, "keras-jax@keras==3.13.2")
    assert not rule.applies(api, facts, "keras-torch")
    assert not rule.applies(api, facts, "keras-torch@keras==3.13.2")


@pytest.mark.fast
def test_a_bug_of_a_backend_the_release_environments_lack_is_measured_here():
    """Keras's releases are followed on JAX: a Keras bug of the TensorFlow or torch backend
    runs on the harness's own environment; one of the JAX backend, or of a variant needing
    nothing more (torch's channels-last), on the followed releases."""
    from harness.releases import repro_releases

    known = sets.load()
    entries = {e.id: e for e in registry.load().entries}
    assert not repro_releases._followed(
        entries["keras-tf-conv3d-same-crops-float16-float64"], known["keras"]
    )
    assert not repro_releases._followed(entries["keras-torch-avg-pool3d-half"], known["keras"])
    assert repro_releases._followed(entries["keras-jax-float64-is-float32"], known["keras"])
    assert repro_releases._followed(entries["torch-channels-last-cropped-conv"], known["torch"])
