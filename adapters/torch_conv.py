"""PyTorch: torch.nn.functional.conv1d/2d/3d, torch.nn.Conv1d/2d/3d, and F.pad + conv for
pads per side; channels-first natively. The functional and module adapters serve the transposed
convolution too (adapters/torch_transpose.py), and all three serve the pooling operators
(adapters/torch_pool.py).

The variant's switches (mkldnn off, channels-last layout) live in adapters/torch_common.py.
"""

from __future__ import annotations

import numpy as np

from adapters import torch_pool, torch_transpose
from adapters.torch_common import head, laid_out, layout_code, torch_module
from harness.adapter_api import ConvApi, NotExpressible, by_family, code_by_family, symmetric_pads
from harness.case import Case

FRAMEWORK = "torch"
REQUIRES = "torch"

RANKS = (1, 2, 3)
FUNCTIONAL = {f"conv{r}d": f"torch.nn.functional.conv{r}d" for r in RANKS}
MODULE = {f"conv{r}d": f"torch.nn.Conv{r}d" for r in RANKS}
PADDED = {f"conv{r}d": f"torch.nn.functional.pad + torch.nn.functional.conv{r}d" for r in RANKS}


def _torch():
    return torch_module()


def version() -> str:
    return _torch().__version__


def devices() -> list[str]:
    import torch

    return ["cpu"] + [f"gpu:{i}" for i in range(torch.cuda.device_count())]


def _device(device: str):
    return "cpu" if device == "cpu" else "cuda:" + device.split(":")[1]


def _padding(case: Case, api: str):
    kind = case.padding.kind
    if kind in ("valid", "same"):
        return kind
    if kind == "same_lower":
        raise NotExpressible(f"{api} has no 'same_lower'")
    return symmetric_pads(case, api)


def _tensors(case: Case, x, w, b, device: str):
    import torch

    dtype = getattr(torch, case.dtype)
    dev = _device(device)
    as_tensor = lambda a: None if a is None else torch.tensor(a, dtype=dtype, device=dev)  # noqa: E731
    return (
        laid_out(torch, case.rank, as_tensor(x)),
        laid_out(torch, case.rank, as_tensor(w)),
        as_tensor(b),
    )


def _numpy(y) -> np.ndarray:
    import torch

    return y.detach().to("cpu", torch.float64).numpy()


def functional(case: Case, x, w, b, device: str) -> np.ndarray:
    torch = _torch()
    if case.family == "pool":
        return _numpy(torch_pool.functional(torch, case, _tensors(case, x, w, b, device)[0]))
    padding = _padding(case, FUNCTIONAL[case.op])
    tx, tw, tb = _tensors(case, x, w, b, device)
    conv = getattr(torch.nn.functional, case.op)
    y = conv(
        tx, tw, tb, stride=case.stride, padding=padding, dilation=case.dilation, groups=case.groups
    )
    return _numpy(y)


def _module_class(torch, case: Case):
    return getattr(torch.nn, MODULE[case.op].rsplit(".", 1)[1])


def module(case: Case, x, w, b, device: str) -> np.ndarray:
    torch = _torch()
    if case.family == "pool":
        with torch.no_grad():
            return _numpy(torch_pool.module(torch, case, _tensors(case, x, w, b, device)[0]))
    padding = _padding(case, MODULE[case.op])
    tx, tw, tb = _tensors(case, x, w, b, device)
    conv = _module_class(torch, case)(
        case.in_channels,
        case.out_channels,
        case.kernel,
        stride=case.stride,
        padding=padding,
        dilation=case.dilation,
        groups=case.groups,
        bias=case.bias,
        device=tx.device,
        dtype=tx.dtype,
    )
    with torch.no_grad():
        conv.weight.copy_(tw)
        if tb is not None and conv.bias is not None:
            conv.bias.copy_(tb)
        return _numpy(laid_out(torch, case.rank, conv)(tx))


def _explicit(case: Case) -> tuple[int, ...]:
    """F.pad's order: the last axis first, (low, high) each; words have no per-side meaning."""
    if case.padding.kind in ("same", "same_lower"):
        api = (PADDED | torch_pool.PADDED)[case.op]
        raise NotExpressible(f"{api} takes pads per side, not {case.padding.kind!r}")
    pairs = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * case.rank
    return tuple(p for pair in reversed(pairs) for p in pair)


def padded(case: Case, x, w, b, device: str) -> np.ndarray:
    """Any explicit pads, the way PyTorch users write asymmetric ones: F.pad, then padding=0."""
    torch = _torch()
    pads = _explicit(case)
    tx, tw, tb = _tensors(case, x, w, b, device)
    if case.family == "pool":
        return _numpy(torch_pool.padded(torch, case, tx, pads))
    conv = getattr(torch.nn.functional, case.op)
    y = conv(
        torch.nn.functional.pad(tx, pads),
        tw,
        tb,
        stride=case.stride,
        padding=0,
        dilation=case.dilation,
        groups=case.groups,
    )
    return _numpy(y)


def _code_head(case: Case, env: dict[str, str]) -> str:
    lines = [*head(env), f"dtype = torch.{case.dtype}", "tx = torch.tensor(x, dtype=dtype)"]
    if case.family != "pool":
        lines += [
            "tw = torch.tensor(w, dtype=dtype)",
            "tb = None if b is None else torch.tensor(b, dtype=dtype)",
        ]
    lines += layout_code(case.rank, env, "tx", *(() if case.family == "pool" else ("tw",)))
    return "\n".join(lines) + "\n"


def functional_code(case: Case, env: dict[str, str]) -> str:
    if case.family == "pool":
        return _code_head(case, env) + torch_pool.functional_code(case)
    padding = _padding(case, FUNCTIONAL[case.op])
    call = FUNCTIONAL[case.op]
    return _code_head(case, env) + (
        f"y = {call}(tx, tw, tb, stride={case.stride}, padding={padding!r},\n"
        f"    dilation={case.dilation}, groups={case.groups})\n"
        "y = y.to(torch.float64).numpy()\n"
    )


def module_code(case: Case, env: dict[str, str]) -> str:
    if case.family == "pool":
        return _code_head(case, env) + torch_pool.module_code(case)
    padding = _padding(case, MODULE[case.op])
    return _code_head(case, env) + (
        f"conv = {MODULE[case.op]}({case.in_channels}, {case.out_channels}, {case.kernel}, "
        f"stride={case.stride}, padding={padding!r},\n"
        f"    dilation={case.dilation}, groups={case.groups}, bias={case.bias}, dtype=dtype)\n"
        "with torch.no_grad():\n"
        "    conv.weight.copy_(tw)\n"
        "    if tb is not None:\n"
        "        conv.bias.copy_(tb)\n"
        + "".join(f"    {line}\n" for line in layout_code(case.rank, env, "conv"))
        + "    y = conv(tx).to(torch.float64).numpy()\n"
    )


def padded_code(case: Case, env: dict[str, str]) -> str:
    pads = _explicit(case)
    if case.family == "pool":
        return _code_head(case, env) + torch_pool.padded_code(case, pads)
    return _code_head(case, env) + (
        f"tx = torch.nn.functional.pad(tx, {pads})  # (low, high) per axis, the last axis first\n"
        f"y = {FUNCTIONAL[case.op]}(tx, tw, tb, stride={case.stride}, padding=0,\n"
        f"    dilation={case.dilation}, groups={case.groups})\n"
        "y = y.to(torch.float64).numpy()\n"
    )


APIS = [
    ConvApi(
        "torch.functional",
        {**FUNCTIONAL, **torch_transpose.FUNCTIONAL, **torch_pool.FUNCTIONAL},
        by_family(functional, conv_transpose=torch_transpose.functional),
        code_by_family(functional_code, conv_transpose=torch_transpose.functional_code),
    ),
    ConvApi(
        "torch.module",
        {**MODULE, **torch_transpose.MODULE, **torch_pool.MODULE},
        by_family(module, conv_transpose=torch_transpose.module),
        code_by_family(module_code, conv_transpose=torch_transpose.module_code),
    ),
    ConvApi("torch.padded", PADDED | torch_pool.PADDED, padded, padded_code),
]
