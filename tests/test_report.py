"""The published report: deterministic, self-contained, escaped, findings first, valid against
its schema, and readable in a browser at desktop and phone width."""

from __future__ import annotations

import html
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import jsonschema_rs
import pytest

from harness.cli.cases import case_from_flags
from harness.cli.parser import build_parser
from harness.reporting import findings, groups, messages, report
from harness.reporting.facts import Survey
from harness.running.store import Store
from harness.suite.helpers import ANY_FRAMEWORK, installed_of, needs

CLI = [sys.executable, "-m", "harness.cli"]
# one xdist worker runs the module: its store is one survey, run once
pytestmark = pytest.mark.xdist_group("report-store")
ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "reports" / "pinned"
SCHEMA = json.loads((ROOT / "reports" / "results.schema.json").read_text())


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


# Appended to a copy of the page (the page itself has no script): lists the elements wider
# than a phone's 420 px that do not sit in a box that scrolls on its own.
PHONE_PROBE = """<style>html { width: 420px; }</style><script>
addEventListener('load', () => {
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.scroll, pre')) continue;
    const r = el.getBoundingClientRect();
    if (r.right > 421) wide.push(el.tagName + ':' + Math.round(r.right));
  }
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({scroll: document.body.scrollWidth, wide: wide});
  document.body.appendChild(out);
});
</script>"""


def _chromium(tmp_path: Path) -> tuple[str, list[str]]:
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
    return browser, flags


def test_the_report_opens_in_headless_chromium(written, tmp_path):
    browser, flags = _chromium(tmp_path)
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


@pytest.mark.fast
def test_report_refuses_a_missing_store(tmp_path):
    done = subprocess.run(
        [*CLI, "report", str(tmp_path / "none.db"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "no store at" in done.stderr


@pytest.mark.parametrize("which", ["fixture", "published"])
def test_no_element_is_wider_than_a_phone(written, tmp_path, which):
    browser, flags = _chromium(tmp_path)
    source = (written if which == "fixture" else PUBLISHED) / "report.html"
    probed = tmp_path / "probed.html"
    probed.write_text(source.read_text().replace("</body>", PHONE_PROBE + "</body>"))
    dom = subprocess.run(
        [
            browser,
            *flags,
            "--window-size=420,900",
            "--virtual-time-budget=3000",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom)
    assert found, "the probe did not run"
    measured = json.loads(html.unescape(found[1]))
    assert measured["wide"] == [] and measured["scroll"] <= 420, measured


def test_the_page_fits_any_screen(written):
    page = (written / "report.html").read_text()
    assert '<meta name="viewport" content="width=device-width' in page
    assert '<div class="scroll"><table>' in page and "<table>" not in page.replace(
        '<div class="scroll"><table>', ""
    )
    assert all("viewBox=" in svg for svg in page.split("<svg")[1:])
    assert 'id="findings"' in page and 'id="convention-matrix"' in page
    assert "<details><summary>" in page  # appendices collapsed


def test_the_report_opens_with_its_findings(written):
    text = (written / "REPORT.md").read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## In short", "## Findings", "## Convention matrix"]
    main = text.split("# Appendices")[0]
    assert len(main.splitlines()) < 200
    for appendix in ("## Versions and environment", "## Divergence log", "## Refusals"):
        assert appendix in text.split("# Appendices")[1]


def _explain_lines(text: str) -> list[str]:
    return sorted(set(re.findall(r"`(convharness explain [^`]+)`", text)))


@pytest.mark.parametrize("which", ["fixture", "published"])
def test_every_repro_line_is_a_case_the_cli_reads(written, which):
    text = ((written if which == "fixture" else PUBLISHED) / "REPORT.md").read_text()
    lines = _explain_lines(text)
    assert lines, "the report should hold explain lines"
    assert "--store" not in text.split("# Appendices")[0]
    parser = build_parser()
    for line in lines:
        args = parser.parse_args(shlex.split(line)[1:])
        assert case_from_flags(args).command() in line


@needs("jax")
def test_a_findings_repro_line_runs_on_its_own(written):
    results = json.loads((PUBLISHED / "results.json").read_text())
    repros = [f["repro"] for f in results["findings"] if f["repro"].startswith("convharness")]
    assert repros
    line = repros[0].split(" --variants")[0] + " --frameworks jax --json"
    done = subprocess.run(
        [*CLI, *shlex.split(line)[1:]], capture_output=True, text=True, timeout=300
    )
    assert done.returncode in (0, 1), done.stderr
    rows = json.loads(done.stdout)
    assert rows and {"shape", "pads_inferred", "verdict"} <= set(rows[0])


@pytest.mark.parametrize("which", ["fixture", "published"])
def test_results_json_validates_against_its_schema(written, which):
    results = json.loads(
        ((written if which == "fixture" else PUBLISHED) / "results.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema_rs.Draft202012Validator(SCHEMA).validate(results)  # the same draft, compiled
    assert results["schema"] == SCHEMA["properties"]["schema"]["const"]


def test_results_cells_carry_what_a_reader_needs(store_path, written):
    results = json.loads((written / "results.json").read_text())
    with Store.open(store_path, writable=False) as store:
        (errors,) = store.db.execute(
            "SELECT COUNT(*) FROM outcomes WHERE max_abs_err IS NOT NULL"
        ).fetchone()
    cells = results["cells"]
    assert sum(c["max_abs_err"] is not None for c in cells) == errors > 0
    ok = [c for c in cells if c["status"] == "ok"]
    assert ok and all(c["shape"] for c in ok)
    refused = [c for c in cells if c["status"] == "rejected"]
    assert all(c["error_type"] and c["message"] for c in refused)
    assert {e["id"] for e in results["registry"]} >= {
        f["id"] for f in results["findings"] if not f["id"].endswith(")")
    }


def test_agreement_counts_only_cases_both_sides_computed(store_path):
    with Store.open(store_path, writable=False) as store:
        survey = Survey(store)
    heads = [g.first for g in survey.groups]
    cells, _, refusals = survey.agreement(heads)
    for i, a in enumerate(heads):
        for b in heads[i + 1 :]:
            both = one = 0
            for cid in survey.recorded:
                x, y = survey.cells[cid].get(a), survey.cells[cid].get(b)
                if x is None or y is None:
                    continue
                both += x.status == y.status == "ok"
                one += (x.status == "ok") != (y.status == "ok")
            assert cells.get((a, b), (0, 0))[1] == both
            assert refusals[(a, b)] == one


def test_merged_adapters_answered_every_case_alike(store_path):
    with Store.open(store_path, writable=False) as store:
        survey = Survey(store)
    merged = [g for g in survey.groups if len(g.members) > 1]
    assert merged, "torch.functional and torch.module should answer alike"
    for group in merged:
        for cid in survey.recorded:
            answers = {
                (c.status, c.verdict, c.known, str(c.shape), str(c.inferred))
                if (c := survey.cells[cid].get(label))
                else None
                for label in group.members
            }
            assert len(answers) == 1, (group.name, cid)


@pytest.mark.fast
def test_group_names_say_which_variants_they_merge():
    assert (
        groups.group_name(
            [
                "torch.functional",
                "torch.module",
                "torch.functional[no-mkldnn]",
                "torch.module[no-mkldnn]",
            ]
        )
        == "torch.functional, torch.module (± no-mkldnn)"
    )
    assert groups.group_name(["keras[jax]", "keras[torch]"]) == "keras[jax, torch]"
    assert groups.group_name(["tf.nn", "keras[torch]"]) == "tf.nn, keras[torch]"


@pytest.mark.fast
def test_messages_stay_readable():
    message = (
        "ValueError: The `2nd entry of padding` got padding=((2, -2),) for "
        "lhs_shape[2:]=(np.int64(9), np.float32(1.5))"
    )
    assert messages.readable(message).endswith("lhs_shape[2:]=(9, 1.5)")
    key = messages.normalise(message)
    assert "2nd entry" in key and "np." not in key and "(N, N)" in key
    assert key == messages.normalise(message.replace("(2, -2)", "(3, -1)"))
    long = "word " * 100
    cut = messages.shorten(long, 50)
    assert len(cut) <= 52 and cut.endswith(" …") and cut[:-2].split()[-1] == "word"


@pytest.mark.fast
def test_findings_rank_silent_wrong_values_first():
    assert findings.severity({"VALUE_MISMATCH", "UNEXPECTED_REJECT"}) is findings.Severity(1)
    assert findings.severity({"SHAPE_MISMATCH"}) < findings.severity({"UNEXPECTED_ACCEPT"})
    assert findings.severity(set(), {"pads"}).words == "silent wrong values"


@pytest.mark.fast
def test_the_readme_quotes_the_published_report():
    readme = (ROOT / "README.md").read_text()
    results = json.loads((PUBLISHED / "results.json").read_text())
    cases = results["plan"]["recorded"]
    quoted = re.search(
        r"seed (\d+),\s+([\d,]+)\s+cases\s+\(([^)]*)\)\s+on\s+all\s+(\d+)\s+adapters",
        readme,
    )
    assert quoted, "README should quote the published report's seed, cases and adapters"
    seed, count, per_op, adapters = quoted.groups()
    assert int(seed) == results["plan"]["seed"]
    assert int(count.replace(",", "")) == cases
    assert int(adapters) == len(results["summary"]["verdicts"])
    ops = {
        op: len([c for c in results["cases"].values() if c["op"] == op])
        for op in results["summary"]["verdicts_by_op"]
    }
    for op, n in ops.items():
        assert re.search(rf"\b{op}\s+{n:,}\b", per_op), (op, n, per_op)
    unexpected = results["summary"]["unexpected"]
    if unexpected == 0:
        assert "no unexpected verdict" in readme
