"""PyTorch patch extraction: torch.nn.functional.unfold and the torch.nn.Unfold module (2-d,
[N, C, H, W] input, one pad per axis), and F.pad + unfold for pads per side. unfold returns
[N, C·K, L], channel-major (torch.nn.Unfold's documentation: "C × prod(kernel_size)"), with L
the windows in row-major order; the run reshapes L to the output's spatial axes, whose sizes
the documentation gives (floor((i + 2p - d(k-1) - 1)/s) + 1 per axis): the patch axis is never
reordered. Each call is built once, for the run and the script alike."""

from __future__ import annotations

import numpy as np

from adapters.torch._common import TO_NUMPY, explicit, head, numpy, tensors, torch_module
from harness.adapter_api import Call, Case, NotExpressible, Served, effective_kernel

FUNCTIONAL = {"patches2d": "torch.nn.functional.unfold"}
MODULE = {"patches2d": "torch.nn.Unfold"}
PADDED = {"patches2d": "torch.nn.functional.pad + torch.nn.functional.unfold"}


def _window(case: Case) -> dict:
    return dict(kernel_size=case.kernel, dilation=case.dilation, stride=case.stride)


def _padding(case: Case, api: str) -> tuple[int, ...]:
    """unfold's padding: one int per axis, both sides."""
    if case.padding.kind == "valid":
        return (0,) * case.rank
    per_axis = case.padding.symmetric()
    if per_axis is None:
        raise NotExpressible(f"{api} takes one pad per axis, not {case.padding}")
    return per_axis


def functional_call(case: Case) -> Call:
    api = FUNCTIONAL[case.op]
    return Call(api, _window(case) | dict(padding=_padding(case, api)))


def module_call(case: Case) -> Call:
    api = MODULE[case.op]
    return Call(api, _window(case) | dict(padding=_padding(case, api)))


def padded_calls(case: Case) -> tuple[Call, Call]:
    pads = explicit(case, PADDED[case.op])
    return Call("torch.nn.functional.pad", dict(pad=pads)), Call(
        FUNCTIONAL[case.op], _window(case) | dict(padding=0)
    )


def spatial(case: Case, y, sizes: tuple[int, ...]) -> np.ndarray:
    """[N, C·K, L] as [N, C·K, *out], the documented sizes of the padded input `sizes`; left
    as it is where L is not their product (the shape is then the verdict)."""
    out = [
        (i - effective_kernel(k, d)) // s + 1
        for i, k, s, d in zip(sizes, case.kernel, case.stride, case.dilation, strict=True)
    ]
    y = numpy(y)
    if min(out) < 0 or y.shape[2] != int(np.prod(out)):
        return y
    return y.reshape(*y.shape[:2], *out)


def _padded_sizes(case: Case, padding) -> tuple[int, ...]:
    return tuple(i + 2 * p for i, p in zip(case.spatial, padding, strict=True))


def functional(case: Case, x, w, b, device: str) -> np.ndarray:
    call = functional_call(case)
    torch = torch_module()
    y = call(torch, tensors(case, x, w, b, device)[0])
    return spatial(case, y, _padded_sizes(case, call.kwargs["padding"]))


def module(case: Case, x, w, b, device: str) -> np.ndarray:
    call = module_call(case)
    torch = torch_module()
    with torch.no_grad():
        y = call(torch)(tensors(case, x, w, b, device)[0])
    return spatial(case, y, _padded_sizes(case, call.kwargs["padding"]))


def padded(case: Case, x, w, b, device: str) -> np.ndarray:
    pad, unfold = padded_calls(case)
    torch = torch_module()
    tx = pad(torch, tensors(case, x, w, b, device)[0])
    return spatial(case, unfold(torch, tx), tuple(tx.shape[2:]))


RESHAPE = (
    "out = [(i - d * (k - 1) - 1) // s + 1 for i, k, s, d in zip({sizes}, {k}, {s}, {d})]\n"
    "y = y.reshape(*y.shape[:2], *out)  # [N, C*K, L] -> [N, C*K, *out], channel-major\n"
)


def _reshape(case: Case, sizes: str) -> str:
    return RESHAPE.format(sizes=sizes, k=case.kernel, s=case.stride, d=case.dilation)


def _script(case: Case, env: dict[str, str], call: Call, applied: str) -> str:
    """The script of a call with one pad per axis: `applied` is the call on tx as source."""
    sizes = repr(_padded_sizes(case, call.kwargs["padding"]))
    return head(case, env, weights=False) + f"y = {applied}\n" + TO_NUMPY + _reshape(case, sizes)


def functional_code(case: Case, env: dict[str, str]) -> str:
    call = functional_call(case)
    return _script(case, env, call, call.source("tx"))


def module_code(case: Case, env: dict[str, str]) -> str:
    call = module_call(case)
    return _script(case, env, call, f"{call.source()}(tx)")


def padded_code(case: Case, env: dict[str, str]) -> str:
    pad, unfold = padded_calls(case)
    return (
        head(case, env, weights=False)
        + f"tx = {pad.source('tx')}  # pads: (low, high) per axis, the last axis first\n"
        + f"y = {unfold.source('tx')}\n"
        + TO_NUMPY
        + _reshape(case, "tx.shape[2:]")
    )


# The refusals its conventions document, each with a case that shows it (measured by
# tests/test_verdicts.py): rule -> (adapter, case as JSON).
REFUSAL_CASES = {
    "torch/unfold-nonpositive-blocks": (
        "torch.functional",
        {"op": "patches2d", "input": [1, 2, 3, 3], "kernel": 5},
    ),
    "torch/unfold-pad-crops-past-the-input": (
        "torch.padded",
        {"op": "patches2d", "input": [1, 1, 2, 4], "kernel": 1, "padding": [-3, 3, 0, 0]},
    ),
}

FAMILY = "patch"  # the operator family this module serves
SERVED = {
    "torch.functional": Served(FUNCTIONAL, functional, functional_code),
    "torch.module": Served(MODULE, module, module_code),
    "torch.padded": Served(PADDED, padded, padded_code),
}
