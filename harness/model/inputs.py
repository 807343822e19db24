"""Deterministic input, weight and bias for a case.

Values depend only on the arrays' shapes (and whether there is a bias), so cases that
differ only in padding, stride, dilation or dtype run on the same data and their
outputs can be compared directly: the porting trap, 'SAME' against padding=1, shows as
a difference in values. They are rounded to 8 significant bits, so every dtype the
harness tests (bfloat16 included) holds them exactly and the float64 reference sees
what the framework sees.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from harness.case import Case

SIGNIFICANT_BITS = 8  # bfloat16 keeps 8 significant bits; float16 11; float32 24


def data_id(case: Case) -> str:
    """Names the data a case runs on: equal for cases with the same array shapes."""
    key = json.dumps([case.input_shape, case.weight_shape, case.bias])
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def representable(values: np.ndarray, bits: int = SIGNIFICANT_BITS) -> np.ndarray:
    """Round to `bits` significant bits (values stay well inside float16's range)."""
    mantissa, exponent = np.frexp(values)
    return np.ldexp(np.round(mantissa * 2.0**bits) / 2.0**bits, exponent)


def arrays(case: Case) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(x [N, C, *spatial], w [O, C/groups, *kernel], b or None), float64, exact in every tested
    dtype; a family without a weight (pooling) has no weight and no bias (None, None)."""
    rng = np.random.default_rng(int(data_id(case), 16))
    x = representable(rng.standard_normal(case.input_shape))
    if not case.operators.weighted:
        return x, None, None
    w = representable(rng.standard_normal(case.weight_shape))
    b = representable(rng.standard_normal(case.out_channels)) if case.bias else None
    return x, w, b
