"""A test-only adapter that misbehaves on purpose, to exercise the runner's machinery.

It stands in for no framework: it computes the float64 reference itself, and departs
from it on chosen input heights:
    13 aborts (SIGABRT)       11 segfaults (SIGSEGV)    17 hangs (unless FAULT_CALM is set)
    19 raises MemoryError     23 cannot express the case
    29 returns a wrong shape  31 exits with os._exit(3)
    37 allocates and fills 1 GiB (past a worker's memory limit in the tests that set one)
    41 waits until the file named by FAULT_GATE exists (at most 600 s), then answers
    43 takes 0.1 s
A process that starts while the file named by FAULT_NO_MORE exists dies importing this module.
"""

from __future__ import annotations

import ctypes
import os
import time

import numpy as np

from harness.adapter_api import ConvApi, NotExpressible
from harness.model import reference

FRAMEWORK = "fault"
REQUIRES = "numpy"
CONVENTIONS = """
schema = 1
[frameworks.fault]
name = "Fault injection"
output = "floor"
same = { total = "minimal", split = "extra_at_end", citation = "tests/fault_adapter.py" }
"""


if os.path.exists(os.environ.get("FAULT_NO_MORE", "/nonexistent")):
    os._exit(7)


def version() -> str:
    return "0"


def devices() -> list[str]:
    return ["cpu"]


def misbehave(case, x, w, b, device):
    if case.spatial[0] == 13:
        os.abort()
    if case.spatial[0] == 11:
        ctypes.string_at(0)
    if case.spatial[0] == 31:
        os._exit(3)
    if case.spatial[0] == 17 and not os.environ.get("FAULT_CALM"):
        time.sleep(600)
    if case.spatial[0] == 41:
        deadline = time.monotonic() + 600
        while not os.path.exists(os.environ["FAULT_GATE"]) and time.monotonic() < deadline:
            time.sleep(0.02)
    if case.spatial[0] == 43:
        time.sleep(0.1)
    if case.spatial[0] == 19:
        raise MemoryError
    if case.spatial[0] == 37:
        np.ones(2**27)  # float64: 1 GiB
    if case.spatial[0] == 23:
        raise NotExpressible("cannot say this on purpose")
    pads = case.padding.pads or (0,) * (2 * case.rank)  # a word: valid, in these tests
    out = reference.conv(x, w, b, case.stride, case.dilation, pads, case.groups)
    return np.zeros((1, 1, 1, 1)) if case.spatial[0] == 29 else out


APIS = [ConvApi("fault.misbehave", "fault.misbehave", misbehave)]
