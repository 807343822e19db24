"""What an operator family gives the harness: the record every generic room reads."""

from __future__ import annotations

import math
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
    # bytes one case needs before it runs (harness/running/memory.py budgets it); a family
    # whose output is not about its input's size gives its own, from footprint()
    memory: Callable[[Case], int] = lambda case: default_memory(case)


ITEMSIZE = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8}


def footprint(case: Case, output: int, dense: int) -> int:
    """Bytes of a case with `output` output and `dense` dense-map elements: the float64 input
    and weight a worker builds, the framework's copy and its layout conversion, the output as
    the framework holds it and as float64 (the worker's copy and the pipe's), the float64
    reference of the output and the inference's dense map."""
    size = ITEMSIZE[case.dtype]
    arrays = math.prod(case.input_shape) + math.prod(case.weight_shape) + case.out_channels
    return arrays * (8 + 2 * size) + output * (size + 8 + 8 + 8) + dense * 8


def default_memory(case: Case) -> int:
    """A bound for a family that gives none: an output as large as the input per channel,
    and a dense map of three times each spatial size."""
    per_channel = case.batch * math.prod(case.spatial)
    return footprint(case, per_channel * case.out_channels, per_channel * 3**case.rank)
