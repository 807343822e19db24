"""PyTorch's transposed convolution: torch.nn.functional.conv_transpose1d/2d/3d and
torch.nn.ConvTranspose1d/2d/3d.

The case's weight layout [C, O/groups, *kernel] is PyTorch's own and its explicit pads are
`padding` (one per axis), so nothing is converted; an output_shape goes to the module's
`output_size` (the functional form has none).
"""

from __future__ import annotations

import numpy as np

from adapters.torch._common import (
    layer_code,
    module_arguments,
    run_functional,
    run_layer,
    script_of_functional,
)
from harness.adapter_api import Call, Case, NotExpressible, Served, symmetric_pads

RANKS = (1, 2, 3)
FUNCTIONAL = {f"conv_transpose{r}d": f"torch.nn.functional.conv_transpose{r}d" for r in RANKS}
MODULE = {f"conv_transpose{r}d": f"torch.nn.ConvTranspose{r}d" for r in RANKS}


def _padding(case: Case, api: str) -> tuple[int, ...]:
    if case.padding.kind == "valid":
        return (0,) * case.rank
    if case.padding.kind != "explicit":
        raise NotExpressible(f"{api} takes pads, not {case.padding.kind!r}")
    return symmetric_pads(case, api)


def _arguments(case: Case, api: str) -> dict:
    return dict(
        stride=case.stride,
        padding=_padding(case, api),
        output_padding=case.output_padding or 0,
        groups=case.groups,
        dilation=case.dilation,
    )


def functional_call(case: Case) -> Call:
    api = FUNCTIONAL[case.op]
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes output_padding, not an output size")
    return Call(api, _arguments(case, api))


def module_call(case: Case) -> Call:
    """The module; its output_size (the case's output_shape) goes to the call on x."""
    api = MODULE[case.op]
    return Call(api, module_arguments(case, _arguments(case, api)))


def functional(case: Case, x, w, b, device: str) -> np.ndarray:
    return run_functional(case, functional_call(case), x, w, b, device)


def module(case: Case, x, w, b, device: str) -> np.ndarray:
    layer = module_call(case)
    return run_layer(case, layer, x, w, b, device, output_size=case.output_shape)


def functional_code(case: Case, env: dict[str, str]) -> str:
    return script_of_functional(case, env, functional_call(case))


def module_code(case: Case, env: dict[str, str]) -> str:
    return layer_code(case, env, module_call(case), output_size=case.output_shape)


FAMILY = "conv_transpose"  # the operator family this module serves
SERVED = {
    "torch.functional": Served(FUNCTIONAL, functional, functional_code),
    "torch.module": Served(MODULE, module, module_code),
}
