"""JAX's transposed convolution, three ways: jax.lax.conv_transpose with transpose_kernel=True
(the jax.lax adapter), the same with transpose_kernel=False (jax.lax.unflipped: the kernel is
used as given, neither flipped nor with its in/out axes swapped, jax-ml/jax#14337), and
jax.lax.conv_general_dilated with lhs_dilation (jax.lax.dilated), the textbook construction.

lax.conv_transpose reads 'SAME' and 'VALID' as the forward convolution's padding, and explicit
pairs (use_consistent_padding=False, its default) as the padding of the stride-dilated input:
a crop c is the pad d(k-1) - c (jax-ml/jax#32267). Neither takes groups or an output size.
"""

from __future__ import annotations

import numpy as np

from adapters.jax_common import (
    CODE_HEAD,
    array,
    bias_axes,
    channels_first,
    device_map,
    jax_module,
    laid_out,
    layout_code,
    numbers,
)
from harness.adapter_api import NotExpressible, crop_pairs
from harness.case import Case
from harness.model.oracle import effective_kernel

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


def _run(case: Case, x, w, b, device: str, call) -> np.ndarray:
    jax = jax_module()
    broadcast = bias_axes(case.rank)

    @jax.jit
    def apply(x, w, b):
        y = call(jax, x, w)
        return y if b is None else y + b[broadcast]

    with jax.default_device(device_map()[device]):
        arrays = (laid_out(x), laid_out(w, kernel=True), b)
        y = apply(*(array(a, case.dtype) for a in arrays))
    return channels_first(np.asarray(y, np.float64))


def _numbers(case: Case, kernel: str, env=None) -> tuple[str, str, str]:
    return numbers(case.rank, kernel, env)


def _lax_conv_transpose(case: Case, x, w, b, device: str, api: str, flip: bool) -> np.ndarray:
    """lax.conv_transpose; with transpose_kernel=`flip` it reads w [C, O, *k] as the forward
    convolution's [O, I, *k] kernel (flipped), without as the [I, O, *k] kernel it correlates."""
    padding = lax_padding(case, api)
    return _run(
        case,
        x,
        w,
        b,
        device,
        lambda jax, x, w: jax.lax.conv_transpose(
            x,
            w,
            case.stride,
            padding,
            rhs_dilation=case.dilation,
            dimension_numbers=_numbers(case, "OI" if flip else "IO"),
            transpose_kernel=flip,
        ),
    )


def conv_transpose(case: Case, x, w, b, device: str) -> np.ndarray:
    """transpose_kernel=True: w [C, O, *k] is the forward convolution's [O, I, *k] kernel."""
    return _lax_conv_transpose(case, x, w, b, device, CONV_TRANSPOSE[case.op], flip=True)


def unflipped(case: Case, x, w, b, device: str) -> np.ndarray:
    """transpose_kernel=False: w [C, O, *k] as the [I, O, *k] kernel it reads, unflipped."""
    return _lax_conv_transpose(case, x, w, b, device, UNFLIPPED[case.op], flip=False)


def forward_kernel(w: np.ndarray, groups: int) -> np.ndarray:
    """[C, O/g, *k] to the forward convolution's [O, C/g, *k] per group, spatially flipped."""
    in_channels, group_out, *kernel = w.shape
    split = w.reshape(groups, in_channels // groups, group_out, *kernel).swapaxes(1, 2)
    flipped = split.reshape(groups * group_out, in_channels // groups, *kernel)
    return flipped[(slice(None), slice(None), *[slice(None, None, -1)] * len(kernel))]


def dilated(case: Case, x, w, b, device: str) -> np.ndarray:
    api = DILATED[case.op]
    if case.padding.kind != "explicit":
        raise NotExpressible(f"{api} takes pads, not {case.padding.kind!r}")
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes no output size")
    pads = dilated_input_pads(case)
    return _run(
        case,
        x,
        forward_kernel(w, case.groups),
        b,
        device,
        lambda jax, x, w: jax.lax.conv_general_dilated(
            x,
            w,
            window_strides=(1,) * case.rank,
            padding=pads,
            lhs_dilation=case.stride,
            rhs_dilation=case.dilation,
            dimension_numbers=_numbers(case, "OI"),
            feature_group_count=case.groups,
        ),
    )


def _code(case: Case, env: dict[str, str], call: str, before: str = "", kernel: str = "w") -> str:
    moved, back = layout_code(env, kernel)
    return (
        CODE_HEAD.format(dtype=case.dtype)
        + before
        + moved
        + f"y = {call}\n"
        + back
        + "if b is not None:\n"
        + f"    y = y + jax.numpy.asarray(b, dtype).reshape(-1, *[1] * {case.rank})\n"
        + 'y = np.asarray(y, "float64")\n'
    )


def conv_transpose_code(case: Case, env: dict[str, str]) -> str:
    padding = lax_padding(case, CONV_TRANSPOSE[case.op])
    return _code(
        case,
        env,
        "jax.lax.conv_transpose(jax.numpy.asarray(x, dtype), jax.numpy.asarray(w, dtype),\n"
        f"    {case.stride}, {padding!r}, rhs_dilation={case.dilation},\n"
        f"    dimension_numbers={_numbers(case, 'OI', env)!r}, transpose_kernel=True)",
    )


def unflipped_code(case: Case, env: dict[str, str]) -> str:
    padding = lax_padding(case, UNFLIPPED[case.op])
    return _code(
        case,
        env,
        "jax.lax.conv_transpose(jax.numpy.asarray(x, dtype), jax.numpy.asarray(w, dtype),\n"
        f"    {case.stride}, {padding!r}, rhs_dilation={case.dilation},\n"
        f"    dimension_numbers={_numbers(case, 'IO', env)!r}, transpose_kernel=False)",
    )


def dilated_code(case: Case, env: dict[str, str]) -> str:
    if case.padding.kind != "explicit" or case.output_shape is not None:
        raise NotExpressible(f"{DILATED[case.op]} takes pads only")
    g = case.groups
    return _code(
        case,
        env,
        "jax.lax.conv_general_dilated(jax.numpy.asarray(x, dtype), jax.numpy.asarray(wf, dtype),\n"
        f"    window_strides={(1,) * case.rank}, padding={dilated_input_pads(case)!r},\n"
        f"    lhs_dilation={case.stride}, rhs_dilation={case.dilation},\n"
        f"    dimension_numbers={_numbers(case, 'OI', env)!r}, feature_group_count={g})",
        "# the forward kernel: [C, O/g, *k] -> [O, C/g, *k] per group, spatially flipped\n"
        f"wf = w.reshape({g}, w.shape[0] // {g}, *w.shape[1:]).swapaxes(1, 2)\n"
        f"wf = wf.reshape(-1, w.shape[0] // {g}, *w.shape[2:])[(slice(None),) * 2 + "
        f"(slice(None, None, -1),) * {case.rank}]\n",
        kernel="wf",
    )
