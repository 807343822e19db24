"""PyTorch's transposed convolution: torch.nn.functional.conv_transpose1d/2d/3d and
torch.nn.ConvTranspose1d/2d/3d, served by the torch.functional and torch.module adapters.

The case's weight layout [C, O/groups, *kernel] is PyTorch's own and its explicit pads are
`padding` (one per axis), so nothing is converted; an output_shape goes to the module's
`output_size` (the functional form has none).
"""

from __future__ import annotations

import numpy as np

from adapters.torch_common import head, laid_out, layout_code, torch_module
from harness.adapter_api import NotExpressible, symmetric_pads
from harness.case import Case

RANKS = (1, 2, 3)
FUNCTIONAL = {f"conv_transpose{r}d": f"torch.nn.functional.conv_transpose{r}d" for r in RANKS}
MODULE = {f"conv_transpose{r}d": f"torch.nn.ConvTranspose{r}d" for r in RANKS}


def _torch():
    return torch_module()


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


def _tensors(case: Case, x, w, b, device: str):
    torch = _torch()
    dtype = getattr(torch, case.dtype)
    dev = "cpu" if device == "cpu" else "cuda:" + device.split(":")[1]
    as_tensor = lambda a: None if a is None else torch.tensor(a, dtype=dtype, device=dev)  # noqa: E731
    x, w = (laid_out(torch, case.rank, as_tensor(a)) for a in (x, w))
    return x, w, as_tensor(b)


def _numpy(y) -> np.ndarray:
    import torch

    return y.detach().to("cpu", torch.float64).numpy()


def functional(case: Case, x, w, b, device: str) -> np.ndarray:
    api = FUNCTIONAL[case.op]
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes output_padding, not an output size")
    arguments = _arguments(case, api)
    torch = _torch()
    tx, tw, tb = _tensors(case, x, w, b, device)
    return _numpy(getattr(torch.nn.functional, case.op)(tx, tw, tb, **arguments))


def module(case: Case, x, w, b, device: str) -> np.ndarray:
    api = MODULE[case.op]
    arguments = _arguments(case, api)
    torch = _torch()
    tx, tw, tb = _tensors(case, x, w, b, device)
    layer = getattr(torch.nn, api.rsplit(".", 1)[1])(
        case.in_channels,
        case.out_channels,
        case.kernel,
        bias=case.bias,
        device=tx.device,
        dtype=tx.dtype,
        **arguments,
    )
    with torch.no_grad():
        layer.weight.copy_(tw)
        if tb is not None:
            layer.bias.copy_(tb)
        layer = laid_out(torch, case.rank, layer)
        return _numpy(layer(tx, output_size=case.output_shape))


def _head(case: Case, env: dict[str, str]) -> str:
    lines = head(env)
    lines += [
        f"dtype = torch.{case.dtype}",
        "tx, tw = torch.tensor(x, dtype=dtype), torch.tensor(w, dtype=dtype)  # w: [C, O/g, *k]",
        "tb = None if b is None else torch.tensor(b, dtype=dtype)",
        *layout_code(case.rank, env, "tx", "tw"),
    ]
    return "\n".join(lines) + "\n"


def _spelled(case: Case, api: str) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in _arguments(case, api).items())


def functional_code(case: Case, env: dict[str, str]) -> str:
    api = FUNCTIONAL[case.op]
    if case.output_shape is not None:
        raise NotExpressible(f"{api} takes output_padding, not an output size")
    return _head(case, env) + (
        f"y = {api}(tx, tw, tb, {_spelled(case, api)})\ny = y.to(torch.float64).numpy()\n"
    )


def module_code(case: Case, env: dict[str, str]) -> str:
    api = MODULE[case.op]
    return _head(case, env) + (
        f"layer = {api}({case.in_channels}, {case.out_channels}, {case.kernel}, "
        f"{_spelled(case, api)}, bias={case.bias}, dtype=dtype)\n"
        "with torch.no_grad():\n"
        "    layer.weight.copy_(tw)\n"
        "    if tb is not None:\n"
        "        layer.bias.copy_(tb)\n"
        + "".join(f"    {line}\n" for line in layout_code(case.rank, env, "layer"))
        + f"    y = layer(tx, output_size={case.output_shape!r}).to(torch.float64).numpy()\n"
    )
