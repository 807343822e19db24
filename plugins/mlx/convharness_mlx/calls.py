"""The MLX calls a case becomes: one builder per adapter returns the call's name, its keyword
arguments and how the weight is laid out; the run and the reproduction script both read it.

MLX is channels-last only: inputs are [N, *spatial, C], a convolution's weight is
[O, *kernel, C/groups], and a transposed convolution's weight is [O, *kernel, C/groups] too
(mlx/ops.cpp conv_transpose_general passes it to conv_general with flip=True). Nothing here
imports MLX.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.adapter_api import NotExpressible, crop_pairs, effective_kernel
from harness.case import Case

RANKS = (1, 2, 3)


@dataclass(frozen=True)
class Layout:
    """The case's weight [O, C/g, *k] (or [C, O/g, *k] transposed) in MLX's [O, *k, C/g]:
    w.reshape(before).transpose(axes).reshape(after)."""

    before: tuple[int, ...]
    axes: tuple[int, ...]
    after: tuple[int, ...]


@dataclass(frozen=True)
class Call:
    """One MLX call: `api` is a function of (x, w, **kwargs), after which the bias is added,
    or (`layer`) a class built from `kwargs` that holds weight and bias and is called on x."""

    api: str
    kwargs: dict
    layout: Layout | None  # None: pooling, no weight
    layer: bool = False


def forward_layout(case: Case) -> Layout:
    """[O, C/g, *k] -> [O, *k, C/g]."""
    shape = case.weight_shape
    return Layout(shape, (0, *range(2, 2 + case.rank), 1), (shape[0], *shape[2:], shape[1]))


def transposed_layout(case: Case) -> Layout:
    """PyTorch's [C, O/g, *k] -> MLX's [O, *k, C/g]: per group, output channels first."""
    c, og, *kernel = case.weight_shape
    g = case.groups
    rank = case.rank
    return Layout(
        (g, c // g, og, *kernel),
        (0, 2, *range(3, 3 + rank), 1),
        (g * og, *kernel, c // g),
    )


def _pads(case: Case, api: str) -> tuple[int, ...]:
    """One pad per axis: 'valid' is 0, explicit pads must be the same on both sides."""
    if case.padding.kind == "valid":
        return (0,) * case.rank
    if case.padding.kind != "explicit":
        raise NotExpressible(f"{api} takes pads as ints, not {case.padding.kind!r}")
    per_axis = case.padding.symmetric()
    if per_axis is None:
        raise NotExpressible(f"{api} takes one pad per axis (both sides), not {case.padding}")
    return per_axis


def _one(values: tuple[int, ...], rank: int):
    """An int at rank 1 (conv1d takes no tuple), a tuple otherwise."""
    return values[0] if rank == 1 else tuple(values)


def _no_output_shape(case: Case, api: str) -> None:
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes output_padding, not an output size")


def core(case: Case) -> Call:
    """mlx.core.conv1d/2d/3d and conv_transpose1d/2d/3d: one pad per axis."""
    rank = case.rank
    if case.family == "conv":
        api = f"mlx.core.conv{rank}d"
        kwargs = dict(
            stride=_one(case.stride, rank),
            padding=_one(_pads(case, api), rank),
            dilation=_one(case.dilation, rank),
            groups=case.groups,
        )
        return Call(api, kwargs, forward_layout(case))
    api = f"mlx.core.conv_transpose{rank}d"
    _no_output_shape(case, api)
    kwargs = dict(
        stride=_one(case.stride, rank),
        padding=_one(_pads(case, api), rank),
        dilation=_one(case.dilation, rank),
        output_padding=_one(case.output_padding or (0,) * rank, rank),
        groups=case.groups,
    )
    return Call(api, kwargs, transposed_layout(case))


GENERAL = "mlx.core.conv_general"
GENERAL_TRANSPOSED = "mlx.core.conv_general(input_dilation, flip=True)"


def general(case: Case) -> Call:
    """mlx.core.conv_general with (low, high) pads per axis. A transposed case is the
    convolution of the stride-dilated input (input_dilation) with the flipped kernel, padded
    by d(k-1) - crop per side: how mlx/ops.cpp conv_transpose_general states it."""
    rank = case.rank
    if case.family == "conv":
        if case.padding.kind not in ("valid", "explicit"):
            raise NotExpressible(f"{GENERAL} takes pads, not {case.padding.kind!r}")
        pairs = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * rank
        kwargs = dict(
            stride=list(case.stride),
            padding=([low for low, _ in pairs], [high for _, high in pairs]),
            kernel_dilation=list(case.dilation),
            groups=case.groups,
        )
        return Call(GENERAL, kwargs, forward_layout(case))
    if case.padding.kind not in ("valid", "explicit"):
        raise NotExpressible(f"{GENERAL_TRANSPOSED} takes pads, not {case.padding.kind!r}")
    _no_output_shape(case, GENERAL_TRANSPOSED)
    extents = [effective_kernel(k, d) - 1 for k, d in zip(case.kernel, case.dilation, strict=True)]
    crops = crop_pairs(case)
    kwargs = dict(
        stride=[1] * rank,
        padding=(
            [e - low for e, (low, _) in zip(extents, crops, strict=True)],
            [e - high for e, (_, high) in zip(extents, crops, strict=True)],
        ),
        kernel_dilation=list(case.dilation),
        input_dilation=list(case.stride),
        groups=case.groups,
        flip=True,
    )
    return Call(GENERAL_TRANSPOSED, kwargs, transposed_layout(case))


def layer(case: Case) -> Call:
    """mlx.nn.Conv1d/2d/3d, ConvTranspose1d/2d/3d, MaxPool1d/2d/3d and AvgPool1d/2d/3d."""
    rank = case.rank
    if case.family == "pool":
        return _pool(case)
    transposed = case.family == "conv_transpose"
    api = f"mlx.nn.{'ConvTranspose' if transposed else 'Conv'}{rank}d"
    if case.groups > 1 and (transposed or rank == 3):
        raise NotExpressible(f"{api} takes no groups")
    kwargs: dict = dict(
        in_channels=case.in_channels,
        out_channels=case.out_channels,
        kernel_size=_one(case.kernel, rank),
        stride=_one(case.stride, rank),
        padding=_one(_pads(case, api), rank),
        dilation=_one(case.dilation, rank),
    )
    if transposed:
        _no_output_shape(case, api)
        kwargs["output_padding"] = _one(case.output_padding or (0,) * rank, rank)
    elif case.groups > 1:
        kwargs["groups"] = case.groups
    kwargs["bias"] = case.bias
    layout = transposed_layout(case) if transposed else forward_layout(case)
    return Call(api, kwargs, layout, layer=True)


def _pool(case: Case) -> Call:
    """MaxPool/AvgPool: the same pad on both sides, no dilation, no ceil_mode; an average
    divides by the whole window, padding included (mx.mean over the zero-padded window)."""
    kind = "Max" if case.op.startswith("max_") else "Avg"
    api = f"mlx.nn.{kind}Pool{case.rank}d"
    pads = _pads(case, api)
    if max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    if case.ceil_mode:
        raise NotExpressible(f"{api} has no ceil_mode")
    if kind == "Avg" and not case.count_include_pad and any(pads):
        raise NotExpressible(f"{api} counts the padding in every window's divisor")
    kwargs = dict(kernel_size=tuple(case.kernel), stride=tuple(case.stride), padding=tuple(pads))
    return Call(api, kwargs, None, layer=True)
