"""Adapter variants (data/variants.toml): an adapter module plus its import-time environment."""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from harness.errors import UsageError


@dataclass(frozen=True)
class Variant:
    name: str
    framework: str
    module: str
    tag: str = ""
    env: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    requires: tuple[str, ...] = ()  # modules it needs besides its framework's (a Keras backend)
    release: str = ""  # a release variant's release, e.g. "jax==0.8.3" (harness/releases)
    python: str = ""  # and the interpreter of that release's environment
    resolved: tuple[tuple[str, str], ...] = field(default=(), hash=False, compare=False)
    # (distribution, version) of everything that environment's resolver picked

    def adapter_name(self, adapter: str) -> str:
        """How an adapter of this variant is named in every verdict, table and comparison:
        the tag in brackets, a release in braces (jax.lax[nhwc]{jax==0.8.3})."""
        name = f"{adapter}[{self.tag}]" if self.tag else adapter
        return f"{name}{{{self.release}}}" if self.release else name


@cache
def load() -> tuple[Variant, ...]:
    """The variants in data/variants.toml, then those of installed plugins (plugins.py)."""
    text = resources.files("harness").joinpath("data/variants.toml").read_text()
    data = tomllib.loads(text)
    if data.get("schema") != 1:
        raise ValueError("variants: unsupported schema")
    found = [_variant(raw, raw["framework"], raw["module"]) for raw in data["variant"]]
    from . import plugins  # here: plugins may import this module

    for name, module in plugins.modules():
        for raw in getattr(module, "VARIANTS", None) or [{"name": name}]:
            found.append(_variant(raw, module.FRAMEWORK, module.__name__))
    if len({v.name for v in found}) != len(found):
        raise ValueError("variants: duplicate name")
    return tuple(found)


def _variant(raw: dict, framework: str, module: str) -> Variant:
    return Variant(
        name=raw["name"],
        framework=framework,
        module=module,
        tag=raw.get("tag", ""),
        env={str(k): str(v) for k, v in raw.get("env", {}).items()},
        requires=tuple(str(name) for name in raw.get("requires", ())),
    )


def _keep(chosen: list[Variant], wanted: Iterable[str], key: str, what: str) -> list[Variant]:
    """The variants whose `key` is among `wanted`; an unknown name is a usage error."""
    wanted = list(wanted)
    known = sorted({getattr(v, key) for v in load()})
    unknown = [name for name in wanted if name not in known]
    if unknown or not wanted:
        raise UsageError(
            f"unknown {what} {', '.join(unknown) or '(none)'}; choose from {','.join(known)}"
        )
    return [v for v in chosen if getattr(v, key) in wanted]


def select(
    frameworks: Iterable[str] | None = None, names: Iterable[str] | None = None
) -> list[Variant]:
    """The variants of the named frameworks and/or with the given names (all when neither)."""
    chosen = list(load())
    if frameworks is not None:
        chosen = _keep(chosen, frameworks, "framework", "framework")
    if names is not None:
        chosen = _keep(chosen, names, "name", "variant")
        if not chosen:
            raise UsageError("no variant matches both --frameworks and --variants")
    return chosen


@cache
def served_ops(module: str) -> frozenset[str] | None:
    """The operators an adapter module's APIS serve, read without importing its framework (an
    adapter module imports it inside its functions); None where the module does not import
    here, so that its worker says why."""
    try:
        apis = importlib.import_module(module).APIS
    except Exception:  # any error of a plugin's module: its worker reports it
        return None
    return frozenset(op for api in apis for op in api.apis)


def serving(chosen: Iterable[Variant], wanted: Collection[str]) -> list[Variant]:
    """The variants of `chosen` that serve an operator of `wanted`: the worker of any other
    would import its framework, holding a core and memory, and answer no case. A usage error
    where variants were chosen and none serves one."""
    chosen = list(chosen)
    kept = [v for v in chosen if (ops := served_ops(v.module)) is None or ops & set(wanted)]
    if chosen and not kept:
        raise UsageError(
            f"no variant asked for serves {', '.join(sorted(wanted))}; "
            f"{', '.join(v.name for v in chosen)} serve other operators"
        )
    return kept
