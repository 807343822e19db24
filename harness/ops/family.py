"""What an operator family gives the harness: the record every generic room reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from harness.case import Case, Pads
from harness.model.inference import Inferred


@dataclass(frozen=True)
class Family:
    name: str  # conv; later conv_transpose, pool
    ops: tuple[str, ...]
    title: str  # how the report heads its section, e.g. "Convolution"
    # float64 reference output of a case under explicit pads: reference(case, x, w, b, pads);
    # w and b are None for pooling
    reference: Callable[[Case, np.ndarray, np.ndarray | None, np.ndarray | None, Pads], np.ndarray]
    # the pads an output proves: infer(case, output, x, w, b, dense_cache)
    infer: Callable[..., Inferred | None]
    strategy: Callable[[str], st.SearchStrategy[Case]]  # strategy(op)
    coverage: Callable[[Case], list[str]]
    regions: Callable[[str], tuple[str, ...]]  # the coverage regions each op must reach
    classic: tuple[Case, ...]  # the cases the report and the suite always ask
