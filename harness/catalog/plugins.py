"""Adapters from other packages, found through the `convharness.adapters` entry-point group.

A plugin registers one entry point per adapter module:

    [project.entry-points."convharness.adapters"]
    onnxruntime = "convharness_onnxruntime"

The module keeps the adapter contract (harness/adapter_api.py: FRAMEWORK, REQUIRES, version(),
devices(), APIS, and no framework import at module level), and may carry data as well:
    VARIANTS     a list of {"name", "tag", "env", "requires"}; default: one variant named
                 after the entry
    CONVENTIONS  TOML text in the schema of harness/data/conventions.toml, for its framework
    REGISTRY     TOML text in the schema of harness/data/registry.toml
    REFUSAL_CASES  {refusal id: (adapter, case as JSON)}: one case per documented refusal,
                 which the tests run to measure it (tests/test_verdicts.py)
    REFUSAL_RANKS  [(refusal id, adapter, op)]: the same refusal checked at another rank
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType

GROUP = "convharness.adapters"


@cache
def modules() -> tuple[tuple[str, ModuleType], ...]:
    """(entry-point name, adapter module) of every installed plugin, by name."""
    found = []
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        loaded = point.load()
        module = (
            loaded
            if isinstance(loaded, ModuleType)
            else importlib.import_module(point.value.split(":")[0])
        )
        found.append((point.name, module))
    return tuple(found)


def data(module_names: list[str], attribute: str) -> list[str]:
    """The `attribute` text of each named adapter module that carries one."""
    texts = []
    for name in dict.fromkeys(module_names):
        text = getattr(importlib.import_module(name), attribute, None)
        if text:
            texts.append(text)
    return texts
