"""The contract between the harness and an adapter module.

An adapter module (see adapters/) defines:
    FRAMEWORK  one of torch, tensorflow, keras, jax, flax (a plugin may add its own)
    REQUIRES   the importable module the framework lives in; if it is not found, the adapter
               is skipped as not installed; if it is found but fails to import, it is broken
    version()  the framework's version string
    devices()  e.g. ["cpu", "gpu:0"]: every device the framework can see
    APIS       a list of ConvApi: one per framework API it drives
Adapter modules import their framework inside functions only, so the harness can
read their names without the framework installed.

One ConvApi (one adapter name, e.g. `torch.functional`) may serve several operators: its `api`
maps each operator it runs to the dotted name of the call (`torch.nn.functional.conv1d`, ...),
and its `run` dispatches on `case.op`. A plain string `api` serves `conv2d` alone. A case whose
operator an adapter does not serve gets no outcome from it: the adapter is not asked.

Arrays cross the contract channels-first: x [N, C, *spatial], w [O, C/groups, *kernel],
b [O] or None, as float64 NumPy; `run` returns [N, O, *spatial]. Pooling has no weight and no
bias: `run` gets w and b as None and returns [N, C, *spatial].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from harness.case import Case

# the transposed convolution's arithmetic an adapter may use, under the names adapters import
from harness.families.conv_transpose.rules import implied_spatial as implied_spatial
from harness.families.conv_transpose.sizes import full_size as full_size

# run(case, x, w or None, b or None, device) -> output; arrays are float64 NumPy, channels first
RunFn = Callable[[Case, np.ndarray, "np.ndarray | None", "np.ndarray | None", str], np.ndarray]


class NotExpressible(Exception):
    """The API has no way to state this case (e.g. asymmetric pads in torch.nn.Conv2d)."""


# code(case, env) -> standalone Python that computes `y` (channels first) from NumPy x, w, b
CodeFn = Callable[[Case, dict[str, str]], str]


@dataclass(frozen=True)
class ConvApi:
    adapter: str  # short, unique name, e.g. "torch.functional"
    api: str | Mapping[str, str]  # op -> dotted name of the call; a str serves conv2d alone
    run: RunFn
    code: CodeFn | None = None  # the same call as a reproduction script would write it

    @property
    def apis(self) -> Mapping[str, str]:
        return {"conv2d": self.api} if isinstance(self.api, str) else self.api

    def api_for(self, op: str) -> str | None:
        """The call this adapter makes for `op`, or None when it does not serve it."""
        return self.apis.get(op)

    @property
    def name(self) -> str:
        """The adapter's call for its first operator: how it is listed before any case runs."""
        return next(iter(self.apis.values()))


def channels_last(x: np.ndarray) -> np.ndarray:
    """[N, C, *spatial] -> [N, *spatial, C] (NWC, NHWC, NDHWC)."""
    return np.moveaxis(x, 1, -1)


def channels_first(y: np.ndarray) -> np.ndarray:
    """[N, *spatial, C] -> [N, C, *spatial]."""
    return np.moveaxis(y, -1, 1)


def cast(values: np.ndarray, dtype: str) -> np.ndarray:
    """The case's float64 values in `dtype`, cast by NumPy (bfloat16 through ml_dtypes, which
    every framework here reads). The values are exact in every tested dtype, so nothing rounds;
    a framework handed them ready pays no conversion program per shape."""
    if dtype == "bfloat16":
        import ml_dtypes

        return np.asarray(values).astype(ml_dtypes.bfloat16)
    return np.asarray(values).astype(dtype)


def kernel_last(w: np.ndarray) -> np.ndarray:
    """[O, I, *kernel] -> [*kernel, I, O]: the kernel layout of TensorFlow, Keras and Flax."""
    return w.transpose(*range(2, w.ndim), 1, 0)


# The 2-d names, kept for adapter plugins written against them.
nhwc, nchw, hwio = channels_last, channels_first, kernel_last


def layout(rank: int, spec: str = "NC") -> str:
    """Dimension-number strings at a rank: layout(2) = 'NCHW', layout(1, 'OI') = 'OIW'."""
    return spec + "DHW"[3 - rank :]


def pad_pairs(case: Case) -> list[tuple[int, int]]:
    """Explicit pads as [(low, high), ...], one pair per spatial axis."""
    return case.padding.pairs()


def lax_padding(case: Case) -> str | list[tuple[int, int]]:
    """Padding as lax spells it: 'VALID', 'SAME', 'SAME_LOWER' or per-axis (low, high) pairs."""
    return pad_pairs(case) if case.padding.kind == "explicit" else case.padding.kind.upper()


def symmetric_pads(case: Case, api: str) -> tuple[int, ...]:
    """One pad per axis, for APIs that take no other; raises NotExpressible otherwise."""
    per_axis = case.padding.symmetric()
    if per_axis is None:
        raise NotExpressible(f"{api} takes one pad per axis, not {case.padding}")
    return per_axis


def by_family(conv: RunFn, **families: RunFn) -> RunFn:
    """One `run` for an adapter serving several families: `families` maps a family name
    (e.g. conv_transpose) to its function; every other case goes to `conv`."""

    def run(case: Case, x, w, b, device: str) -> np.ndarray:
        return families.get(case.family, conv)(case, x, w, b, device)

    return run


def code_by_family(conv: CodeFn, **families: CodeFn) -> CodeFn:
    """by_family for the reproduction-script writers."""

    def code(case: Case, env: dict[str, str]) -> str:
        return families.get(case.family, conv)(case, env)

    return code


def crop_pairs(case: Case) -> list[tuple[int, int]]:
    """A transposed case's crop of its full output per axis, output_padding off the high side
    ((0, 0) for 'valid'): what APIs that pad the dilated input (lax) take as e - 1 - crop."""
    given = case.output_padding or (0,) * case.rank
    pairs = case.padding.pairs() if case.padding.kind == "explicit" else [(0, 0)] * case.rank
    return [(low, high - extra) for (low, high), extra in zip(pairs, given, strict=True)]


def measured_refusals(package: str) -> tuple[dict[str, tuple], list[tuple]]:
    """A plugin's REFUSAL_CASES and REFUSAL_RANKS from the `refusal_cases.json` it ships:
    {"cases": {refusal id: [adapter, case as JSON]}, "ranks": [[refusal id, adapter, op]]}."""
    import json
    from importlib import resources

    data = json.loads(resources.files(package).joinpath("refusal_cases.json").read_text())
    cases = {rule: tuple(entry) for rule, entry in data["cases"].items()}
    return cases, [tuple(entry) for entry in data.get("ranks", [])]
