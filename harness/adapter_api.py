"""The contract between the harness and an adapter module.

An adapter module (see adapters/) defines:
    FRAMEWORK  one of torch, tensorflow, keras, jax, flax (a plugin may add its own)
    REQUIRES   the importable module the framework lives in; if it is not found, the adapter
               is skipped as not installed; if it is found but fails to import, it is broken
    version()  the framework's version string
    devices()  e.g. ["cpu", "gpu:0"]: every device the framework can see
    APIS       a list of ConvApi: one per framework API it drives
Adapter modules import their framework inside functions only, so the harness can
read their names without the framework installed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .case import Case

# run(case, x NCHW, w OIHW, b or None, device) -> output NCHW; arrays are float64 NumPy
RunFn = Callable[[Case, np.ndarray, np.ndarray, "np.ndarray | None", str], np.ndarray]


class NotExpressible(Exception):
    """The API has no way to state this case (e.g. asymmetric pads in torch.nn.Conv2d)."""


# code(case, env) -> standalone Python that computes `y` (NCHW NumPy) from NumPy x, w, b
CodeFn = Callable[[Case, dict[str, str]], str]


@dataclass(frozen=True)
class ConvApi:
    adapter: str  # short, unique name, e.g. "torch.functional"
    api: str  # the dotted name of the op called, e.g. "torch.nn.functional.conv2d"
    run: RunFn
    code: CodeFn | None = None  # the same call as a reproduction script would write it


def nhwc(x: np.ndarray) -> np.ndarray:
    return x.transpose(0, 2, 3, 1)


def nchw(y: np.ndarray) -> np.ndarray:
    return y.transpose(0, 3, 1, 2)


def hwio(w: np.ndarray) -> np.ndarray:
    """OIHW -> HWIO, the kernel layout of TensorFlow, Keras and Flax."""
    return w.transpose(2, 3, 1, 0)


def pad_pairs(case: Case) -> list[tuple[int, int]]:
    """Explicit pads as [(top, bottom), (left, right)]."""
    top, bottom, left, right = case.padding.pads
    return [(top, bottom), (left, right)]


def lax_padding(case: Case) -> str | list[tuple[int, int]]:
    """Padding as lax spells it: 'VALID', 'SAME', 'SAME_LOWER' or per-axis (low, high) pairs."""
    return pad_pairs(case) if case.padding.kind == "explicit" else case.padding.kind.upper()


def symmetric_pads(case: Case, api: str) -> tuple[int, int]:
    """(PH, PW) for APIs that only take one pad per axis; raises NotExpressible otherwise."""
    pair = case.padding.symmetric_pair()
    if pair is None:
        raise NotExpressible(f"{api} takes one pad per axis, not {case.padding}")
    return pair
