"""What the PyTorch adapters share: torch with the variant's switches applied, and the memory
layout its tensors and modules take.

CONVHARNESS_TORCH_MKLDNN=0 switches off the mkldnn (oneDNN) CPU kernels for the worker.
CONVHARNESS_TORCH_CHANNELS_LAST=1 lays inputs, weights and modules out channels-last
(torch.channels_last in 2-d, torch.channels_last_3d in 3-d) before the call; PyTorch has no
channels-last format for 3-d tensors, so a 1-d case runs channels-first as in the base variant.
"""

from __future__ import annotations

import os

CHANNELS_LAST = "CONVHARNESS_TORCH_CHANNELS_LAST"
FORMATS = {2: "channels_last", 3: "channels_last_3d"}  # by rank; none at rank 1


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


def head(env: dict[str, str]) -> list[str]:
    """The repro's first lines: torch and the variant's switches."""
    lines = ["import torch"]
    if env.get("CONVHARNESS_TORCH_MKLDNN") == "0":
        lines.append("torch.backends.mkldnn.enabled = False")
    return lines


def layout_code(rank: int, env: dict[str, str], *names: str) -> list[str]:
    """The repro's lines that lay `names` out as the variant does (none where it does not)."""
    name = _format_name(rank, env)
    if name is None:
        return []
    return [f"{n} = {n}.to(memory_format=torch.{name})" for n in names]
