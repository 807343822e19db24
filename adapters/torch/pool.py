"""PyTorch pooling: torch.nn.functional.max_pool1d/2d/3d and avg_pool1d/2d/3d, the
torch.nn.MaxPool1d/2d/3d and AvgPool1d/2d/3d modules, and F.pad + the functional call for pads
per side; channels-first natively. Each call is built once, for the run and the script alike."""

from __future__ import annotations

import numpy as np

from adapters.torch._common import (
    TO_NUMPY,
    explicit,
    head,
    numpy,
    run_functional,
    script_of_functional,
    tensors,
    torch_module,
)
from harness.adapter_api import Call, Case, NotExpressible, Served, symmetric_pads

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
PADDED = {op: f"torch.nn.functional.pad + {call}" for op, call in FUNCTIONAL.items()}


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


def functional_call(case: Case) -> Call:
    return Call(FUNCTIONAL[case.op], _arguments(case, FUNCTIONAL[case.op]))


def module_call(case: Case) -> Call:
    """The module, applied to x as built."""
    return Call(MODULE[case.op], _arguments(case, MODULE[case.op]))


def padded_calls(case: Case) -> tuple[Call, Call]:
    """Pads per side the way PyTorch users port them: F.pad (with -inf for a max), then a pool
    with padding 0; an average that leaves the padding out divides by the same calls on ones
    (_divides)."""
    api = PADDED[case.op]
    pads = explicit(case, api)
    if case.ceil_mode:
        raise NotExpressible(f"{api} states the pads in full, with no ceil_mode")
    window = dict(kernel_size=case.kernel, stride=case.stride, padding=0)
    if case.op.startswith("max_"):
        pad = Call("torch.nn.functional.pad", dict(pad=pads, value=-float("inf")))
        return pad, Call(FUNCTIONAL[case.op], window | dict(dilation=case.dilation))
    if max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    return Call("torch.nn.functional.pad", dict(pad=pads)), Call(FUNCTIONAL[case.op], window)


def _divides(case: Case) -> bool:
    """Whether the padded average divides by its count of input elements (the padding left out)."""
    return case.op.startswith("avg_") and not case.count_include_pad


def functional(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_functional(case, functional_call(case), x, w, b, device)


def module(case: Case, x, w, b, device: str) -> np.ndarray:
    call = module_call(case)
    torch = torch_module()
    with torch.no_grad():
        return numpy(call(torch)(tensors(case, x, w, b, device)[0]))


def padded(case: Case, x, w, b, device: str) -> np.ndarray:
    pad, pool = padded_calls(case)
    torch = torch_module()
    tx = tensors(case, x, w, b, device)[0]
    y = pool(torch, pad(torch, tx))
    return numpy(y / pool(torch, pad(torch, torch.ones_like(tx))) if _divides(case) else y)


def functional_code(case: Case, env: dict[str, str]) -> str:
    return script_of_functional(case, env, functional_call(case))


def module_code(case: Case, env: dict[str, str]) -> str:
    call = module_call(case)
    return head(case, env, weights=False) + f"y = {call.source()}(tx)\n" + TO_NUMPY


def padded_code(case: Case, env: dict[str, str]) -> str:
    pad, pool = padded_calls(case)
    divide = (
        f"y = y / {pool.source(pad.source('torch.ones_like(tx)'))}  # input elements per window\n"
        if _divides(case)
        else ""
    )
    return head(case, env, weights=False) + (
        f"y = {pool.source(pad.source('tx'))}  # pads: (low, high) per axis, the last axis first\n"
        + divide
        + TO_NUMPY
    )


FAMILY = "pool"  # the operator family this module serves
SERVED = {
    "torch.functional": Served(FUNCTIONAL, functional, functional_code),
    "torch.module": Served(MODULE, module, module_code),
    "torch.padded": Served(PADDED, padded, padded_code),
}
