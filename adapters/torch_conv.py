"""PyTorch: torch.nn.functional.conv2d and torch.nn.Conv2d, NCHW/OIHW natively.

CONVHARNESS_TORCH_MKLDNN=0 switches off the mkldnn (oneDNN) CPU kernels for the worker.
"""

from __future__ import annotations

import os

import numpy as np

from harness.adapter_api import ConvApi, NotExpressible, symmetric_pads
from harness.case import Case

FRAMEWORK = "torch"
REQUIRES = "torch"


def _torch():
    import torch

    if os.environ.get("CONVHARNESS_TORCH_MKLDNN") == "0":
        torch.backends.mkldnn.enabled = False
    return torch


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
    return as_tensor(x), as_tensor(w), as_tensor(b)


def _numpy(y) -> np.ndarray:
    import torch

    return y.detach().to("cpu", torch.float64).numpy()


def functional(case: Case, x, w, b, device: str) -> np.ndarray:
    torch = _torch()

    padding = _padding(case, "torch.nn.functional.conv2d")
    tx, tw, tb = _tensors(case, x, w, b, device)
    y = torch.nn.functional.conv2d(
        tx, tw, tb, stride=case.stride, padding=padding, dilation=case.dilation, groups=case.groups
    )
    return _numpy(y)


def module(case: Case, x, w, b, device: str) -> np.ndarray:
    torch = _torch()

    padding = _padding(case, "torch.nn.Conv2d")
    tx, tw, tb = _tensors(case, x, w, b, device)
    conv = torch.nn.Conv2d(
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
        return _numpy(conv(tx))


APIS = [
    ConvApi("torch.functional", "torch.nn.functional.conv2d", functional),
    ConvApi("torch.module", "torch.nn.Conv2d", module),
]
