"""The one argument builder of every MindSpore call the adapters make: which API, which tensors
it takes and which keyword arguments, as plain Python values.

The adapters' run and their reproduction scripts both read a `Call`, so a case is stated once.
Functional calls (`mindspore.ops`) take their tensors positionally; layers (`mindspore.nn`) are
built from the keywords, given the case's weight and bias, and called on the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.adapter_api import NotExpressible
from harness.case import Case

RANKS = (1, 2, 3)
FUNCTIONAL = {f"conv{r}d": f"mindspore.ops.conv{r}d" for r in RANKS}
FUNCTIONAL["conv_transpose3d"] = "mindspore.ops.conv3d_transpose"
FUNCTIONAL.update(
    {"max_pool2d": "mindspore.ops.max_pool2d", "max_pool3d": "mindspore.ops.max_pool3d"}
)
FUNCTIONAL.update({f"avg_pool{r}d": f"mindspore.ops.avg_pool{r}d" for r in RANKS})
LAYER = {f"conv{r}d": f"mindspore.nn.Conv{r}d" for r in RANKS}
LAYER.update({f"conv_transpose{r}d": f"mindspore.nn.Conv{r}dTranspose" for r in RANKS})
LAYER.update({f"max_pool{r}d": f"mindspore.nn.MaxPool{r}d" for r in RANKS})
LAYER.update({f"avg_pool{r}d": f"mindspore.nn.AvgPool{r}d" for r in RANKS})
PAD_MODES = {"valid": "valid", "same": "same"}  # MindSpore has no 'same' with the odd pixel first


@dataclass(frozen=True)
class Call:
    api: str  # the dotted name: a function (mindspore.ops) or a layer class (mindspore.nn)
    inputs: tuple[str, ...]  # the tensors a function takes positionally: x, w, b
    kwargs: dict = field(default_factory=dict)
    bias_after: bool = False  # mindspore.ops.conv3d_transpose has no bias: bias_add follows
    layer: bool = False  # api is a Cell: built from kwargs, given w and b, called on x


def _per_axis(case: Case, api: str) -> tuple[int, ...]:
    per_axis = case.padding.symmetric()
    if per_axis is None:
        raise NotExpressible(f"{api} takes one pad per axis, not {case.padding}")
    return per_axis


def _word(case: Case, api: str) -> str:
    if case.padding.kind == "same_lower":
        raise NotExpressible(f"{api} has no 'same' with the odd pixel first (pad_mode 'same' only)")
    return PAD_MODES.get(case.padding.kind, "pad")


def _conv_padding(case: Case, api: str, pairs: bool) -> dict:
    """pad_mode and padding: a word, or 'pad' with one pad per axis or every (low, high)."""
    mode = _word(case, api)
    if mode != "pad":
        return {"pad_mode": mode}
    if pairs:
        return {"pad_mode": "pad", "padding": tuple(case.padding.pads)}
    per_axis = _per_axis(case, api)
    return {"pad_mode": "pad", "padding": per_axis[0] if case.rank == 1 else per_axis}


def _scalar_if_1d(case: Case, values: tuple[int, ...]):
    return values[0] if case.rank == 1 else values


def _transposed_extras(case: Case, api: str, output_padding: bool) -> dict:
    if case.output_shape is not None:
        raise NotExpressible(f"{api} computes its output size; it takes no output_shape")
    if case.output_padding and case.padding.kind != "explicit":
        # Keras's meaning of an output_padding beside a word (even 0) changes the size rule;
        # MindSpore's output_padding defaults to 0 and needs pad_mode='pad' otherwise
        raise NotExpressible(f"{api} takes output_padding with pad_mode='pad' only")
    if not any(case.output_padding):
        return {}
    if not output_padding:
        raise NotExpressible(f"{api} takes no output_padding")
    return {"output_padding": tuple(case.output_padding)}


def functional(case: Case) -> Call:
    """A mindspore.ops call: conv1d/2d/3d, conv3d_transpose, max_pool2d/3d, avg_pool1d/2d/3d."""
    api = FUNCTIONAL[case.op]
    if case.family == "pool":
        return Call(api, ("x",), _functional_pool(case, api))
    if case.family == "conv_transpose":
        kwargs = _conv_padding(case, api, pairs=True)
        kwargs |= dict(stride=case.stride, dilation=case.dilation, group=case.groups)
        kwargs |= _transposed_extras(case, api, output_padding=True)
        return Call(api, ("x", "w"), kwargs, bias_after=case.bias)
    kwargs = _conv_padding(case, api, pairs=False)
    kwargs |= dict(stride=case.stride, dilation=case.dilation, groups=case.groups)
    return Call(api, ("x", "w", "b"), kwargs)


def _functional_pool(case: Case, api: str) -> dict:
    if case.padding.kind not in ("valid", "explicit"):
        raise NotExpressible(f"{api} takes pads, not {case.padding.kind!r}")
    explicit = case.padding.kind == "explicit"
    kwargs: dict = dict(
        kernel_size=_scalar_if_1d(case, case.kernel), stride=_scalar_if_1d(case, case.stride)
    )
    if case.op.startswith("avg_"):
        if max(case.dilation) > 1:
            raise NotExpressible(f"{api} takes no dilation")
        if case.rank == 1:  # avg_pool1d: one pad for both sides
            kwargs["padding"] = _per_axis(case, api)[0] if explicit else 0
        else:  # avg_pool2d/3d: (low, high) per axis, as the case states them
            kwargs["padding"] = tuple(case.padding.pads) if explicit else 0
        kwargs["count_include_pad"] = case.count_include_pad
    else:
        kwargs["padding"] = _per_axis(case, api) if explicit else 0
        kwargs["dilation"] = case.dilation
    kwargs["ceil_mode"] = case.ceil_mode
    return kwargs


def layer(case: Case) -> Call:
    """A mindspore.nn layer: Conv1d/2d/3d, Conv1d/2d/3dTranspose, MaxPool1d/2d/3d, AvgPool1d/2d/3d
    (Cells, built from the keywords)."""
    api = LAYER[case.op]
    if case.family == "pool":
        return Call(api, ("x",), _layer_pool(case, api), layer=True)
    kwargs: dict = dict(
        in_channels=case.in_channels,
        out_channels=case.out_channels,
        kernel_size=_scalar_if_1d(case, case.kernel),
        stride=_scalar_if_1d(case, case.stride),
    )
    # Conv1d and Conv1dTranspose take one int pad; 2-d and 3-d layers every (low, high)
    kwargs |= _conv_padding(case, api, pairs=case.rank > 1)
    kwargs |= dict(dilation=_scalar_if_1d(case, case.dilation), group=case.groups)
    if case.family == "conv_transpose":
        kwargs |= _transposed_extras(case, api, output_padding=case.rank > 1)
    kwargs |= dict(has_bias=case.bias, weight_init="zeros")
    if case.bias:
        kwargs["bias_init"] = "zeros"
    return Call(api, ("x",), kwargs, layer=True)


def _layer_pool(case: Case, api: str) -> dict:
    """A pooling layer: 'valid'/'same' as pad_mode, explicit pads as pad_mode='pad' (one pad per
    axis). Only what the case sets beyond MindSpore's defaults is passed for max pooling, whose
    word modes refuse any dilation, padding or ceil_mode argument other than the default."""
    kwargs: dict = dict(kernel_size=_scalar_if_1d(case, case.kernel))
    kwargs["stride"] = _scalar_if_1d(case, case.stride)
    mode = _word(case, api)
    kwargs["pad_mode"] = mode
    if mode == "pad":
        kwargs["padding"] = _scalar_if_1d(case, _per_axis(case, api))
    if case.op.startswith("avg_"):
        if max(case.dilation) > 1:
            raise NotExpressible(f"{api} takes no dilation")
        kwargs["count_include_pad"] = case.count_include_pad
    elif max(case.dilation) > 1:
        kwargs["dilation"] = _scalar_if_1d(case, case.dilation)
    if case.ceil_mode:
        kwargs["ceil_mode"] = True
    return kwargs
