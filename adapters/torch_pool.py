"""PyTorch pooling: torch.nn.functional.max_pool1d/2d/3d and avg_pool1d/2d/3d, and the
torch.nn.MaxPool1d/2d/3d and AvgPool1d/2d/3d modules; channels-first natively. Imported by
adapters/torch_conv.py, whose adapters serve these operators too."""

from __future__ import annotations

from harness.adapter_api import NotExpressible, symmetric_pads
from harness.case import Case

RANKS = (1, 2, 3)
FUNCTIONAL = {
    f"{kind}_pool{r}d": f"torch.nn.functional.{kind}_pool{r}d"
    for kind in ("max", "avg")
    for r in RANKS
}
MODULE = {
    f"{kind}_pool{r}d": f"torch.nn.{name}Pool{r}d"
    for kind, name in (("max", "Max"), ("avg", "Avg"))
    for r in RANKS
}


def _arguments(case: Case, api: str) -> dict:
    """The keyword arguments both spellings take: pads are one int per axis."""
    if case.padding.kind in ("same", "same_lower"):
        raise NotExpressible(f"{api} takes pads as ints, not {case.padding.kind!r}")
    padding = symmetric_pads(case, api) if case.padding.kind == "explicit" else 0
    arguments: dict = dict(
        kernel_size=case.kernel, stride=case.stride, padding=padding, ceil_mode=case.ceil_mode
    )
    if case.op.startswith("max_"):
        arguments["dilation"] = case.dilation
    elif max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    else:
        arguments["count_include_pad"] = case.count_include_pad
    return arguments


def functional(torch, case: Case, tx):
    """The functional call on a channels-first tensor."""
    arguments = _arguments(case, FUNCTIONAL[case.op])
    return getattr(torch.nn.functional, case.op)(tx, **arguments)


def module(torch, case: Case, tx):
    """The nn module's call on a channels-first tensor."""
    arguments = _arguments(case, MODULE[case.op])
    return getattr(torch.nn, MODULE[case.op].rsplit(".", 1)[1])(**arguments)(tx)


def functional_code(case: Case) -> str:
    arguments = _arguments(case, FUNCTIONAL[case.op])
    call = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return f"y = {FUNCTIONAL[case.op]}(tx, {call})\ny = y.to(torch.float64).numpy()\n"


def module_code(case: Case) -> str:
    arguments = _arguments(case, MODULE[case.op])
    call = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return f"y = {MODULE[case.op]}({call})(tx)\ny = y.to(torch.float64).numpy()\n"


PADDED = {op: f"torch.nn.functional.pad + {call}" for op, call in FUNCTIONAL.items()}


def padded(torch, case: Case, tx, pads: tuple[int, ...]):
    """Pads per side the way PyTorch users port them: F.pad (with -inf for a max), then a pool
    with padding 0; an average that leaves the padding out divides by the same pool of ones."""
    functional, api = torch.nn.functional, PADDED[case.op]
    if case.ceil_mode:
        raise NotExpressible(f"{api} states the pads in full, with no ceil_mode")
    pool = getattr(functional, case.op)
    if case.op.startswith("max_"):
        xp = functional.pad(tx, pads, value=-float("inf"))
        return pool(xp, case.kernel, case.stride, 0, case.dilation)
    if max(case.dilation) > 1:
        raise NotExpressible(f"{api} has no dilation")
    total = pool(functional.pad(tx, pads), case.kernel, case.stride, 0)
    if case.count_include_pad:
        return total
    return total / pool(functional.pad(torch.ones_like(tx), pads), case.kernel, case.stride, 0)


def padded_code(case: Case, pads: tuple[int, ...]) -> str:
    call = FUNCTIONAL[case.op]
    if case.ceil_mode or (case.op.startswith("avg_") and max(case.dilation) > 1):
        raise NotExpressible(f"{PADDED[case.op]} cannot state this case")
    if case.op.startswith("max_"):
        return (
            f"tx = torch.nn.functional.pad(tx, {pads}, value=-float('inf'))  # last axis first\n"
            f"y = {call}(tx, {case.kernel}, {case.stride}, 0, {case.dilation})\n"
            "y = y.to(torch.float64).numpy()\n"
        )
    divide = (
        ""
        if case.count_include_pad
        else f"y = y / {call}(torch.nn.functional.pad(torch.ones_like(tx), {pads}), "
        f"{case.kernel}, {case.stride}, 0)  # the input elements in each window\n"
    )
    return (
        f"y = {call}(torch.nn.functional.pad(tx, {pads}), {case.kernel}, {case.stride}, 0)\n"
        + divide
        + "y = y.to(torch.float64).numpy()\n"
    )
