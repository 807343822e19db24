"""Shared fixtures and Hypothesis profiles.

Profiles: dev (default), ci, nightly. Choose one with pytest's
--hypothesis-profile=ci or the CONVHARNESS_PROFILE environment variable.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from harness import survey as surveying
from harness import variants
from harness.assess import CaseReport
from harness.case import Case
from harness.runner import Runner

_common = dict(
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=30, **_common)
settings.register_profile("ci", max_examples=300, **_common)
settings.register_profile("nightly", max_examples=3000, **_common)
settings.load_profile(os.environ.get("CONVHARNESS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def runner(tmp_path_factory):
    """One worker per adapter variant, shared by every test that runs real frameworks."""
    cache = tmp_path_factory.mktemp("jax-cache")
    with Runner(variants.select(), env=surveying.compile_cache_env(cache)) as workers:
        yield workers


@pytest.fixture(scope="session")
def survey(runner):
    """Run one case on every adapter variant and assess it."""

    def run(case: Case) -> CaseReport:
        (report,) = surveying.reports(runner, [case])
        return report

    return run


@pytest.fixture(scope="session")
def installed(runner) -> set[str]:
    """Adapter names (variant-qualified) whose framework is installed here."""
    return {i.adapter for w in runner.workers if not w.skipped for i in w.infos}
