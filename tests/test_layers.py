"""The harness's modules in layers that only point down, and no import cycle.

Every module of harness/ is parsed (ast, imports inside functions included; an import under
`if TYPE_CHECKING:` is for the type checker alone and not followed) and each import of another
harness module is checked against LAYERS: a module may import its own layer and those below,
never one above, and the imports between modules form no cycle. A module that no layer names
fails the test, so a new module is placed on purpose.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

pytestmark = pytest.mark.fast  # the inner-loop subset: python -m pytest -m fast

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "harness"

# Bottom first. A module belongs to the layer that names it; else to the first layer with a
# pattern that matches its name.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("values", ("harness", "harness.errors", "harness.fields", "harness.model.oracle")),
    (
        "what a case of each family is",
        (
            "harness.families.operators",
            "harness.families.*.operators",
            "harness.families.*.sizes",
            "harness.families.*.rules",
            "harness.families.*.features",
        ),
    ),
    ("the families' registry", ("harness.families",)),
    ("the case", ("harness.case",)),
    ("the adapter contract", ("harness.adapter_api",)),
    ("the adapter catalog", ("harness.catalog", "harness.catalog.*")),
    (
        "the release sets and their environments",
        ("harness.releases", "harness.releases.environments", "harness.releases.sets"),
    ),
    ("the model", ("harness.model", "harness.model.*")),
    ("the families' records", ("harness.families.*",)),
    ("the records' registry", ("harness.ops",)),
    ("the model over the records", ("harness.model.recipes",)),
    (
        "the machinery",
        (
            "harness.running",
            "harness.running.*",
            "harness.releases.interpreter",
            "harness.releases.child",
            "harness.releases.drift",
            "harness.releases.replay",
        ),
    ),
    ("the scripts that reproduce a case", ("harness.reporting.repro",)),
    (
        "the release tools",
        (
            "harness.releases.bisection",
            "harness.releases.upstream",
            "harness.releases.repro_releases",
            "harness.releases.side_by_side",
        ),
    ),
    ("the report", ("harness.reporting", "harness.reporting.*", "harness.releases.matrix")),
    (
        "the commands",
        (
            "harness.cli",
            "harness.cli.*",
            "harness.console",
            "harness.pytest_plugin",
            "harness.suite",
            "harness.suite.*",
            "harness.releases.commands",
        ),
    ),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imported(source: str, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The harness modules a module's source imports, anywhere in it but under TYPE_CHECKING."""
    found: set[str] = set()
    pending: list[ast.AST] = [ast.parse(source)]
    while pending:
        node = pending.pop()
        if _type_checking(node):
            pending.extend(getattr(node, "orelse", []))
            continue
        pending.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {target for target in found if target in known and target != name}


def layer_of(module: str) -> int | None:
    for index, (_, patterns) in enumerate(LAYERS):
        if module in patterns:
            return index
    for index, (_, patterns) in enumerate(LAYERS):
        if any(fnmatchcase(module, pattern) for pattern in patterns):
            return index
    return None


def graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Module -> the harness modules it imports; `sources` maps a module to (source, package)."""
    known = set(sources)
    return {
        name: imported(source, name, package, known) for name, (source, package) in sources.items()
    }


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Every import of a module from a higher layer, and every module no layer names."""
    found = [f"{module}: in no layer" for module in edges if layer_of(module) is None]
    for module, targets in edges.items():
        here = layer_of(module)
        for target in sorted(targets):
            there = layer_of(target)
            if here is not None and there is not None and there > here:
                found.append(f"{module} ({LAYERS[here][0]}) imports {target} ({LAYERS[there][0]})")
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: each strongly connected set of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in edges.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def harness_sources() -> dict[str, tuple[str, bool]]:
    return {
        module_name(path): (path.read_text(), path.name == "__init__.py")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


EDGES = graph(harness_sources())


def test_every_import_points_down_or_within_its_layer():
    assert upward(EDGES) == []


def test_no_import_cycle():
    assert cycles(EDGES) == []


def test_the_graph_holds_the_imports_that_carry_the_layers():
    """The parse sees imports at module level and inside functions, and resolves relative ones."""
    assert "harness.case" in EDGES["harness.model.assess"]
    assert "harness.catalog.variants" in EDGES["harness.model.registry"]
    assert "harness.catalog.plugins" in EDGES["harness.catalog.variants"]  # `from . import`
    assert "harness.ops" in EDGES["harness.running.survey"]  # inside a function


@pytest.mark.parametrize("where", ["at module level", "inside a function", "relative"])
def test_an_upward_import_fails(where):
    """An import of the machinery from the model, however it is written, is found."""
    source = {
        "at module level": "from harness.running import store\n",
        "inside a function": "def load():\n    from harness.running import store\n",
        "relative": "def load():\n    from ..running import store\n",
    }[where]
    sources = dict(harness_sources())
    sources["harness.model.oracle"] = (source, False)
    found = upward(graph(sources))
    assert found == ["harness.model.oracle (values) imports harness.running.store (the machinery)"]


def test_an_import_under_type_checking_is_not_followed():
    source = "import typing\nif typing.TYPE_CHECKING:\n    from harness.cli import main\n"
    assert imported(source, "harness.fields", False, {"harness.cli", "harness.fields"}) == set()


def test_a_cycle_is_found():
    edges = {"harness.a": {"harness.b"}, "harness.b": {"harness.c"}, "harness.c": {"harness.a"}}
    assert cycles(edges) == [["harness.a", "harness.b", "harness.c"]]


def family_branches(source: str) -> list[int]:
    """Lines that test a case's family or operator kind by name: `<x>.family == "pool"`,
    `family != "conv"`, `op.startswith("avg_")` and the like."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            named = any(
                (isinstance(side, ast.Attribute) and side.attr == "family")
                or (isinstance(side, ast.Name) and side.id == "family")
                for side in sides
            )
            words = [side for side in sides if isinstance(side, ast.Constant)]
            if named and any(isinstance(word.value, str) for word in words):
                found.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "startswith"
            and any(
                isinstance(arg, ast.Constant) and str(arg.value).endswith("_") for arg in node.args
            )
        ):
            found.append(node.lineno)
    return found


def test_no_room_outside_the_families_branches_on_a_family_by_name():
    """What differs by family is asked of its records; only harness/families/ names one."""
    found = {
        module: lines
        for module, (source, _) in harness_sources().items()
        if not module.startswith("harness.families.") and (lines := family_branches(source))
    }
    assert found == {}


def test_a_branch_on_a_family_by_name_is_found():
    source = 'if case.family == "pool":\n    pass\nkind = op.startswith("avg_")\n'
    assert family_branches(source) == [1, 3]
