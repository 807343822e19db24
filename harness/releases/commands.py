"""The release commands: `convharness envs list|add|prune`, `bisect`, `upstream`, and `run
--releases` (its flag, its variants and its verdict counts per release).

harness/cli/ hooks these in with a few lines: add_commands, add_run_flags, add_explain_flags,
chosen_variants, select_names, print_release_counts and COMMANDS.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable

from harness.case import Case, CaseError
from harness.catalog import variants
from harness.catalog.variants import Variant
from harness.errors import UsageError
from harness.releases import environments, sets
from harness.running import memory


def _releases_flag(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--releases",
        action="append",
        default=None,
        metavar="FRAMEWORK=V,V",
        help=help_text,
    )


def add_run_flags(run: argparse.ArgumentParser) -> None:
    _releases_flag(
        run,
        "also run these releases, each in its own environment (built once, under "
        "~/.cache/convharness/envs), on the framework's variants in harness/data/releases.toml "
        "(those of --variants alone, where given): jax=0.8.3,0.9.2; a version may be pinned, "
        "latest, prerelease or followed (the nightly's sets), and `followed` alone is every "
        "followed framework's; repeatable",
    )


def add_explain_flags(explain: argparse.ArgumentParser) -> None:
    _releases_flag(
        explain,
        "also answer on these releases, each in its own environment (as run --releases): "
        "jax=0.8.3,0.9.2; the answers are printed side by side, a column per release",
    )


def add_commands(commands) -> None:
    """The `envs`, `bisect` and `upstream` sub-commands."""
    envs = commands.add_parser("envs", help="the environments of release sets: list, add, prune")
    actions = envs.add_subparsers(dest="envs_action", required=True, parser_class=type(envs))
    actions.add_parser("list", help="every environment, its releases, size and last use")
    add = actions.add_parser("add", help="build (or find) the environment of a release set")
    add.add_argument("requirements", nargs="*", metavar="REQ", help="e.g. jax==0.8.3 jaxlib==0.8.3")
    _releases_flag(add, "the environment of each of these releases: jax=0.8.3,0.9.2")
    prune = actions.add_parser("prune", help="remove environments")
    prune.add_argument("keys", nargs="*", metavar="KEY", help="these (default: the unused)")
    prune.add_argument(
        "--unused-days",
        type=float,
        default=None,
        metavar="DAYS",
        help="those not used for this many days (default 30 when no KEY is named)",
    )
    prune.add_argument("--all", action="store_true", help="every environment")

    bisect = commands.add_parser(
        "bisect", help="the first release of a framework whose answer to a case or finding differs"
    )
    bisect.add_argument("framework", help="e.g. jax, keras, tensorflow")
    target = bisect.add_mutually_exclusive_group(required=True)
    target.add_argument("--finding", metavar="ENTRY", help="a registry entry with a repro")
    target.add_argument("--case", metavar="JSON", help="a case, as JSON (e.g. from a store)")
    bisect.add_argument(
        "--good", metavar="VERSION", help="the older end (default: the oldest followed)"
    )
    bisect.add_argument("--bad", metavar="VERSION", help="the newer end (default: the pinned)")
    bisect.add_argument(
        "--adapter", metavar="NAME", help="with --case: compare this adapter alone (keras[jax])"
    )
    bisect.add_argument(
        "--versions",
        metavar="V,V",
        help="the candidates, comma-separated (default: the package index's stable releases "
        "between the ends, else the followed ones)",
    )

    upstream = commands.add_parser(
        "upstream", help="a ready-to-file report of a registered bug, in the framework's own code"
    )
    upstream.add_argument(
        "finding", nargs="?", metavar="ENTRY", help="a registry entry with a repro"
    )
    upstream.add_argument(
        "--versions", metavar="V,V", help="the releases to run it on (default: the followed ones)"
    )
    upstream.add_argument(
        "--record",
        action="store_true",
        help="run the repro (of ENTRY, or of every registered upstream bug) on the followed "
        "releases and write where it shows to harness/data/repro_releases.json, which the "
        "report reads",
    )
    upstream.add_argument(
        "--missing",
        action="store_true",
        help="with --record: only the registered bugs the table has no row for yet",
    )


def chosen_variants(args: argparse.Namespace) -> list[Variant]:
    """`run`'s and `explain`'s variants: those of --frameworks and --variants, plus those of
    --releases (environments built where need be).

    A name in --variants may be a release variant's (`jax@jax==0.8.3`): that variant runs on
    that release (--releases need not name it), and where every name is one, on no release
    but those: the harness's own environment is left out.
    """
    names = args.variants or []
    released = [n for n in names if sets.split_name(n)[1]]
    plain = [n for n in names if not sets.split_name(n)[1]]
    if released and not plain:
        chosen: list[Variant] = []
    else:
        chosen = variants.select(args.frameworks, plain or None)
    wanted = sets.parse_releases(args.releases) if getattr(args, "releases", None) else []
    wanted += [sets.release_set_of(sets.split_name(n)[1]) for n in released]
    if not wanted:
        return chosen
    quiet = getattr(args, "quiet", False)
    more = sets.release_variants(list(dict.fromkeys(wanted)), None if quiet else _say)
    if names:  # the named variants alone, on each release too
        more = [v for v in more if v.name in released or sets.split_name(v.name)[0] in plain]
        missing = sorted(set(released) - {v.name for v in more})
        if missing:
            raise UsageError(f"no such release variant: {', '.join(missing)}")
        if not more:
            raise UsageError("no variant named in --variants runs the releases asked for")
    return chosen + [v for v in more if v.name not in {c.name for c in chosen}]


def select_names(names: list[str]) -> list[Variant]:
    """A store's variants by name, release variants included (for --resume)."""
    plain = [n for n in names if not sets.split_name(n)[1]]
    chosen = variants.select(names=plain) if plain else []
    wanted: list[sets.ReleaseSet] = []
    for name in names:
        release = sets.split_name(name)[1]
        if release:
            wanted.append(sets.release_set_of(release))
    more = sets.release_variants(list(dict.fromkeys(wanted))) if wanted else []
    return chosen + [v for v in more if v.name in names]


def _release_order(item: tuple[str, object]) -> tuple:
    """framework==version in order: by framework, then by release (0.4.38 before 0.10.2)."""
    from harness.model.versions import version_key

    framework, _, version = item[0].partition("==")
    return framework, version_key(version)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def print_release_counts(store, out=None) -> None:
    """Verdict counts per release (framework==version) of every answer in the store."""
    out = out or sys.stdout
    counts = store.release_counts()
    if not counts:
        return
    print("verdicts per release:", file=out)
    for release, tally in sorted(counts.items(), key=_release_order):
        print(
            f"  {release:<34} " + "  ".join(f"{v} {k}" for k, v in sorted(tally.items())), file=out
        )


# ---- envs ---------------------------------------------------------------------------------


def envs_list(args: argparse.Namespace) -> int:
    found = environments.every()
    if not found:
        print(f"no environments under {environments.root()}")
        return 0
    total = 0
    seen: set[tuple[int, int]] = set()  # the total counts a file environments share once
    for environment in found:
        size = environments.size_of(environment.path)
        total += environments.size_of(environment.path, seen)
        asked = "; ".join(" ".join(r) for r in environment.requested)
        used = time.strftime("%Y-%m-%d", time.localtime(environment.last_used()))
        numpy = environment.version_of("numpy") or "-"
        print(
            f"{environment.key}  {asked:<40} numpy {numpy:<8} {memory.readable(size):>10}  "
            f"built in {environment.build_seconds:.1f} s by {environment.tool.split(' (')[0]}, "
            f"last used {used}"
        )
    cache = environments.size_of(environments.root() / ".uv-cache", seen)
    print(
        f"{len(found)} environments, {memory.readable(total)} on disk under "
        f"{environments.root()}, and {memory.readable(cache)} more in uv's cache"
    )
    return 0


def envs_add(args: argparse.Namespace) -> int:
    wanted: list[tuple[str, ...]] = []
    if args.requirements:
        wanted.append(environments.requirement_set(args.requirements))
    if args.releases:
        wanted += [r.requirements for r in sets.parse_releases(args.releases)]
    if not wanted:
        raise UsageError("envs add needs requirements (jax==0.8.3 jaxlib==0.8.3) or --releases")
    for requirements in wanted:
        environment = environments.ensure(requirements)
        resolved = " ".join(f"{n}=={v}" for n, v in sorted(environment.resolved.items()))
        print(f"{environment.key}  {' '.join(requirements)}\n  resolved: {resolved}")
    return 0


def envs_prune(args: argparse.Namespace) -> int:
    if args.all and args.keys:
        raise UsageError("give KEYs or --all, not both")
    days = args.unused_days
    if days is None and not args.keys and not args.all:
        days = 30.0
    removed = environments.prune(args.keys or None, None if args.all else days)
    for environment in removed:
        print(f"removed {environment.key}  {'; '.join(' '.join(r) for r in environment.requested)}")
    print(f"{len(removed)} environments removed")
    return 0


def envs(args: argparse.Namespace) -> int:
    return {"list": envs_list, "add": envs_add, "prune": envs_prune}[args.envs_action](args)


# ---- bisect and upstream --------------------------------------------------------------------


def _case(text: str) -> Case:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise UsageError(f"--case is not JSON: {error}") from None
    try:
        return Case.from_json(data.get("case", data) if isinstance(data, dict) else data)
    except (CaseError, AttributeError, TypeError) as error:
        raise UsageError(f"--case is not a case: {error}") from None


def _versions(text: str | None) -> list[str] | None:
    return [v.strip() for v in text.split(",") if v.strip()] if text else None


def bisect(args: argparse.Namespace) -> int:
    from harness.releases import bisection

    framework = sets.load().get(args.framework)
    if framework is None:
        raise UsageError(
            f"no releases known for {args.framework!r}; choose from {','.join(sets.load())}"
        )
    probe: bisection.Probe
    if args.finding:
        probe = bisection.FindingProbe(framework, bisection.entry(args.finding))
    else:
        probe = bisection.CaseProbe(framework, _case(args.case), args.adapter)
    result = bisection.bisect(
        framework, probe, args.good, args.bad, _versions(args.versions), progress=_say
    )
    print(bisection.describe(result, probe))
    return 0


def upstream(args: argparse.Namespace) -> int:
    from harness.releases import repro_releases
    from harness.releases import upstream as upstream_report

    if args.missing and not args.record:
        raise UsageError("--missing goes with --record")
    if args.record:
        if args.versions:
            raise UsageError("--record runs the followed releases; drop --versions")
        table = repro_releases.record(
            [args.finding] if args.finding else None, progress=_say, missing=args.missing
        )
        for entry_id in [args.finding] if args.finding else sorted(table):
            shows, clean, failed = repro_releases.describe(table[entry_id])
            framework = table[entry_id]["framework"]
            print(f"{entry_id} ({framework}): shows on {shows}; not on {clean}; failed on {failed}")
        return 0
    if not args.finding:
        raise UsageError("upstream needs an ENTRY (or --record, for every registered bug)")
    print(upstream_report.report(args.finding, _versions(args.versions), progress=_say))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "envs": envs,
    "bisect": bisect,
    "upstream": upstream,
}
