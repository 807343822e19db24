"""PyTorch's adapters: torch.functional (torch.nn.functional's calls), torch.module (the
torch.nn modules) and torch.padded (F.pad, then the call with padding 0), serving the families
of the modules beside this one (conv, transposed, pool) at rank 1, 2 and 3, channels-first.

The variant's switches (mkldnn off, channels-last layout) live in _common.py.
"""

from __future__ import annotations

from adapters.torch._common import torch_module
from harness.adapter_api import apis_in

FRAMEWORK = "torch"
REQUIRES = "torch"


def version() -> str:
    return torch_module().__version__


def devices() -> list[str]:
    import torch

    return ["cpu"] + [f"gpu:{i}" for i in range(torch.cuda.device_count())]


APIS = apis_in(__name__)  # one module per family beside this one (FAMILY, SERVED)
