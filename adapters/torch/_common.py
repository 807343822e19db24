"""What the PyTorch family modules share: torch with the variant's switches applied, the memory
layout its tensors and modules take, the case's arrays as tensors, a layer run with the case's
weights, and the reproduction script's first and last lines.

CONVHARNESS_TORCH_MKLDNN=0 switches off the mkldnn (oneDNN) CPU kernels for the worker.
CONVHARNESS_TORCH_CHANNELS_LAST=1 lays inputs, weights and modules out channels-last
(torch.channels_last in 2-d, torch.channels_last_3d in 3-d) before the call; PyTorch has no
channels-last format for 3-d tensors, so a 1-d case runs channels-first as in the base variant.
"""

from __future__ import annotations

import os

import numpy as np

from harness.adapter_api import Call, Case, NotExpressible, Ref, spell

CHANNELS_LAST = "CONVHARNESS_TORCH_CHANNELS_LAST"
FORMATS = {2: "channels_last", 3: "channels_last_3d"}  # by rank; none at rank 1
TO_NUMPY = "y = y.to(torch.float64).numpy()\n"


def torch_module():
    import torch

    if os.environ.get("CONVHARNESS_TORCH_MKLDNN") == "0":
        torch.backends.mkldnn.enabled = False
    return torch


def _format_name(rank: int, env) -> str | None:
    return FORMATS.get(rank) if env.get(CHANNELS_LAST) == "1" else None


def laid_out(torch, rank: int, value):
    """A tensor or module in the variant's memory layout (itself where there is none)."""
    name = _format_name(rank, os.environ)
    if value is None or name is None:
        return value
    return value.to(memory_format=getattr(torch, name))


def tensors(case: Case, x, w, b, device: str):
    """(x, w, b) as tensors of the case's dtype on `device`, x and w in the variant's layout."""
    torch = torch_module()
    dtype = getattr(torch, case.dtype)
    dev = "cpu" if device == "cpu" else "cuda:" + device.split(":")[1]
    as_tensor = lambda a: None if a is None else torch.tensor(a, dtype=dtype, device=dev)  # noqa: E731
    return (
        laid_out(torch, case.rank, as_tensor(x)),
        laid_out(torch, case.rank, as_tensor(w)),
        as_tensor(b),
    )


def numpy(y) -> np.ndarray:
    import torch

    return y.detach().to("cpu", torch.float64).numpy()


def module_arguments(case: Case, steps: dict) -> dict:
    """A module's arguments: its sizes, `steps` (stride, padding, ...), its bias and dtype (the
    run passes torch's dtype object, the script its name)."""
    sizes = dict(
        in_channels=case.in_channels, out_channels=case.out_channels, kernel_size=case.kernel
    )
    return sizes | steps | dict(bias=case.bias, dtype=Ref(f"torch.{case.dtype}"))


def explicit(case: Case, api: str) -> tuple[int, ...]:
    """F.pad's order: the last axis first, (low, high) each; words have no per-side meaning."""
    if case.padding.kind in ("same", "same_lower"):
        raise NotExpressible(f"{api} takes pads per side, not {case.padding.kind!r}")
    pairs = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * case.rank
    return tuple(p for pair in reversed(pairs) for p in pair)


def run_functional(case: Case, call: Call, x, w, b, device: str) -> np.ndarray:
    """A torch.nn.functional call on the case's tensors (x alone for pooling)."""
    arrays = tensors(case, x, w, b, device)
    return numpy(call(torch_module(), *(arrays if w is not None else arrays[:1])))


def script_of_functional(case: Case, env: dict[str, str], call: Call) -> str:
    """The script of run_functional."""
    weights = case.operators.weighted
    arrays = ("tx", "tw", "tb") if weights else ("tx",)
    return head(case, env, weights) + f"y = {call.source(*arrays)}\n" + TO_NUMPY


def run_layer(case: Case, layer: Call, x, w, b, device: str, **apply) -> np.ndarray:
    """A module built by `layer` on the tensors' device, given the case's weight and bias, laid
    out as the variant asks and applied to x."""
    torch = torch_module()
    tx, tw, tb = tensors(case, x, w, b, device)
    built = layer(torch, device=tx.device)
    with torch.no_grad():
        built.weight.copy_(tw)
        if tb is not None:
            built.bias.copy_(tb)
        return numpy(laid_out(torch, case.rank, built)(tx, **apply))


def head(case: Case, env: dict[str, str], weights: bool = True) -> str:
    """The script's first lines: torch and the variant's switches, then the case's arrays as
    tensors (x alone for pooling) in the variant's layout."""
    lines = ["import torch"]
    if env.get("CONVHARNESS_TORCH_MKLDNN") == "0":
        lines.append("torch.backends.mkldnn.enabled = False")
    lines += [f"dtype = torch.{case.dtype}", "tx = torch.tensor(x, dtype=dtype)"]
    if weights:
        lines += [
            "tw = torch.tensor(w, dtype=dtype)",
            "tb = None if b is None else torch.tensor(b, dtype=dtype)",
        ]
    lines += layout_code(case.rank, env, "tx", *(("tw",) if weights else ()))
    return "\n".join(lines) + "\n"


def layer_code(case: Case, env: dict[str, str], layer: Call, **apply) -> str:
    """The script's lines building the module, giving it the case's weights and applying it
    (with `apply`, as run_layer takes it)."""
    laid = "".join(f"    {line}\n" for line in layout_code(case.rank, env, "layer"))
    applied = "".join(f", {key}={spell(value)}" for key, value in apply.items())
    return head(case, env) + (
        f"layer = {layer.source()}\n"
        "with torch.no_grad():\n"
        "    layer.weight.copy_(tw)\n"
        "    if tb is not None:\n"
        "        layer.bias.copy_(tb)\n"
        f"{laid}    y = layer(tx{applied}).to(torch.float64).numpy()\n"
    )


def layout_code(rank: int, env: dict[str, str], *names: str) -> list[str]:
    """The repro's lines that lay `names` out as the variant does (none where it does not)."""
    name = _format_name(rank, env)
    if name is None:
        return []
    return [f"{n} = {n}.to(memory_format=torch.{name})" for n in names]
