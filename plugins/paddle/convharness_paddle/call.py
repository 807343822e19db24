"""The one argument builder of every PaddlePaddle call: what the run makes and the repro writes.

`build(case, form, env)` gives the call's dotted name and keyword arguments for the functional
form (`paddle.nn.functional.conv2d`, ...) or the layer form (`paddle.nn.Conv2D`, ...: its
constructor's arguments, and those of its forward call). Nothing here imports paddle.

Padding: 'valid' and 'same' are Paddle's 'VALID' and 'SAME'; explicit pads go as one flat list,
(before, after) per spatial axis (`[pad_top, pad_bottom, pad_left, pad_right]` in 2-d), the
spelling every Paddle convolution, transposed convolution and pooling takes. Paddle has no
'SAME_LOWER', and its pooling no dilation: such cases are NotExpressible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.adapter_api import NotExpressible
from harness.case import Case

CHANNELS_LAST = "CONVHARNESS_PADDLE_CHANNELS_LAST"
RANKS = (1, 2, 3)
FORMATS = {  # rank -> (channels first, channels last)
    1: ("NCL", "NLC"),
    2: ("NCHW", "NHWC"),
    3: ("NCDHW", "NDHWC"),
}
POOLS = (("max", "Max"), ("avg", "Avg"))  # (functional, layer) spellings
FUNCTIONAL = {
    **{f"conv{r}d": f"paddle.nn.functional.conv{r}d" for r in RANKS},
    **{f"conv_transpose{r}d": f"paddle.nn.functional.conv{r}d_transpose" for r in RANKS},
    **{f"{k}_pool{r}d": f"paddle.nn.functional.{k}_pool{r}d" for k, _ in POOLS for r in RANKS},
}
LAYER = {
    **{f"conv{r}d": f"paddle.nn.Conv{r}D" for r in RANKS},
    **{f"conv_transpose{r}d": f"paddle.nn.Conv{r}DTranspose" for r in RANKS},
    **{f"{k}_pool{r}d": f"paddle.nn.{n}Pool{r}D" for k, n in POOLS for r in RANKS},
}
FORMS = {"functional": FUNCTIONAL, "layer": LAYER}


@dataclass(frozen=True)
class Call:
    """One Paddle call: `name(x[, weight, bias], **kwargs)`, or for a layer
    `name(**kwargs)(x, **forward)` after its weight and bias are set."""

    name: str
    kwargs: dict = field(hash=False)
    forward: dict = field(default_factory=dict, hash=False)
    channels_last: bool = False


def channels_last(env) -> bool:
    return env.get(CHANNELS_LAST) == "1"


def padding(case: Case, api: str) -> str | list[int]:
    """Paddle's spelling of the case's padding."""
    kind = case.padding.kind
    if kind == "same_lower":
        raise NotExpressible(f"{api} has 'SAME' and 'VALID', no 'SAME_LOWER'")
    if kind != "explicit":
        return kind.upper()
    return list(case.padding.pads)


def _data_format(case: Case, api: str, last: bool) -> dict:
    """data_format, where the call takes one (max_pool1d and avg_pool1d take none: NCL only)."""
    if case.family == "pool" and case.rank == 1:
        if last:
            raise NotExpressible(f"{api} takes no data_format: channels first only")
        return {}
    return {"data_format": FORMATS[case.rank][last]}


def _conv(case: Case, form: str) -> tuple[dict, dict]:
    kwargs = dict(stride=list(case.stride), padding=padding(case, FORMS[form][case.op]))
    kwargs.update(dilation=list(case.dilation), groups=case.groups)
    if form == "layer":
        head = dict(in_channels=case.in_channels, out_channels=case.out_channels)
        kwargs = head | dict(kernel_size=list(case.kernel)) | kwargs
        kwargs["bias_attr"] = None if case.bias else False
    return kwargs, {}


def _transposed(case: Case, form: str) -> tuple[dict, dict]:
    kwargs, _ = _conv(case, form)
    kwargs["output_padding"] = list(case.output_padding) if case.output_padding else 0
    size = {"output_size": list(case.output_shape)} if case.output_shape is not None else {}
    if form == "functional":
        return kwargs | size, {}
    return kwargs, size


def _pool(case: Case, form: str) -> tuple[dict, dict]:
    api = FORMS[form][case.op]
    if max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    kwargs: dict = dict(
        kernel_size=list(case.kernel),
        stride=list(case.stride),
        padding=padding(case, api),
        ceil_mode=case.ceil_mode,
    )
    if case.op.startswith("avg_"):
        kwargs["exclusive"] = not case.count_include_pad  # Paddle's word: padding not counted
    return kwargs, {}


BUILDERS = {"conv": _conv, "conv_transpose": _transposed, "pool": _pool}


def build(case: Case, form: str, env) -> Call:
    """The call of `form` (functional or layer) for the case, in the variant's layout."""
    name = FORMS[form][case.op]
    last = channels_last(env)
    kwargs, forward = BUILDERS[case.family](case, form)
    return Call(name, kwargs | _data_format(case, name, last), forward, last)
