"""Infer, from a patch output's values, the pads a framework applied: as for convolution
(harness/model/inference.py), the output is sought as a strided slice of a dense float64 map,
here the patches at stride 1 with wide zero padding. The output is channel-major by then (the
framework's order brought to the harness's by its convention)."""

from __future__ import annotations

import numpy as np

from harness.case import Case
from harness.families.family import dense_inference
from harness.families.patch.reference import patches
from harness.model import inference


def dense(case: Case, x: np.ndarray, w, b, margin: int) -> np.ndarray:
    """The stride-1 patches with `margin` zero pads on every side."""
    ones = (1,) * case.rank
    return patches(x, case.kernel, ones, case.dilation, (margin,) * (2 * case.rank))


infer = dense_inference(inference.infer, dense)
