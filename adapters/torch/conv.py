"""PyTorch's convolution: torch.nn.functional.conv1d/2d/3d, torch.nn.Conv1d/2d/3d, and F.pad +
the functional call for pads per side; channels-first natively. Each call is built once
(`functional_call`, `module_call`, `padded_calls`), for the run and for the script alike."""

from __future__ import annotations

import numpy as np

from adapters.torch._common import (
    TO_NUMPY,
    explicit,
    head,
    layer_code,
    module_arguments,
    numpy,
    run_functional,
    run_layer,
    script_of_functional,
    tensors,
    torch_module,
)
from harness.adapter_api import Call, Case, NotExpressible, Served, symmetric_pads

RANKS = (1, 2, 3)
FUNCTIONAL = {f"conv{r}d": f"torch.nn.functional.conv{r}d" for r in RANKS}
MODULE = {f"conv{r}d": f"torch.nn.Conv{r}d" for r in RANKS}
PADDED = {f"conv{r}d": f"torch.nn.functional.pad + torch.nn.functional.conv{r}d" for r in RANKS}


def _padding(case: Case, api: str):
    kind = case.padding.kind
    if kind in ("valid", "same"):
        return kind
    if kind == "same_lower":
        raise NotExpressible(f"{api} has no 'same_lower'")
    return symmetric_pads(case, api)


def _steps(case: Case, padding) -> dict:
    return dict(stride=case.stride, padding=padding, dilation=case.dilation, groups=case.groups)


def functional_call(case: Case) -> Call:
    api = FUNCTIONAL[case.op]
    return Call(api, _steps(case, _padding(case, api)))


def module_call(case: Case) -> Call:
    api = MODULE[case.op]
    return Call(api, module_arguments(case, _steps(case, _padding(case, api))))


def padded_calls(case: Case) -> tuple[Call, Call]:
    """F.pad with the pads per side (the last axis first), then the call with padding 0: any
    explicit pads, the way PyTorch users write asymmetric ones."""
    pad = Call("torch.nn.functional.pad", dict(pad=explicit(case, PADDED[case.op])))
    return pad, Call(FUNCTIONAL[case.op], _steps(case, 0))


def functional(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_functional(case, functional_call(case), x, w, b, device)


def module(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_layer(case, module_call(case), x, w, b, device)


def padded(case: Case, x, w, b, device: str) -> np.ndarray:
    pad, conv = padded_calls(case)
    torch = torch_module()
    tx, tw, tb = tensors(case, x, w, b, device)
    return numpy(conv(torch, pad(torch, tx), tw, tb))


def functional_code(case: Case, env: dict[str, str]) -> str:
    return script_of_functional(case, env, functional_call(case))


def module_code(case: Case, env: dict[str, str]) -> str:
    return layer_code(case, env, module_call(case))


def padded_code(case: Case, env: dict[str, str]) -> str:
    pad, conv = padded_calls(case)
    return head(case, env) + (
        f"tx = {pad.source('tx')}  # (low, high) per axis, the last axis first\n"
        f"y = {conv.source('tx', 'tw', 'tb')}\n" + TO_NUMPY
    )


FAMILY = "conv"  # the operator family this module serves
SERVED = {
    "torch.functional": Served(FUNCTIONAL, functional, functional_code),
    "torch.module": Served(MODULE, module, module_code),
    "torch.padded": Served(PADDED, padded, padded_code),
}
