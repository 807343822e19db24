"""JAX's transposed convolution, three ways: jax.lax.conv_transpose with transpose_kernel=True
(the jax.lax adapter), the same with transpose_kernel=False (jax.lax.unflipped: the kernel is
used as given, neither flipped nor with its in/out axes swapped, jax-ml/jax#14337), and
jax.lax.conv_general_dilated with lhs_dilation (jax.lax.dilated), the textbook construction.
Each call is built once, for the run and the script alike.

lax.conv_transpose reads 'SAME' and 'VALID' as the forward convolution's padding, and explicit
pairs (use_consistent_padding=False, its default) as the padding of the stride-dilated input:
a crop c is the pad d(k-1) - c (jax-ml/jax#32267). Neither takes groups or an output size.
"""

from __future__ import annotations

import inspect

import numpy as np

from adapters.jax.common import lax_code, numbers, run_lax
from harness.adapter_api import Call, Case, NotExpressible, Served, crop_pairs, effective_kernel

RANKS = (1, 2, 3)
CONV_TRANSPOSE = {f"conv_transpose{r}d": "jax.lax.conv_transpose" for r in RANKS}
UNFLIPPED = {f"conv_transpose{r}d": "jax.lax.conv_transpose(transpose_kernel=False)" for r in RANKS}
DILATED = {f"conv_transpose{r}d": "jax.lax.conv_general_dilated(lhs_dilation)" for r in RANKS}


def dilated_input_pads(case: Case) -> list[tuple[int, int]]:
    """The case's crops as pads of the stride-dilated input: d(k-1) - crop on each side."""
    extents = [effective_kernel(k, d) - 1 for k, d in zip(case.kernel, case.dilation, strict=True)]
    return [(e - low, e - high) for e, (low, high) in zip(extents, crop_pairs(case), strict=True)]


def lax_padding(case: Case, api: str):
    """'SAME', 'VALID' or dilated-input pads; no groups, no output size."""
    if case.groups > 1:
        raise NotExpressible(f"{api} takes no groups")
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes no output size")
    kind = case.padding.kind
    if kind == "explicit":
        return dilated_input_pads(case)
    if case.output_padding or kind == "same_lower":
        raise NotExpressible(f"{api} takes 'SAME' or 'VALID' without output_padding")
    return kind.upper()


def _conv_transpose(case: Case, api: str, flip: bool, env=None) -> Call:
    """lax.conv_transpose; with transpose_kernel=`flip` it reads w [C, O, *k] as the forward
    convolution's [O, I, *k] kernel (flipped), without as the [I, O, *k] kernel it correlates."""
    arguments = dict(
        strides=case.stride,
        padding=lax_padding(case, api),
        rhs_dilation=case.dilation,
        dimension_numbers=numbers(case.rank, "OI" if flip else "IO", env),
        transpose_kernel=flip,
    )
    return Call("jax.lax.conv_transpose", arguments)


def conv_transpose_call(case: Case, env=None) -> Call:
    """transpose_kernel=True: w [C, O, *k] is the forward convolution's [O, I, *k] kernel."""
    return _conv_transpose(case, CONV_TRANSPOSE[case.op], True, env)


def unflipped_call(case: Case, env=None) -> Call:
    """transpose_kernel=False: w [C, O, *k] as the [I, O, *k] kernel it reads, unflipped."""
    return _conv_transpose(case, UNFLIPPED[case.op], False, env)


def forward_kernel(w: np.ndarray, groups: int) -> np.ndarray:
    """[C, O/g, *k] to the forward convolution's [O, C/g, *k] per group, spatially flipped."""
    in_channels, group_out, *kernel = w.shape
    split = w.reshape(groups, in_channels // groups, group_out, *kernel).swapaxes(1, 2)
    flipped = split.reshape(groups * group_out, in_channels // groups, *kernel)
    return flipped[(slice(None), slice(None), *[slice(None, None, -1)] * len(kernel))]


def dilated_call(case: Case, env=None) -> Call:
    """conv_general_dilated on the input dilated by the stride, with the forward kernel."""
    api = DILATED[case.op]
    if case.padding.kind != "explicit":
        raise NotExpressible(f"{api} takes pads, not {case.padding.kind!r}")
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes no output size")
    arguments = dict(
        window_strides=(1,) * case.rank,
        padding=dilated_input_pads(case),
        lhs_dilation=case.stride,
        rhs_dilation=case.dilation,
        dimension_numbers=numbers(case.rank, "OI", env),
        feature_group_count=case.groups,
    )
    return Call("jax.lax.conv_general_dilated", arguments)


def conv_transpose(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_lax(case, conv_transpose_call(case), x, w, b, device)


def unflipped(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_lax(case, unflipped_call(case), x, w, b, device)


def dilated(case: Case, x, w, b, device: str) -> np.ndarray:
    call = dilated_call(case)
    return run_lax(case, call, x, forward_kernel(w, case.groups), b, device)


def conv_transpose_code(case: Case, env: dict[str, str]) -> str:
    return lax_code(case, env, conv_transpose_call(case, env))


def unflipped_code(case: Case, env: dict[str, str]) -> str:
    return lax_code(case, env, unflipped_call(case, env))


def dilated_code(case: Case, env: dict[str, str]) -> str:
    forward = f"\n\n{inspect.getsource(forward_kernel)}\n\nwf = forward_kernel(w, {case.groups})\n"
    return lax_code(case, env, dilated_call(case, env), forward, kernel="wf")


FAMILY = "conv_transpose"  # the operator family this module serves
SERVED = {
    "jax.lax": Served(CONV_TRANSPOSE, conv_transpose, conv_transpose_code),
    "jax.lax.unflipped": Served(UNFLIPPED, unflipped, unflipped_code),
    "jax.lax.dilated": Served(DILATED, dilated, dilated_code),
}
