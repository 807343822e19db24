"""Release sets: which releases of a framework to run (data/releases.toml, `--releases`), the
requirement set each needs, and the release variants that run them in their environments.

A release variant is one of the framework's variants (data/variants.toml) run by its release
environment's interpreter: `jax@jax==0.8.3`, whose adapters are named `jax.lax{jax==0.8.3}`.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from harness.catalog import variants as variant_data
from harness.catalog.variants import Variant
from harness.errors import UsageError
from harness.releases import environments

_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*([a-z]+[0-9]*)?(\.post[0-9]+)?(\.dev[0-9]+)?$")
_KEYS = {"packages", "with", "companions", "variants", "pinned", "latest", "earlier"}
_KEYS |= {"prerelease", "follow"}


@dataclass(frozen=True)
class Framework:
    """How one framework's releases are installed and which of them the nightly follows."""

    name: str
    packages: tuple[str, ...]
    extra: tuple[str, ...]  # `with`: unpinned companions (a Keras backend)
    variants: tuple[str, ...]
    pinned: str
    latest: str
    earlier: tuple[str, ...]
    prerelease: tuple[tuple[str, ...], ...]
    follow: bool
    companions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # release -> its own `with`

    def requirements(self, version: str) -> tuple[str, ...]:
        """The requirement set of one release: its packages at it, and its companions (the
        release's own, where the data names them, else `with`)."""
        extra = dict(self.companions).get(version, self.extra)
        return (*(f"{p}=={version}" for p in self.packages), *extra)

    def followed(self) -> list[tuple[str, ...]]:
        """The requirement sets the nightly runs: pinned, latest, earlier, pre-releases."""
        versions = dict.fromkeys([self.pinned, self.latest, *self.earlier])
        return [self.requirements(v) for v in versions] + [tuple(p) for p in self.prerelease]


@dataclass(frozen=True)
class ReleaseSet:
    """One release of one framework, as requested."""

    framework: Framework
    requirements: tuple[str, ...]

    @property
    def asked(self) -> str:
        return " ".join(self.requirements)


def _check_version(framework: str, key: str, version: object) -> str:
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ValueError(f"releases: {framework}.{key}: {version!r} is not a release version")
    return version


def _framework(name: str, raw: dict) -> Framework:
    unknown = set(raw) - _KEYS
    if unknown:
        raise ValueError(f"releases: {name}: unknown keys {', '.join(sorted(unknown))}")
    packages = tuple(raw.get("packages", ()))
    if not packages:
        raise ValueError(f"releases: {name} names no packages")
    for listed in (*packages, *raw.get("with", ()), *raw.get("variants", ())):
        if not isinstance(listed, str) or not listed:
            raise ValueError(f"releases: {name}: {listed!r} is not a name")
    prerelease = tuple(tuple(s) for s in raw.get("prerelease", ()))
    for listed_set in prerelease:  # checked; kept in order: the first names the release
        environments.requirement_set(listed_set)
    return Framework(
        name=name,
        packages=packages,
        extra=tuple(raw.get("with", ())),
        variants=tuple(raw.get("variants", ())),
        pinned=_check_version(name, "pinned", raw.get("pinned")),
        latest=_check_version(name, "latest", raw.get("latest")),
        earlier=tuple(_check_version(name, "earlier", v) for v in raw.get("earlier", ())),
        prerelease=prerelease,
        follow=bool(raw.get("follow", False)),
        companions=tuple(
            (_check_version(name, "companions", v), tuple(environments.requirement_set(r)))
            for v, r in raw.get("companions", {}).items()
        ),
    )


@cache
def load() -> dict[str, Framework]:
    """data/releases.toml, validated: a malformed entry is a ValueError naming it."""
    text = resources.files("harness").joinpath("data/releases.toml").read_text()
    return parse(text)


def parse(text: str) -> dict[str, Framework]:
    data = tomllib.loads(text)
    if data.get("schema") != 1:
        raise ValueError("releases: unsupported schema")
    unknown = set(data) - {"schema", "framework", "change"}
    if unknown:
        raise ValueError(f"releases: unknown tables {', '.join(sorted(unknown))}")
    found = {name: _framework(name, raw) for name, raw in data.get("framework", {}).items()}
    for framework in found.values():
        if len(framework.earlier) < 2:
            raise ValueError(f"releases: {framework.name} follows fewer than two earlier minors")
    for raw in data.get("change", []):
        _change(raw, found)
    return found


@dataclass(frozen=True)
class Change:
    """A behaviour change between two releases, measured by bisection (data/releases.toml)."""

    framework: str
    adapter: str
    case: str  # the case, as JSON
    good: str
    bad: str
    last_before: str
    first: str
    before: str
    after: str
    citation: str


def _change(raw: dict, frameworks: dict[str, Framework]) -> Change:
    fields = {f.name for f in dataclasses.fields(Change)}
    if set(raw) != fields:
        raise ValueError(f"releases: a change needs exactly {', '.join(sorted(fields))}")
    if raw["framework"] not in frameworks:
        raise ValueError(f"releases: a change of unknown framework {raw['framework']!r}")
    for key in ("good", "bad", "last_before", "first"):
        _check_version(raw["framework"], f"change.{key}", raw[key])
    return Change(**{k: str(v) for k, v in raw.items()})


@cache
def changes() -> tuple[Change, ...]:
    """The measured behaviour changes."""
    text = resources.files("harness").joinpath("data/releases.toml").read_text()
    frameworks = parse(text)
    return tuple(_change(raw, frameworks) for raw in tomllib.loads(text).get("change", []))


def _framework_named(name: str) -> Framework:
    known = load()
    if name not in known:
        raise UsageError(f"no releases known for {name!r}; choose from {','.join(known)}")
    return known[name]


def parse_releases(flags: list[str]) -> list[ReleaseSet]:
    """`--releases jax=0.8.3,0.9.2` (repeatable); `pinned`, `latest`, `prerelease` (the
    pre-release sets data/releases.toml names) and `followed` (all the nightly's sets) for a
    framework's versions; or `followed` alone (every followed framework's)."""
    chosen: list[ReleaseSet] = []
    for flag in flags:
        if flag.strip() == "followed":
            for framework in load().values():
                if framework.follow:
                    chosen += [ReleaseSet(framework, r) for r in framework.followed()]
            continue
        name, equals, versions = flag.partition("=")
        if not equals or not versions.strip():
            raise UsageError(f"--releases wants FRAMEWORK=VERSION[,VERSION...], got {flag!r}")
        framework = _framework_named(name.strip())
        for version in (v.strip() for v in versions.split(",") if v.strip()):
            if version == "followed":
                chosen += [ReleaseSet(framework, r) for r in framework.followed()]
            elif version == "prerelease":
                chosen += [ReleaseSet(framework, tuple(p)) for p in framework.prerelease]
            elif version in ("pinned", "latest"):
                chosen.append(
                    ReleaseSet(framework, framework.requirements(getattr(framework, version)))
                )
            else:
                _check_release(framework, version)
                chosen.append(ReleaseSet(framework, framework.requirements(version)))
    return list(dict.fromkeys(chosen))


def _check_release(framework: Framework, version: str) -> None:
    try:
        _check_version(framework.name, "release", version)
    except ValueError:
        raise UsageError(f"{version!r} is not a release of {framework.name}") from None


def _name(requirement: str) -> str:
    """A requirement's distribution name: jax==0.8.3 -> jax."""
    return re.split(r"[=<>!~\[]", requirement, maxsplit=1)[0]


def label(
    framework: Framework, environment: environments.Environment, asked: tuple[str, ...]
) -> str:
    """A release's name: framework==version, the version the environment holds of the
    framework's package in the set (a nightly's, as resolved)."""
    names = [_name(requirement) for requirement in asked]
    mine = [*framework.packages, *(_name(p[0]) for p in framework.prerelease)]
    first = next((n for n in names if n in mine), names[0])
    version = environment.version_of(first) or "?"
    return f"{framework.name}=={version}"


def release_set_of(release: str) -> ReleaseSet:
    """The set a release's name (framework==version) was built from: the framework's
    requirements of it (its companions), else the one an environment built before records (a
    pre-release's, say), else those requirements."""
    name, _, version = release.partition("==")
    framework = load().get(name)
    if framework is None:
        raise UsageError(f"release {release} names a framework whose releases are not known here")
    _check_release(framework, version)
    wanted = ReleaseSet(framework, framework.requirements(version))
    built = [
        ReleaseSet(framework, tuple(asked))
        for environment in environments.every()
        for asked in environment.requested
        if label(framework, environment, tuple(asked)) == release
    ]
    # the set the data asks for (its companions) over another environment of the same release
    ordered = environments.requirement_set(wanted.requirements)
    same = [r for r in built if environments.requirement_set(r.requirements) == ordered]
    return (same or built or [wanted])[0]


def release_variants(chosen: list[ReleaseSet], progress=None) -> list[Variant]:
    """The release variants of every chosen set, each environment built where it is not yet."""
    known = {v.name: v for v in variant_data.load()}
    found: list[Variant] = []
    for release in chosen:
        if progress is not None:
            progress(f"environment for {release.asked}")
        environment = environments.ensure(release.requirements)
        name = label(release.framework, environment, release.requirements)
        for variant_name in release.framework.variants:
            base = known.get(variant_name)
            if base is None:
                continue  # a plugin's variant, and the plugin is not installed here
            found.append(
                dataclasses.replace(
                    base,
                    name=f"{base.name}@{name}",
                    release=name,
                    python=str(environment.interpreter),
                    resolved=tuple(sorted(environment.resolved.items())),
                )
            )
    unique = {v.name: v for v in found}
    return list(unique.values())


def split_name(name: str) -> tuple[str, str]:
    """A release variant's name as (variant, release); ('name', '') for any other."""
    base, at, release = name.partition("@")
    return (base, release) if at else (name, "")
