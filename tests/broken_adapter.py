"""A test-only adapter whose framework is installed but fails to import (a broken build)."""

from harness.adapter_api import ConvApi

FRAMEWORK = "broken"
REQUIRES = "broken_framework_for_convharness_tests"  # tests/: raises RuntimeError on import


def version() -> str:
    raise AssertionError("never called: the framework does not import")


def devices() -> list[str]:
    raise AssertionError("never called: the framework does not import")


APIS = [ConvApi("broken.conv", "broken.conv2d", lambda *args: None)]
