"""A test-only adapter whose framework is not installed anywhere."""

from harness.adapter_api import ConvApi

FRAMEWORK = "missing"
REQUIRES = "no_such_framework_for_convharness_tests"


def version() -> str:
    raise AssertionError("never called: the framework is missing")


def devices() -> list[str]:
    raise AssertionError("never called: the framework is missing")


APIS = [ConvApi("missing.conv", "missing.conv2d", lambda *args: None)]
