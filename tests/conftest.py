"""Shared fixtures and Hypothesis profiles.

Profiles: dev (default), ci, nightly. Choose one with pytest's
--hypothesis-profile=ci or the CONVHARNESS_PROFILE environment variable.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from harness import inputs
from harness.assess import CaseReport, assess
from harness.case import Case
from harness.survey import modules_for
from harness.workers import Pool

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
def pool():
    """One worker per framework adapter, shared by every test that runs real frameworks."""
    with Pool(modules_for(None)) as workers:
        yield workers


@pytest.fixture(scope="session")
def survey(pool):
    """Run one case on every adapter and assess it."""

    def run(case: Case) -> CaseReport:
        arrays = inputs.arrays(case)
        return assess(case, pool.run(case, *arrays), arrays)

    return run


@pytest.fixture(scope="session")
def installed(pool) -> set[str]:
    """Adapter names whose framework is installed here."""
    skipped = {w.module_name for w in pool.workers if w.skipped}
    return {i.adapter for w in pool.workers if w.module_name not in skipped for i in w.infos}
