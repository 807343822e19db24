"""PyTorch pooling: torch.nn.functional.max_pool1d/2d/3d and avg_pool1d/2d/3d, and the
torch.nn.MaxPool1d/2d/3d and AvgPool1d/2d/3d modules; channels-first natively. Imported by
adapters/torch_conv.py, whose adapters serve these operators too."""

from __future__ import annotations

from harness.adapter_api import NotExpressible, symmetric_pads
from harness.case import Case

RANKS = (1, 2, 3)
FUNCTIONAL = {
    f"{kind}_pool{r}d": f"torch.nn.functional.{kind}_pool{r}d"
    for kind in ("max", "avg")
    for r in RANKS
}
MODULE = {
    f"{kind}_pool{r}d": f"torch.nn.{name}Pool{r}d"
    for kind, name in (("max", "Max"), ("avg", "Avg"))
    for r in RANKS
}


def _arguments(case: Case, api: str) -> dict:
    """The keyword arguments both spellings take: pads are one int per axis."""
    if case.padding.kind in ("same", "same_lower"):
        raise NotExpressible(f"{api} takes pads as ints, not {case.padding.kind!r}")
    padding = symmetric_pads(case, api) if case.padding.kind == "explicit" else 0
    arguments: dict = dict(
        kernel_size=case.kernel, stride=case.stride, padding=padding, ceil_mode=case.ceil_mode
    )
    if case.op.startswith("max_"):
        arguments["dilation"] = case.dilation
    elif max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    else:
        arguments["count_include_pad"] = case.count_include_pad
    return arguments


def functional(torch, case: Case, tx):
    """The functional call on a channels-first tensor."""
    arguments = _arguments(case, FUNCTIONAL[case.op])
    return getattr(torch.nn.functional, case.op)(tx, **arguments)


def module(torch, case: Case, tx):
    """The nn module's call on a channels-first tensor."""
    arguments = _arguments(case, MODULE[case.op])
    return getattr(torch.nn, MODULE[case.op].rsplit(".", 1)[1])(**arguments)(tx)


def functional_code(case: Case) -> str:
    arguments = _arguments(case, FUNCTIONAL[case.op])
    call = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return f"y = {FUNCTIONAL[case.op]}(tx, {call})\ny = y.to(torch.float64).numpy()\n"


def module_code(case: Case) -> str:
    arguments = _arguments(case, MODULE[case.op])
    call = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return f"y = {MODULE[case.op]}({call})(tx)\ny = y.to(torch.float64).numpy()\n"
