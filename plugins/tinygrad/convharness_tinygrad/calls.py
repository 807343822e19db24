"""Each tinygrad call the adapters make, as (callee, keyword arguments): one builder serves both
the run and the reproduction script, so the two never differ.

tinygrad's flat `padding` lists the LAST spatial axis first, each as (low, high): in 2-d
(left, right, top, bottom), in 3-d (W low, W high, H low, H high, D low, D high); the case's
pads list the first axis first. A padding word the call has no spelling for, and an output size
asked for (tinygrad's transposed convolution has no output_size), raise NotExpressible.
"""

from __future__ import annotations

from harness.adapter_api import NotExpressible
from harness.case import Case

METHODS = {"conv": "conv2d", "conv_transpose": "conv_transpose2d"}
TENSOR_APIS = {
    **{f"conv{r}d": "tinygrad.Tensor.conv2d" for r in (1, 2, 3)},
    **{f"conv_transpose{r}d": "tinygrad.Tensor.conv_transpose2d" for r in (1, 2, 3)},
    **{f"max_pool{r}d": "tinygrad.Tensor.max_pool2d" for r in (1, 2, 3)},
    **{f"avg_pool{r}d": "tinygrad.Tensor.avg_pool2d" for r in (1, 2, 3)},
}
# nn has Conv1d and ConvTranspose1d; its Conv2d and ConvTranspose2d take any kernel rank
LAYERS = {
    ("conv", 1): "Conv1d",
    ("conv", 2): "Conv2d",
    ("conv", 3): "Conv2d",
    ("conv_transpose", 1): "ConvTranspose1d",
    ("conv_transpose", 2): "ConvTranspose2d",
    ("conv_transpose", 3): "ConvTranspose2d",
}
LAYER_APIS = {f"{family}{rank}d": f"tinygrad.nn.{name}" for (family, rank), name in LAYERS.items()}
PRELUDE = (
    "from tinygrad import Tensor, dtypes, nn\n"
    "def t(values):\n"
    "    return Tensor(np.ascontiguousarray(values, 'float64'), dtype=dtypes.{dtype})\n"
)


def flat_pads(case: Case) -> tuple[int, ...]:
    """The case's explicit pads in tinygrad's order: the last axis first, (low, high) each."""
    return tuple(p for low, high in reversed(case.padding.pairs()) for p in (low, high))


def _padding(case: Case, api: str) -> int | tuple[int, ...]:
    if case.padding.kind == "valid":
        return 0
    if case.padding.kind == "explicit":
        return flat_pads(case)
    raise NotExpressible(f"{api} takes explicit pads (tinygrad's order), not {case.padding.kind!r}")


def _transposed(case: Case, api: str) -> dict:
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes no output size, only output_padding")
    return {"output_padding": case.output_padding} if case.output_padding else {}


def tensor_call(case: Case) -> tuple[str, dict]:
    """The Tensor method and its keyword arguments (weight and bias are positional)."""
    api = TENSOR_APIS[case.op]
    found: dict = dict(stride=case.stride, dilation=case.dilation, padding=_padding(case, api))
    if case.family == "pool":
        kind = case.op.split("_", 1)[0]
        found = dict(kernel_size=case.kernel, **found, ceil_mode=case.ceil_mode)
        if kind == "avg":
            found["count_include_pad"] = case.count_include_pad
        return f"{kind}_pool2d", found
    found["groups"] = case.groups
    if case.family == "conv_transpose":
        found.update(_transposed(case, api))
    return METHODS[case.family], found


def _scalar(values: tuple[int, ...]) -> int | tuple[int, ...]:
    """One int where every axis agrees, as the layers' own examples write it (nn.Conv2d's
    padding='same' refuses any tuple stride, (1, 1) too), else the tuple."""
    return values[0] if len(set(values)) == 1 else values


def layer_call(case: Case) -> tuple[str, dict]:
    """The nn layer and its constructor's keyword arguments (weight and bias are set after)."""
    name = LAYERS[case.family, case.rank]
    api = f"tinygrad.nn.{name}"
    if case.padding.kind == "same":  # ConvTranspose2d takes it too: it is a Conv2d
        padding: int | str | tuple[int, ...] = "same"
    else:
        padding = _padding(case, api)
    found: dict = dict(
        in_channels=case.in_channels,
        out_channels=case.out_channels,
        kernel_size=case.kernel[0] if case.rank == 1 else case.kernel,
        stride=_scalar(case.stride),
        padding=padding,
        dilation=_scalar(case.dilation),
        groups=case.groups,
        bias=case.bias,
    )
    if case.family == "conv_transpose":
        found.update(_transposed(case, api))
    return name, found
