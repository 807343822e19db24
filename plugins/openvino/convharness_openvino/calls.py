"""The arguments of each OpenVINO operation a case becomes: one builder that serves both the run
and the reproduction script. Plain Python values only; nothing here imports openvino.

Convolution and GroupConvolution (groups > 1), ConvolutionBackpropData and
GroupConvolutionBackpropData, MaxPool and AvgPool, from `openvino.opset16` (the newest opset
module that holds every one of them). A padding word is `auto_pad` (valid, same_upper,
same_lower); explicit pads are `pads_begin`/`pads_end` with `auto_pad="explicit"`. A transposed
case's explicit pads are crops of the full output, which is what the backprop ops' pads are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.adapter_api import NotExpressible
from harness.case import Case, full_size

OPSET = "opset16"
AUTO_PAD = {"valid": "valid", "same": "same_upper", "same_lower": "same_lower"}
FORMS = ("attributes", "output_shape")  # how a transposed case states its output size


@dataclass(frozen=True)
class Call:
    """One operation: `openvino.<OPSET>.<function>(x, [w,] **arguments)`, the weight reshaped
    to `weight_shape` (the grouped ops' [G, ...] layout), then `+ b` where the case has a bias.
    `output_shape`, where given, is the backprop ops' third input (an i64 constant)."""

    function: str
    arguments: dict = field(hash=False)
    weight_shape: tuple[int, ...] | None = None
    output_shape: tuple[int, ...] | None = None


def _pads(case: Case) -> dict:
    if case.padding.kind == "explicit":
        pairs = case.padding.pairs()
        return dict(
            pads_begin=[low for low, _ in pairs],
            pads_end=[high for _, high in pairs],
            auto_pad="explicit",
        )
    return dict(
        pads_begin=[0] * case.rank, pads_end=[0] * case.rank, auto_pad=AUTO_PAD[case.padding.kind]
    )


def _grouped(case: Case) -> tuple[int, ...] | None:
    """[G, O/G, C/G, *k] (GroupConvolution) or [G, C/G, O/G, *k] (the backprop op) from the
    case's [O, C/G, *k] or [C, O/G, *k]; None for one group."""
    if case.groups == 1:
        return None
    first, second, *kernel = case.weight_shape
    return (case.groups, first // case.groups, second, *kernel)


def conv(case: Case) -> Call:
    arguments = dict(strides=list(case.stride), dilations=list(case.dilation), **_pads(case))
    name = "group_convolution" if case.groups > 1 else "convolution"
    return Call(name, arguments, _grouped(case))


def pool(case: Case) -> Call:
    # dilations always stated: opset16.avg_pool without them builds a node that kills the
    # process in compile_model (SIGSEGV, measured on openvino 2026.4.1)
    arguments = dict(
        strides=list(case.stride),
        dilations=list(case.dilation),
        kernel_shape=list(case.kernel),
        rounding_type="ceil_torch" if case.ceil_mode else "floor",
        **_pads(case),
    )
    if case.op.startswith("avg_"):
        return Call("avg_pool", dict(arguments, exclude_pad=not case.count_include_pad))
    return Call("max_pool", arguments)


def _stated_shape(case: Case) -> tuple[tuple[int, ...], str]:
    """The output size and auto_pad that state a transposed case through output_shape alone.

    Per the spec, the crop total t = full + output_padding - output_shape goes t // 2 first,
    except under same_upper (t - t // 2 first); the CPU plugin keeps an explicit pads_begin
    instead (apply_padding). The pads are stated too, so both readings agree: an explicit crop
    is stated only where its low side is what one auto_pad gives on every axis."""
    given = case.output_padding or (0,) * case.rank
    fulls = [
        full_size(i, k, s, d)
        for i, k, s, d in zip(case.spatial, case.kernel, case.stride, case.dilation, strict=True)
    ]
    if case.padding.kind != "explicit":  # the words mean the full output here (no crop)
        return tuple(f + g for f, g in zip(fulls, given, strict=True)), AUTO_PAD[case.padding.kind]
    pairs = case.padding.pairs()
    totals = [low + high for low, high in pairs]
    sizes = tuple(f + g - t for f, g, t in zip(fulls, given, totals, strict=True))
    lows = [low for low, _ in pairs]
    if all(low == t // 2 for low, t in zip(lows, totals, strict=True)):
        return sizes, "explicit"
    if all(t >= 0 and low == t - t // 2 for low, t in zip(lows, totals, strict=True)):
        return sizes, "same_upper"
    raise NotExpressible(
        f"output_shape splits a crop t as (t // 2, ...) or, same_upper, (t - t // 2, ...): "
        f"not {pairs}"
    )


def conv_transpose(case: Case, form: str = "attributes") -> Call:
    """ConvolutionBackpropData or its grouped sibling. `attributes`: pads, auto_pad and
    output_padding as the case gives them, output_shape only where the case asks for a size;
    `output_shape`: the size always stated as the third input (_stated_shape)."""
    arguments = dict(strides=list(case.stride), dilations=list(case.dilation), **_pads(case))
    if case.output_padding:
        arguments["output_padding"] = list(case.output_padding)
    shape = case.output_shape
    if form == "output_shape" and shape is None:
        shape, arguments["auto_pad"] = _stated_shape(case)
    name = "group_convolution_backprop_data" if case.groups > 1 else "convolution_backprop_data"
    return Call(name, arguments, _grouped(case), None if shape is None else tuple(shape))


def call(case: Case, form: str = "attributes") -> Call:
    if case.family == "pool":
        return pool(case)
    if case.family == "conv_transpose":
        return conv_transpose(case, form)
    return conv(case)
