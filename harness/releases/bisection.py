"""Bisection between releases: the first release of a framework whose answer to a case (or to a
registered finding's repro) differs from an older release's, installing releases on demand.

A probe answers for one release environment: a case's answers on the framework's adapters
(status, shape, pads proven by values, verdict), or whether a registry entry's repro prints
what it shows while the bug is there. The search halves the candidate releases between a
`good` (older) and a `bad` (newer) end whose answers differ; a candidate whose environment
cannot be built (no wheel for this Python, a companion package missing) is left out, and said.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from harness.case import Case
from harness.errors import UsageError
from harness.model import registry
from harness.model.outcome import unreleased
from harness.model.versions import version_key
from harness.releases import environments
from harness.releases.sets import Framework, ReleaseSet, release_variants

REPRO_SECONDS = 600.0


def stable(version: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)*", version))


@dataclass(frozen=True)
class Answer:
    """A release's answer: `key` compares (equal keys: the same behaviour), `text` tells."""

    key: str
    text: str
    brief: str = ""  # one line

    @property
    def line(self) -> str:
        return self.brief or self.key


class Probe(Protocol):
    def answer(self, version: str) -> Answer: ...

    def repro(self, version: str) -> tuple[str, str]: ...


def _requirements(framework: Framework, version: str) -> tuple[str, ...]:
    return framework.requirements(version)


def install_line(framework: Framework, version: str) -> str:
    return "pip install " + " ".join(_requirements(framework, version))


def run_script(interpreter: str | Path, source: str, env: dict[str, str]) -> str:
    """A script's output (stdout, then the last lines of stderr) under this Python (a release
    environment's, or the harness's own), run in a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="convharness-repro-") as folder:
        path = os.path.join(folder, "repro.py")
        with open(path, "w") as handle:
            handle.write(source)
        child = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        try:
            done = subprocess.run(
                [str(interpreter), path],
                capture_output=True,
                text=True,
                cwd=folder,
                env=environments.process_env(interpreter, {**child, **env}),
                timeout=REPRO_SECONDS,
            )
        except subprocess.TimeoutExpired:
            return f"(no answer within {REPRO_SECONDS:g} s)"
    text = done.stdout.strip()
    if done.returncode != 0:
        tail = [line for line in done.stderr.strip().splitlines() if line.strip()][-2:]
        text = "\n".join([text, *tail, f"(exit status {done.returncode})"]).strip()
    return text


def framework_env(framework: Framework) -> dict[str, str]:
    """The environment variables of the framework's first release variant (KERAS_BACKEND=jax
    for Keras): what a repro runs with."""
    from harness.catalog import variants

    known = {v.name: v for v in variants.load()}
    first = known.get(framework.variants[0]) if framework.variants else None
    return dict(first.env) if first else {}


def entry(entry_id: str) -> registry.Entry:
    """A registry entry that carries a repro; any other name is a usage error."""
    entries = {e.id: e for e in registry.load().entries}
    found = entries.get(entry_id)
    if found is None:
        raise UsageError(f"no registry entry {entry_id!r}")
    if not found.repro or not found.shows:
        raise UsageError(f"registry entry {entry_id} has no repro to run")
    return found


@dataclass
class FindingProbe:
    """A registry entry's repro: does it print what it shows while the bug is there?"""

    framework: Framework
    finding: registry.Entry
    outputs: dict[str, str] = field(default_factory=dict)

    def output(self, version: str) -> str:
        if version not in self.outputs:
            environment = environments.ensure(_requirements(self.framework, version))
            env = framework_env(self.framework)
            self.outputs[version] = run_script(environment.interpreter, self.finding.repro, env)
        return self.outputs[version]

    def answer(self, version: str) -> Answer:
        shows = self.finding.shows in self.output(version)
        return Answer("shows" if shows else "does not show", self.output(version))

    def repro(self, version: str) -> tuple[str, str]:
        return self.finding.repro.strip(), self.output(version)


@dataclass
class CaseProbe:
    """A case's answers on the framework's adapters in one release."""

    framework: Framework
    case: Case
    adapter: str | None = None  # compare this adapter's answer alone (default: every one)
    answers: dict[str, dict[str, tuple]] = field(default_factory=dict)

    def _answers(self, version: str) -> dict[str, tuple]:
        if version in self.answers:
            return self.answers[version]
        from harness.running import survey
        from harness.running.runner import Runner

        chosen = release_variants(
            [ReleaseSet(self.framework, _requirements(self.framework, version))]
        )
        found: dict[str, tuple] = {}
        with Runner(chosen) as runner:
            for report in survey.reports(runner, [self.case]):
                for result in report.results:
                    r = result.record(self.case.op)
                    status = r["status"]
                    detail = (r["error"] or {}).get("type") if status == "rejected" else None
                    found[unreleased(r["adapter"])] = (
                        status,
                        tuple(r["shape"] or ()),
                        json.dumps(r["pads_inferred"]),
                        r["verdict"],
                        detail,
                    )
        if self.adapter is not None:
            if self.adapter not in found:
                raise UsageError(f"no adapter {self.adapter} answers {self.case.op} here")
            found = {self.adapter: found[self.adapter]}
        self.answers[version] = found
        return found

    def answer(self, version: str) -> Answer:
        found = self._answers(version)
        lines = [
            f"{adapter}: {status}, shape {shape or '-'}, pads {pads}, {verdict}"
            + (f" ({error})" if error else "")
            for adapter, (status, shape, pads, verdict, error) in sorted(found.items())
        ]
        brief = "; ".join(f"{a} {v[0]} {v[3]}" for a, v in sorted(found.items()))
        return Answer(json.dumps(sorted(found.items())), "\n".join(lines), brief)

    def changed_adapter(self, old: str, new: str) -> str:
        before, after = self._answers(old), self._answers(new)
        changed = [a for a in sorted(after) if before.get(a) != after.get(a)]
        return (changed or sorted(after) or ["?"])[0]

    def repro(self, version: str, adapter: str | None = None) -> tuple[str, str]:
        from harness.reporting import repro as repro_scripts

        adapter = adapter or sorted(self._answers(version))[0]
        _, source = repro_scripts.script(self.case, adapter)
        environment = environments.ensure(_requirements(self.framework, version))
        return source, run_script(environment.interpreter, source, {})


@dataclass
class Result:
    framework: Framework
    last_same: str  # the newest release that answers as `good` does
    first_differs: str | None  # the first release after it that answers otherwise
    answers: dict[str, Answer]
    skipped: dict[str, str]  # release -> why it could not be probed


def index_versions(package: str) -> list[str]:
    """The stable releases the package index offers (pip's listing), oldest first; [] when
    it cannot be asked."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "index", "versions", package],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = re.search(r"Available versions: (.*)", done.stdout)
    listed = [v.strip() for v in found.group(1).split(",")] if found else []
    return sorted((v for v in listed if stable(v)), key=version_key)


def candidates(framework: Framework, good: str, bad: str, given: list[str] | None) -> list[str]:
    """The releases to search, oldest first, from `good` to `bad` inclusive."""
    pool = given or index_versions(framework.packages[0])
    if not pool:
        pool = [framework.pinned, framework.latest, *framework.earlier]
    low, high = version_key(good), version_key(bad)
    if low >= high:
        raise UsageError(f"--good {good} must be older than --bad {bad}")
    inside = {v for v in pool if low <= version_key(v) <= high} | {good, bad}
    return sorted(inside, key=version_key)


def bisect(
    framework: Framework,
    probe: Probe,
    good: str | None,
    bad: str | None,
    given: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """The first release between `good` and `bad` whose answer differs from `good`'s."""
    good = good or framework.earlier[-1]
    bad = bad or framework.pinned
    order = candidates(framework, good, bad, given)
    answers: dict[str, Answer] = {}
    skipped: dict[str, str] = {}

    def ask(version: str) -> Answer | None:
        if version not in answers and version not in skipped:
            if progress:
                progress(f"{framework.name}=={version}: installing (if need be) and running")
            try:
                answers[version] = probe.answer(version)
            except UsageError as error:
                if version in (good, bad):
                    raise
                skipped[version] = str(error)
        return answers.get(version)

    first, last = ask(good), ask(bad)
    if first is None or last is None or first.key == last.key:
        return Result(framework, bad, None, answers, skipped)
    low, high = 0, len(order) - 1
    while high - low > 1:
        middle = (low + high) // 2
        found = ask(order[middle])
        if found is None:  # not installable: search without it
            order.pop(middle)
            high -= 1
            continue
        if found.key == first.key:
            low = middle
        else:
            high = middle
    return Result(framework, order[low], order[high], answers, skipped)


def describe(result: Result, probe: Probe) -> str:
    """The bisection's outcome in words, with the repro and its output on both sides."""
    name = result.framework.name
    lines = []
    for version in sorted(result.answers, key=version_key):
        lines.append(f"  {name}=={version}: {result.answers[version].line}")
    for version, why in result.skipped.items():
        lines.append(f"  {name}=={version}: not probed ({why})")
    if result.first_differs is None:
        return "\n".join([f"no change: every probed release of {name} answers alike", *lines])
    old, new = result.last_same, result.first_differs
    head = [
        f"first release of {name} whose answer differs: {name}=={new} (the release before it "
        f"among those probed: {name}=={old})",
        *lines,
    ]
    if isinstance(probe, CaseProbe):
        adapter = probe.changed_adapter(old, new)
        sides = [(v, probe.repro(v, adapter)) for v in (old, new)]
    else:
        sides = [(v, probe.repro(v)) for v in (old, new)]
    body = []
    for version, (_, output) in sides:
        body += [
            "",
            f"--- on {name}=={version} ({install_line(result.framework, version)}):",
            result.answers[version].text if version in result.answers else "",
            "output of the repro:",
            output,
        ]
    return "\n".join([*head, "", "repro (the framework's own code):", sides[0][1][0], *body])
