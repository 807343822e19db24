"""pytest plugin: the convharness property suite, run against the frameworks installed here.

Registered as the `convharness` pytest plugin (a pytest11 entry point), so a framework's own CI
can check a freshly built wheel:

    pytest --pyargs harness.suite --conv-frameworks=jax --junitxml=convharness-jax.xml

Options: --conv-frameworks / --conv-variants (which adapters), --conv-profile (dev, ci or
nightly: how many Hypothesis examples; also the CONVHARNESS_PROFILE environment variable),
--conv-devices (cpu, gpu). Fixtures: `runner` (one worker per selected variant), `survey` (run
and assess one case) and `installed` (the adapters whose framework is installed).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from . import survey as surveying
from . import variants
from .assess import CaseReport
from .case import Case
from .runner import Runner

PROFILES = {"dev": 30, "ci": 300, "nightly": 3000}  # examples per property

for _name, _examples in PROFILES.items():
    settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _names(text: str | None) -> list[str] | None:
    return [n.strip() for n in text.split(",") if n.strip()] if text else None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("convharness", "convharness Conv2d consistency suite")
    group.addoption(
        "--conv-frameworks",
        metavar="A,B",
        help="only these frameworks' adapters (default: every installed one)",
    )
    group.addoption("--conv-variants", metavar="A,B", help="only these variants, by name")
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


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("--conv-profile") or os.environ.get("CONVHARNESS_PROFILE")
    if chosen:
        settings.load_profile(chosen)
    elif not config.getoption("--hypothesis-profile", default=None):
        settings.load_profile("dev")


@pytest.fixture(scope="session")
def runner(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One worker per selected adapter variant, shared by every test that runs frameworks."""
    chosen = variants.select(
        _names(request.config.getoption("--conv-frameworks")),
        _names(request.config.getoption("--conv-variants")),
    )
    cache = tmp_path_factory.mktemp("jax-cache")
    with Runner(chosen, env=surveying.compile_cache_env(cache)) as workers:
        yield workers


@pytest.fixture(scope="session")
def survey(request: pytest.FixtureRequest, runner: Runner):
    """Run one case on every selected adapter variant (and device) and assess it."""
    devices = tuple(_names(request.config.getoption("--conv-devices")) or ())

    def run(case: Case) -> CaseReport:
        (report,) = surveying.reports(runner, [case], devices)
        return report

    return run


@pytest.fixture(scope="session")
def installed(runner: Runner) -> set[str]:
    """Adapter names (variant-qualified) whose framework is installed here."""
    return {info.adapter for w in runner.workers if not w.skipped for info in w.infos}
