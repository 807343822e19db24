"""The contract between the harness and an adapter module: everything an adapter imports from
the harness comes from here (the Case it runs, the errors it raises, the layout and padding
helpers, and the few model rules an adapter needs to state a call: effective_kernel,
implied_spatial).

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

An adapter serving several families states each call once as a Call, which its run makes and
its reproduction script writes, and dispatches by an explicit table from family to what serves
it (Served, by_family; apis_of builds a framework's APIS from its family modules' tables).

Arrays cross the contract channels-first: x [N, C, *spatial], w [O, C/groups, *kernel],
b [O] or None, as float64 NumPy; `run` returns [N, O, *spatial]. Pooling has no weight and no
bias: `run` gets w and b as None and returns [N, C, *spatial].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.case import Case as Case

# the transposed convolution's arithmetic an adapter may use, under the names adapters import
from harness.families.conv_transpose.rules import implied_spatial as implied_spatial
from harness.families.conv_transpose.sizes import full_size as full_size
from harness.model.oracle import effective_kernel as effective_kernel

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


def _lookup(framework: Any, dotted: str) -> Any:
    """`dotted` (its first part the framework's own name or alias) looked up from `framework`."""
    found = framework
    for part in dotted.split(".")[1:]:
        found = getattr(found, part)
    return found


@dataclass(frozen=True)
class Ref:
    """A framework object passed as an argument (jax.lax.max, torch.float64): the run passes
    the object, a reproduction script its dotted name."""

    name: str

    def __repr__(self) -> str:
        return self.name


def spell(value: Any) -> str:
    """A plain argument value as Python source: its repr, an infinity as float('-inf')."""
    if isinstance(value, float) and not np.isfinite(value):
        return f"float({str(value)!r})"
    return repr(value)


SCRIPT_WIDTH = 88  # a longer call is written one argument a line


@dataclass(frozen=True)
class Call:
    """One framework call, built once from a case: the run makes it and the reproduction script
    writes it from the same object, so the two cannot say different things. `name` is dotted
    from the framework's top module (`torch.nn.functional.conv2d`, `tf.nn.conv2d`); `args`
    follow the arrays positionally and `kwargs` by keyword, as plain values or Refs."""

    name: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    args: tuple = ()

    def __call__(self, framework: Any, *arrays: Any, **extra: Any) -> Any:
        """The call on `arrays`, with what only the run passes (a device) in `extra`."""

        def resolved(given: Any) -> Any:
            return _lookup(framework, given.name) if isinstance(given, Ref) else given

        args = [resolved(given) for given in self.args]
        kwargs = {key: resolved(given) for key, given in self.kwargs.items()}
        return _lookup(framework, self.name)(*arrays, *args, **kwargs, **extra)

    def source(self, *arrays: str, **extra: str) -> str:
        """The call as the script writes it: `arrays` and `extra` are source text (the script's
        own variables), `args` and `kwargs` spelled."""
        spelled = [*arrays, *(spell(given) for given in self.args)]
        spelled += [f"{key}={spell(given)}" for key, given in self.kwargs.items()]
        spelled += [f"{key}={text}" for key, text in extra.items()]
        line = f"{self.name}({', '.join(spelled)})"
        if len(line) <= SCRIPT_WIDTH:
            return line
        return f"{self.name}(\n" + "".join(f"    {part},\n" for part in spelled) + ")"


@dataclass(frozen=True)
class Served:
    """One operator family on one adapter: the dotted call per operator it serves, its run,
    and its reproduction-script writer."""

    apis: Mapping[str, str]
    run: RunFn
    code: CodeFn


def by_family(adapter: str, **families: Served) -> ConvApi:
    """The ConvApi of an adapter serving several families, dispatching each case by the table
    `families` (a Case.family, e.g. conv_transpose, to what serves it). The adapter's operators
    are those the table serves, so the harness sends no other; a case of a family outside the
    table is NotExpressible, never another family's call."""

    def served(case: Case) -> Served:
        if case.family not in families:
            raise NotExpressible(f"{adapter} has no {case.family} call")
        return families[case.family]

    def run(case: Case, x, w, b, device: str) -> np.ndarray:
        return served(case).run(case, x, w, b, device)

    def code(case: Case, env: dict[str, str]) -> str:
        return served(case).code(case, env)

    apis = {op: name for one in families.values() for op, name in one.apis.items()}
    return ConvApi(adapter, apis, run, code)


def apis_of(**families: Mapping[str, Served]) -> list[ConvApi]:
    """A framework's APIS from its family modules: `families` maps each family (conv,
    conv_transpose, pool) to its module's table of adapter name -> Served. One ConvApi per
    adapter name, in the order first named, each dispatching by by_family."""
    names = list(dict.fromkeys(name for table in families.values() for name in table))
    return [
        by_family(
            name, **{family: table[name] for family, table in families.items() if name in table}
        )
        for name in names
    ]


def family_modules(package: str) -> dict[str, Any]:
    """The modules of an adapter package that serve a family (those with FAMILY and SERVED),
    by family, in the families' order: a new family's module is found by being there."""
    import importlib
    import pkgutil

    from harness.families import OPERATORS

    found = {}
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        module = importlib.import_module(f"{package}.{info.name}")
        if hasattr(module, "FAMILY") and hasattr(module, "SERVED"):
            found[module.FAMILY] = module
    return {name: found[name] for name in OPERATORS if name in found}


def apis_in(package: str) -> list[ConvApi]:
    """A framework's APIS from the family modules beside its entry module (apis_of)."""
    return apis_of(**{name: module.SERVED for name, module in family_modules(package).items()})


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
