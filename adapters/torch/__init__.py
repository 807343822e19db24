"""PyTorch's adapters: torch.functional (torch.nn.functional's calls), torch.module (the
torch.nn modules) and torch.padded (F.pad, then the call with padding 0), serving the families
of the modules beside this one (conv, transposed, pool) at rank 1, 2 and 3, channels-first.

The variant's switches (mkldnn off, channels-last layout) live in _common.py.
"""

from __future__ import annotations

from adapters.torch import conv, pool, transposed
from adapters.torch._common import torch_module
from harness.adapter_api import Served, by_family

FRAMEWORK = "torch"
REQUIRES = "torch"


def version() -> str:
    return torch_module().__version__


def devices() -> list[str]:
    import torch

    return ["cpu"] + [f"gpu:{i}" for i in range(torch.cuda.device_count())]


APIS = [
    by_family(
        "torch.functional",
        conv=Served(conv.FUNCTIONAL, conv.functional, conv.functional_code),
        conv_transpose=Served(
            transposed.FUNCTIONAL, transposed.functional, transposed.functional_code
        ),
        pool=Served(pool.FUNCTIONAL, pool.functional, pool.functional_code),
    ),
    by_family(
        "torch.module",
        conv=Served(conv.MODULE, conv.module, conv.module_code),
        conv_transpose=Served(transposed.MODULE, transposed.module, transposed.module_code),
        pool=Served(pool.MODULE, pool.module, pool.module_code),
    ),
    by_family(
        "torch.padded",
        conv=Served(conv.PADDED, conv.padded, conv.padded_code),
        pool=Served(pool.PADDED, pool.padded, pool.padded_code),
    ),
]
