"""A test-only adapter that misbehaves on purpose, to exercise the worker machinery.

It stands in for no framework: it computes nothing and is never judged. Height 13
kills the worker, height 17 hangs it, height 19 raises; anything else gives zeros.
"""

from __future__ import annotations

import os
import time

import numpy as np

from harness.adapter_api import ConvApi, NotExpressible

FRAMEWORK = "fault"
REQUIRES = "numpy"


def version() -> str:
    return "0"


def devices() -> list[str]:
    return ["cpu"]


def misbehave(case, x, w, b, device):
    if case.height == 13:
        os.abort()
    if case.height == 17:
        time.sleep(60)
    if case.height == 19:
        raise ZeroDivisionError("refused on purpose")
    if case.height == 23:
        raise NotExpressible("cannot say this on purpose")
    return np.zeros((case.batch, case.out_channels, 1, 1))


APIS = [ConvApi("fault.misbehave", "fault.misbehave", misbehave)]
