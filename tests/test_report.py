"""The published report: deterministic, self-contained, escaped, and readable in a browser."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys

import pytest

from harness.reporting import report
from harness.running.store import Store
from harness.suite.helpers import ANY_FRAMEWORK, installed_of, needs

CLI = [sys.executable, "-m", "harness.cli"]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "survey.db"
    done = subprocess.run(
        [
            *CLI,
            "run",
            "--examples",
            "30",
            "--seed",
            "2",
            "--frameworks",
            installed_of("torch", "tensorflow", "jax") or ANY_FRAMEWORK,
            "--store",
            str(path),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode in (0, 1), done.stderr
    return path


@pytest.fixture(scope="module")
def written(store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("published")
    with Store.open(store_path, writable=False) as store:
        report.write(store, out)
    return out


def test_the_same_store_gives_byte_identical_reports(store_path, written, tmp_path):
    with Store.open(store_path, writable=False) as store:
        report.write(store, tmp_path)
    for name in ("REPORT.md", "results.json", "report.html"):
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


def test_the_html_is_self_contained(written):
    page = (written / "report.html").read_text()
    assert "<script" not in page and "<link" not in page and "url(" not in page
    assert ' src="' not in page
    assert page.count("<svg") >= 4  # matrix, two agreement maps, the 'same' split


@needs("torch")
def test_framework_messages_are_escaped(store_path, written):
    page = (written / "report.html").read_text()
    with Store.open(store_path, writable=False) as store:
        messages = [
            m
            for (m,) in store.db.execute("SELECT message FROM outcomes WHERE status = 'rejected'")
            if "'" in m
        ]
    assert messages, "the survey should hold a refusal quoting padding='same'"
    assert "padding=&#x27;same&#x27; is not supported" in page
    assert "padding='same' is not supported" not in page


def test_results_json_counts_every_cell(store_path, written):
    results = json.loads((written / "results.json").read_text())
    assert results["schema"] == report.RESULTS_SCHEMA
    with Store.open(store_path, writable=False) as store:
        counts = {name.removesuffix("@cpu"): dict(c) for name, c in store.verdict_counts().items()}
        recorded = len(store.recorded_ids())
    assert results["summary"]["verdicts"] == counts
    assert results["plan"]["recorded"] == recorded == len(results["cases"])
    assert len(results["cells"]) == sum(sum(c.values()) for c in counts.values())
    assert set(results["timing"]) == {"note", "runs"}


def test_trend_gains_one_line_per_run_and_no_duplicates(store_path, written, tmp_path):
    shutil.copy(written / "trend.json", tmp_path / "trend.json")
    with Store.open(store_path, writable=False) as store:
        report.write(store, tmp_path)
        report.write(store, tmp_path)
    trend = json.loads((tmp_path / "trend.json").read_text())
    assert len(trend) == 1 and trend[0]["cases"] > 0
    assert (tmp_path / "trend.json").read_text().count("\n") == 3  # '[', one run, ']'


def test_the_report_opens_in_headless_chromium(written, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    page = (written / "report.html").as_uri()
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, *flags, "--window-size=1280,4000", f"--screenshot={shot}", page],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert dom.count("<svg") >= 4 and html.escape(report.TITLE) in dom


def test_report_refuses_a_missing_store(tmp_path):
    done = subprocess.run(
        [*CLI, "report", str(tmp_path / "none.db"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "no store at" in done.stderr
