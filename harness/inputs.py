"""Deterministic input, weight and bias for a case.

Values are seeded by the case id, so a case is the same experiment everywhere,
and rounded to 8 significant bits, so every dtype the harness tests (bfloat16
included) holds them exactly: the float64 reference sees what the framework sees.
"""

from __future__ import annotations

import numpy as np

from .case import Case

SIGNIFICANT_BITS = 8  # bfloat16 keeps 8 significant bits; float16 11; float32 24


def representable(values: np.ndarray, bits: int = SIGNIFICANT_BITS) -> np.ndarray:
    """Round to `bits` significant bits (values stay well inside float16's range)."""
    mantissa, exponent = np.frexp(values)
    return np.ldexp(np.round(mantissa * 2.0**bits) / 2.0**bits, exponent)


def arrays(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(x NCHW, w OIHW, b or None), float64 and exact in every tested dtype."""
    rng = np.random.default_rng(int(case.id, 16))
    x = representable(rng.standard_normal(case.input_shape))
    w = representable(rng.standard_normal(case.weight_shape))
    b = representable(rng.standard_normal(case.out_channels)) if case.bias else None
    return x, w, b
