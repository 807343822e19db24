"""`convharness upstream ENTRY`: a registered bug as a report ready to file with the framework:
its minimal repro in the framework's own code (no convharness in it), the releases it shows on
(the repro run in each release's environment, now), expected and actual, the citation.

Expected is what the repro's own comments say the documentation promises; actual is what each
release printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from harness.errors import UsageError
from harness.model import registry
from harness.model.versions import version_key
from harness.releases import environments, sets
from harness.releases.bisection import entry, framework_env, install_line, run_script

SHOWS, CLEAN, FAILED = "shows", "does not show", "could not run"

_EXPECTED = re.compile(r"#\s*(.*\b(expected|documented|as on)\b.*)$", re.IGNORECASE)


def outcome(found: registry.Entry, printed: str) -> str:
    """What one run of the repro says: it shows the bug, it ran clean, or it failed."""
    if found.shows in printed:
        return SHOWS
    if "(exit status" in printed or "(no answer within" in printed:
        return FAILED
    return CLEAN


def framework_of(found: registry.Entry) -> sets.Framework:
    """The framework whose releases the entry's repro runs on (the module it requires)."""
    known = sets.load()
    if found.requires not in known:
        raise UsageError(f"{found.id} needs {found.requires}, whose releases are not known here")
    return known[found.requires]


def expected_of(found: registry.Entry) -> list[str]:
    """The repro's comments that say what should happen."""
    return [
        m.group(1).strip() for line in found.repro.splitlines() if (m := _EXPECTED.search(line))
    ]


def outputs(
    found: registry.Entry,
    framework: sets.Framework,
    versions: list[str],
    progress: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """release -> what the repro printed there."""
    env = framework_env(framework)
    printed = {}
    for version in sorted(versions, key=version_key):
        if progress:
            progress(f"{framework.name}=={version}: running the repro")
        environment = environments.ensure(framework.requirements(version))
        printed[version] = run_script(environment.interpreter, found.repro, env)
    return printed


def _title(summary: str, limit: int = 100) -> str:
    """The summary's first clause, cut at a word to fit a title."""
    first = re.split(r"(?<=[.;:])\s", summary, maxsplit=1)[0].rstrip(".;:")
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + " ..."


def report(
    entry_id: str,
    versions: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> str:
    """The Markdown text to file."""
    found = entry(entry_id)
    framework = framework_of(found)
    chosen = versions or list(
        dict.fromkeys([framework.pinned, framework.latest, *framework.earlier])
    )
    printed = outputs(found, framework, chosen, progress)
    said = {v: outcome(found, text) for v, text in printed.items()}
    shows, clean, failed = (
        [v for v in printed if said[v] == kind] for kind in (SHOWS, CLEAN, FAILED)
    )
    newest = max(printed, key=version_key)
    lines = [
        f"## {framework.name}: {_title(found.summary)}",
        "",
        found.summary,
        "",
        "### Minimal reproduction",
        "",
        f"`{install_line(framework, newest)}`, then"
        + "".join(f" with `{k}={v}` set" for k, v in framework_env(framework).items())
        + ":",
        "",
        "```python",
        found.repro.strip(),
        "```",
        "",
        "### Releases",
        "",
        f"Shows on: {', '.join(f'{framework.name} {v}' for v in shows) or 'none of those run'}.",
        f"Does not show on: {', '.join(f'{framework.name} {v}' for v in clean) or '-'}.",
        *(
            [f"Could not run on: {', '.join(failed)} (the repro failed; see below)."]
            if failed
            else []
        ),
        "",
        "### Expected",
        "",
        *(f"- {text}" for text in expected_of(found) or [f"not `{found.shows}`"]),
        "",
        f"### Actual ({framework.name} {newest})",
        "",
        "```",
        printed[newest],
        "```",
        "",
        "### Documentation and references",
        "",
        found.citation,
    ]
    return "\n".join(lines)
