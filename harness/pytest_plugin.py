"""pytest plugin: the convharness property suite, run against the frameworks installed here.

Registered as the `convharness` pytest plugin (a pytest11 entry point), so a framework's own CI
can check a freshly built wheel:

    pytest --pyargs harness.suite --conv-frameworks=jax --junitxml=convharness-jax.xml

Options: --conv-frameworks / --conv-variants (which adapters), --conv-profile (dev, ci or
nightly: how many Hypothesis examples; also the CONVHARNESS_PROFILE environment variable),
--conv-devices (cpu, gpu), --conv-warm (warm workers that outlive the session, let go of once
every property ran; --conv-pool is its deprecated spelling; also CONVHARNESS_WARM=1, as for the
commands), --conv-allow-missing. The JAX compile cache is the session's own, unless the workers
are warm or CONVHARNESS_CACHE_DIR names one.
Fixtures: `runner` (one worker per selected variant), `survey` (run and assess one case) and
`installed` (the adapters whose framework is installed).

A property is a test that uses `runner` (directly or through `survey`). The workers start when
the collected tests include one (under pytest-xdist, in the one xdist worker that runs the
properties, all of which share the xdist group GROUP, when the first one starts), and a
framework asked for (--conv-frameworks, --conv-variants) that is not installed or does not
import, or an installed one that does not import, fails the run there, in one line
(--conv-allow-missing skips it instead). A property that judged no
framework answer (none `ok` or `rejected`: every adapter skipped or could not express its cases)
is skipped with the reason, never passed; each property records the answers it judged per
framework (`convharness_judged_<framework>`, in JUnit XML), and a run in which every property
was skipped fails.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from harness.case import OPS, Case
from harness.catalog import variants
from harness.errors import UsageError
from harness.model.assess import CaseReport
from harness.ops import ops_of
from harness.running import memory
from harness.running import survey as surveying
from harness.running import warm as warm_workers
from harness.running.runner import Runner

PROFILES = {"dev": 30, "ci": 300, "nightly": 3000}  # examples per property
JUDGED = ("ok", "rejected")  # the outcome statuses that are a framework's own answer
JUDGED_PROPERTY = "convharness_judged_"  # + framework: a property's user_properties entry
GROUP = "convharness-frameworks"  # the xdist group of the properties: one set of workers
MARKER = "convharness_property"  # the marker of a property, seen in its reports

for _name, _examples in PROFILES.items():
    settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

_SUITE = pytest.StashKey["Suite"]()


def _names(text: str | None) -> list[str] | None:
    return [n.strip() for n in text.split(",") if n.strip()] if text else None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("convharness", "convharness consistency suite")
    group.addoption(
        "--conv-frameworks",
        metavar="A,B",
        help="only these frameworks' adapters (default: every installed one)",
    )
    group.addoption("--conv-variants", metavar="A,B", help="only these variants, by name")
    group.addoption(
        "--conv-ops",
        metavar="A,B",
        help="draw cases of these operators only (default: conv1d, conv2d and conv3d)",
    )
    group.addoption(
        "--conv-profile",
        choices=list(PROFILES),
        help="Hypothesis profile (default dev, or CONVHARNESS_PROFILE)",
    )
    group.addoption(
        "--conv-devices",
        metavar="cpu,gpu",
        help="only outcomes on these devices (default: every device found)",
    )
    group.addoption(
        "--conv-warm",
        dest="conv_warm",
        action="store_true",
        help="run on warm workers (as `convharness workers start` starts them), starting those "
        "missing, so a second run does not import the frameworks again, and let go of them once "
        "every property ran (default: the session's own workers; CONVHARNESS_WARM=1 says the "
        "same)",
    )
    group.addoption(
        "--conv-pool",
        dest="conv_warm",
        action="store_true",
        help="deprecated: the older --conv-warm",
    )
    group.addoption(
        "--conv-allow-missing",
        action="store_true",
        help="skip, with the reason, a framework asked for or installed that does not import "
        "(default: fail the run)",
    )


# The operators the properties draw: set from --conv-ops before the suite's modules are read.
SELECTED_OPS: tuple[str, ...] = tuple(OPS)


def pytest_configure(config: pytest.Config) -> None:
    global SELECTED_OPS
    try:
        SELECTED_OPS = ops_of(_names(config.getoption("--conv-ops")))
    except ValueError as error:
        raise pytest.UsageError(f"--conv-ops: {error}") from None
    chosen = config.getoption("--conv-profile") or os.environ.get("CONVHARNESS_PROFILE")
    if chosen:
        settings.load_profile(chosen)
    elif not config.getoption("--hypothesis-profile", default=None):
        settings.load_profile("dev")
    config.addinivalue_line("markers", f"{MARKER}: a convharness property (uses its runner)")
    config.addinivalue_line("markers", "xdist_group(name): pytest-xdist runs the group together")
    suite = config.stash[_SUITE] = Suite(config)
    config.pluginmanager.register(suite, "convharness-suite")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Name each grouped test's group in its node id, as xdist's --dist loadgroup schedules
    by: xdist 3.8 writes it where pytest 9 no longer reads a node id from."""
    if not config.getoption("loadgroup", default=False):
        return
    for item in items:
        groups = sorted({str(m.args[0]) for m in item.iter_markers("xdist_group") if m.args})
        if groups and "@" not in item.nodeid and hasattr(item, "_id"):
            from _pytest.nodeid import NodeId  # pytest 9: the structured node id

            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")


def _is_property(item: pytest.Item) -> bool:
    """Whether a test uses this plugin's `runner` (not some other plugin's of that name)."""
    info = getattr(item, "_fixtureinfo", None)
    definitions = (info.name2fixturedefs.get("runner") if info else None) or []
    return bool(definitions) and definitions[-1].func.__module__ == __name__


class Suite:
    """The session's workers, the answers the running property judged, and what each
    property came to ("passed", "failed" or "skipped")."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.judged: Counter[str] = Counter()  # framework -> answers judged by the running test
        self.properties: dict[str, str] = {}  # nodeid -> outcome ("" until it has run)
        self.all_skipped = False
        self._runner: Runner | None = None
        self._refused: pytest.UsageError | None = None  # why the workers cannot run
        self._stack = contextlib.ExitStack()
        self.warm = False  # whether the workers are warm ones (--conv-warm, CONVHARNESS_WARM=1)
        self._finished: set[str] = set()  # the properties this process has run

    def runner(self) -> Runner:
        """The workers, started once; a framework that must run and cannot is a usage error."""
        if self._runner is not None:
            return self._runner
        if self._refused is not None:
            raise self._refused
        frameworks = _names(self.config.getoption("--conv-frameworks"))
        names = _names(self.config.getoption("--conv-variants"))
        try:
            chosen = variants.select(frameworks, names)
        except UsageError as error:  # an unknown name
            raise pytest.UsageError(f"convharness: {error}") from None
        try:
            said = warm_workers.asked_by_env()
        except UsageError as error:
            raise pytest.UsageError(f"convharness: {error}") from None
        self.warm = bool(self.config.getoption("conv_warm")) or bool(said)
        # a warm worker outlives the session, so it keeps the shared compile cache, as does a
        # cache named by CONVHARNESS_CACHE_DIR; else the session's own
        named = self.warm or os.environ.get("CONVHARNESS_CACHE_DIR")
        cache = (
            None
            if named
            else Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="convharness-")))
        )
        runner = self._stack.enter_context(
            Runner(
                chosen,
                env=surveying.compile_cache_env(cache),
                headroom=memory.WORKER_FACTOR * memory.default_budget(),
                warm=self.warm,
            )
        )
        if not self.config.getoption("--conv-allow-missing"):
            try:
                runner.check(frameworks, names, broken=True)
            except UsageError as error:
                self._stack.close()
                self._refused = pytest.UsageError(
                    f"convharness: {error} (--conv-allow-missing skips it instead)"
                )
                raise self._refused from None
        self._runner = runner
        return runner

    def record(self, report: CaseReport) -> None:
        self.judged.update(
            r.outcome.info.framework for r in report.results if r.outcome.status in JUDGED
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Mark the properties, and put them in one xdist group: one xdist worker starts the
        frameworks' workers for all of them (xdist reads the group after this hook)."""
        for item in items:
            if _is_property(item):
                item.add_marker(MARKER)
                item.add_marker(pytest.mark.xdist_group(GROUP))

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Start the workers at collection, so a broken framework fails before any test runs;
        an xdist worker, which collects every test but runs its share, starts them when its
        first property asks."""
        self.properties = {item.nodeid: "" for item in session.items if _is_property(item)}
        xdist_worker = hasattr(self.config, "workerinput")
        if self.properties and not self.config.option.collectonly and not xdist_worker:
            self.runner()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        """Count the framework answers a property judges; one that judged none is skipped."""
        if not _is_property(item):
            return (yield)
        self.judged = Counter()
        result = yield  # a failure propagates from here, whatever was judged
        runner = self.runner()
        if "survey" not in getattr(item, "fixturenames", ()):  # it reads the workers' infos
            ready = (info for w in runner.workers if not w.skipped for info in w.infos)
            self.judged.update(info.framework for info in ready)
        for framework, count in sorted(self.judged.items()):
            item.user_properties.append((JUDGED_PROPERTY + framework, count))
        if not self.judged:
            why = "; ".join(f"{name}: {reason}" for name, reason in runner.skipped.items())
            raise pytest.skip.Exception(
                "judged no framework answer: every adapter was skipped or could not express "
                "the case" + (f" ({why})" if why else ""),
                _use_item_location=True,
            )
        return result

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if MARKER in report.keywords:  # under xdist, the controller learns them from reports
            self.properties.setdefault(report.nodeid, "")
        before = self.properties.get(report.nodeid)
        if before is None or before == "failed":
            return
        if report.failed:
            self.properties[report.nodeid] = "failed"
        elif report.skipped:
            self.properties[report.nodeid] = "skipped"
        elif report.when == "call":
            self.properties[report.nodeid] = "passed"

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        """Once this process has run every property, let go of warm workers: the commands the
        rest of the session runs (a test's `convharness explain`) are served by them, as they
        are by any warm worker not in use, instead of starting their own. The session's own
        workers are kept to the end (starting them again would import every framework again)."""
        if nodeid not in self.properties:
            return
        self._finished.add(nodeid)
        if self.warm and self._runner is not None and self._finished >= self.properties.keys():
            self._runner = None
            self._stack.close()

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """A run whose every property was skipped checked nothing: it fails."""
        ran = [outcome for outcome in self.properties.values() if outcome]
        self.all_skipped = bool(ran) and all(outcome == "skipped" for outcome in ran)
        if self.all_skipped and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.all_skipped:
            terminalreporter.write_line(
                "convharness: every property was skipped, so no framework answer was checked: "
                "the run fails",
                red=True,
            )

    def pytest_unconfigure(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def runner(request: pytest.FixtureRequest) -> Runner:
    """One worker per selected adapter variant, shared by every test that runs frameworks."""
    return request.config.stash[_SUITE].runner()


@pytest.fixture(scope="session")
def survey(request: pytest.FixtureRequest, runner: Runner):
    """Run one case on every selected adapter variant (and device) and assess it. A case the
    session has already surveyed (by its id) is judged again from its report, not run again:
    Hypothesis starts each property from the same simplest cases, and the classic examples
    recur, so about a quarter of the dev profile's surveys are repeats."""
    devices = tuple(_names(request.config.getoption("--conv-devices")) or ())
    suite = request.config.stash[_SUITE]
    surveyed: dict[str, CaseReport] = {}

    def run(case: Case) -> CaseReport:
        report = surveyed.get(case.id)
        if report is None:
            (report,) = surveying.reports(runner, [case], devices)
            surveyed[case.id] = report
        suite.record(report)
        return report

    return run


@pytest.fixture(scope="session")
def installed(runner: Runner) -> set[str]:
    """Adapter names (variant-qualified) whose framework is installed here."""
    return {info.adapter for w in runner.workers if not w.skipped for info in w.infos}
