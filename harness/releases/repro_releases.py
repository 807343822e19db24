"""Where each registered upstream bug's repro shows, measured: every repro run on the followed
releases of its framework (each in its own environment, as `convharness upstream` runs it), or,
for a framework whose releases are not followed here (a plugin's), or a bug of a variant its
release environments do not run (Keras on TensorFlow or torch: its releases are followed on
JAX), on the harness's own environment. `convharness upstream --record` writes the table
(harness/data/repro_releases.json); the report reads it. Nothing in it is written by hand.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from harness.catalog import variants as variant_data
from harness.model import registry
from harness.model.versions import version_key
from harness.releases import bisection, sets, upstream
from harness.releases.upstream import CLEAN, FAILED, SHOWS, outcome

PATH = Path(__file__).resolve().parent.parent / "data" / "repro_releases.json"


def _here(found: registry.Entry) -> tuple[str, str]:
    """(framework, version) of the module the repro requires, in the harness's own
    environment: the module's top-level name, and the version of the distribution that
    installs it (that name's own where several do: mlx, not mlx-cpu)."""
    top = found.requires.split(".")[0]
    names = metadata.packages_distributions().get(top, [top])
    return top, metadata.version(top if top in names else names[0])


def _followed(found: registry.Entry, framework: sets.Framework) -> bool:
    """Whether the framework's release environments can run the bug's repro: an entry naming
    no adapter, or one of a variant whose modules they install (keras[tensorflow] is
    keras-tensorflow's, which needs TensorFlow; a Keras release environment has Keras on JAX)."""
    installed = set(framework.packages) | set(framework.extra)
    tags = {adapter.partition("[")[2].partition("]")[0] for adapter in found.adapters}
    return not found.adapters or any(
        set(v.requires) <= installed
        for v in variant_data.load()
        if v.framework == framework.name and v.tag in tags
    )


def measure(
    found: registry.Entry, progress: Callable[[str], None] | None = None
) -> dict[str, object]:
    """One entry's row: the framework, and each release it ran on -> SHOWS, CLEAN or FAILED."""
    known = sets.load()
    if found.requires in known and _followed(found, known[found.requires]):
        framework = known[found.requires]
        versions = list(dict.fromkeys([framework.pinned, framework.latest, *framework.earlier]))
        printed = upstream.outputs(found, framework, versions, progress)
        name = framework.name
    else:
        name, version = _here(found)
        if progress:
            progress(f"{name}=={version} (this environment): running the repro of {found.id}")
        printed = {version: bisection.run_script(sys.executable, found.repro, {})}
    runs = {v: outcome(found, text) for v, text in printed.items()}
    return {
        "framework": name,
        "releases": dict(sorted(runs.items(), key=lambda r: version_key(r[0]))),
    }


def record(
    entry_ids: list[str] | None = None,
    path: Path | None = None,
    progress: Callable[[str], None] | None = None,
    missing: bool = False,
) -> dict[str, dict]:
    """Run the repros of these entries (every upstream bug with one, by default) and write the
    table, keeping the rows of entries not run now that are still registered; `missing`: only
    the entries without a row yet."""
    bugs = [e for e in registry.load().entries if e.kind == "upstream_bug" and e.repro and e.shows]
    chosen = [bisection.entry(i) for i in entry_ids] if entry_ids else bugs
    table = {k: v for k, v in load(path).items() if k in {e.id for e in bugs}}
    if missing:
        chosen = [e for e in chosen if e.id not in table]
    for found in chosen:  # written after each entry: an interrupted run keeps what it measured
        table[found.id] = {**measure(found, progress), "measured": time.strftime("%Y-%m-%d")}
        text = json.dumps(dict(sorted(table.items())), indent=1, sort_keys=True)
        (path or PATH).write_text(text + "\n")
    return table


def load(path: Path | None = None) -> dict[str, dict]:
    """entry -> {framework, releases: {version: outcome}, measured}; empty where not recorded."""
    path = path or PATH
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def describe(row: dict) -> tuple[str, str, str]:
    """(shows on, does not show on, could not run on) of one row, versions oldest first."""
    runs = row.get("releases", {})
    return tuple(  # type: ignore[return-value]
        ", ".join(v for v, said in runs.items() if said == wanted) or "-"
        for wanted in (SHOWS, CLEAN, FAILED)
    )
