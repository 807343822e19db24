"""Throughput of `convharness run` against a bare loop, on one fixed case set per operator.

    python benchmarks/throughput.py [--cases 500] [--seed 0] [--all-variants]
        [--op OP | --ops conv2d,max_pool2d | --all-ops]

For each operator (conv2d alone by default; any of the three families), draws one fixed set of
float32 cases of it, then times, each in its own process tree:
  bare   benchmarks/bare_loop.py: the same framework calls, one after another, one process
  cold   `convharness run` as a user first runs it: no warm workers running (it starts them),
         an empty JAX compile cache
  warm   the same command again: the warm workers the cold run started, the cache it filled
  own workers   the same with --no-warm: workers of its own, which import their frameworks
         afresh, and the warm compile cache
and prints, one table per operator, wall times, the ratios to the bare loop, cases/s per adapter,
the peak memory of each process tree (the command and its workers, warm ones included) and where
the CPU time went: the main process (planning, assessment, the store) and each variant's worker.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ops
from harness.case import OPS as ALL_OPS
from harness.model.strategies import draw_cases
from harness.running.store import Store

OPS = tuple(ALL_OPS)

ROOT = Path(__file__).resolve().parent.parent
BASE_VARIANTS = "torch,tensorflow,keras-tensorflow,jax,flax"  # what one process can host


TICK = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    return children


def _tree(root: int) -> list[int]:
    """A process and all its descendants."""
    children, found, stack = _children(), [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


PAGE = os.sysconf("SC_PAGE_SIZE")
PSS_EVERY = 2.0  # seconds: reading smaps_rollup walks a process's page tables (tens of ms for a
# framework's worker, under its memory lock), so at every tick it would slow what it measures


def _rss(pids: list[int]) -> int:
    """RSS bytes of these processes, from /proc/PID/statm (a counter: cheap to read). RSS counts
    a shared library page once per process that maps it."""
    rss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                rss += int(statm.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return rss


def _pss(pids: list[int]) -> int:
    """PSS bytes of these processes, from smaps_rollup: PSS splits a shared page between the
    processes that map it, so the sum is the memory the tree really holds."""
    pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                lines = [line for line in rollup if line.startswith("Pss:")]
            pss += sum(int(line.split()[1]) * 1024 for line in lines)
        except OSError:
            pass
    return pss


def _cpu(pid: int) -> tuple[str, float] | None:
    """(process name, CPU seconds used so far: user and system) of a process."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            head, tail = stat.read().rsplit(")", 1)
    except OSError:
        return None
    fields = tail.split()
    return head.split("(", 1)[1], (int(fields[11]) + int(fields[12])) / TICK


def _role(pid: int, root: int, name: str) -> str:
    """main (the command's own process), a worker by its variant, or other."""
    if pid == root:
        return "main"
    return name.removeprefix("ch:") if name.startswith("ch:") else "other"


def _warm_workers(warm_dir: str | None) -> list[int]:
    """The warm workers living in `warm_dir` (CONVHARNESS_WARM_DIR in their environment): they
    outlive the command that started them, so they are not in its process tree."""
    if not warm_dir:
        return []
    mark = f"CONVHARNESS_WARM_DIR={warm_dir}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as environ:
                    if mark in environ.read().split(b"\0"):
                        found.append(int(entry))
            except OSError:
                continue
    return found


def timed(
    command: list[str], ok: tuple[int, ...] = (0, 1), env: dict[str, str] | None = None
) -> tuple[float, tuple[int, int], str, dict[str, float]]:
    """(wall seconds, peak (RSS, PSS) in bytes, stdout, CPU seconds by role) of a command exiting
    in `ok`, counting its process tree and the warm workers of its CONVHARNESS_WARM_DIR. CPU and
    RSS are sampled every 0.2 s (a process's last CPU sample counts, less what it had used
    before), PSS every PSS_EVERY s, the warm workers looked for every second."""
    warm_dir = (env or {}).get("CONVHARNESS_WARM_DIR")
    before = {pid: sample[1] for pid in _warm_workers(warm_dir) if (sample := _cpu(pid))}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    peak_rss = peak_pss = 0
    last: dict[int, tuple[str, float]] = {}
    warm: list[int] = []
    looked = pss_at = float("-inf")
    while process.poll() is None:
        now = time.perf_counter()
        if now - looked >= 1.0:
            warm, looked = _warm_workers(warm_dir), now
        pids = sorted(set(_tree(process.pid)) | set(warm))
        peak_rss = max(peak_rss, _rss(pids))
        if now - pss_at >= PSS_EVERY:
            peak_pss, pss_at = max(peak_pss, _pss(pids)), now
        for pid in pids:
            if (sample := _cpu(pid)) is not None:
                spent = sample[1] - before.get(pid, 0.0)
                last[pid] = (_role(pid, process.pid, sample[0]), spent)
        time.sleep(0.2)
    out = process.stdout.read() if process.stdout else ""
    if process.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} failed with {process.returncode}")
    cpu: dict[str, float] = {}
    for role, seconds in last.values():
        cpu[role] = cpu.get(role, 0.0) + seconds
    return time.perf_counter() - started, (peak_rss, peak_pss), out, cpu


def _split(cpu: dict[str, float]) -> str:
    workers = {role: s for role, s in cpu.items() if role not in ("main", "other")}
    shown = ", ".join(f"{role} {s:.1f}" for role, s in sorted(workers.items()))
    return f"main {cpu.get('main', 0.0):.1f}, workers {sum(workers.values()):.1f} ({shown})" + (
        f", other {cpu['other']:.1f}" if cpu.get("other") else ""
    )


def _ops(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    if args.all_ops:
        return list(OPS)
    ops = [op.strip() for op in args.ops.split(",") if op.strip()] if args.ops else [args.op]
    unknown = [op for op in ops if op not in OPS]
    if unknown or not ops:
        parser.error(f"unknown op {', '.join(unknown) or '(none)'}; known: {', '.join(OPS)}")
    return list(dict.fromkeys(ops))


def measure(op: str, args: argparse.Namespace, work: Path) -> dict[str, float]:
    """Times the bare loop and the harness runs on `args.cases` float32 cases of `op`; prints
    the operator's table and returns its ratios."""
    # the operator's cases as `run` plans them (its family's strategy, the wide regime and the
    # focus regions), in float32, the dtype every framework here computes
    float32 = ops.of_op(op).strategy(op).map(lambda c: dataclasses.replace(c, dtype="float32"))
    drawn = draw_cases(args.cases, args.seed, float32)
    work = work / op
    work.mkdir()
    case_file = work / "cases.jsonl"
    case_file.write_text("".join(json.dumps(c.to_json()) + "\n" for c in drawn))
    cache = work / "jax-cache"  # each operator's cold run starts from an empty cache
    print(f"\n== {op}: {len(drawn)} float32 cases (seed {args.seed})", flush=True)

    bare_command = [sys.executable, "benchmarks/bare_loop.py", str(case_file)]
    bare_s, bare_memory, bare_out, bare_cpu = timed(bare_command, ok=(0,))
    bare = json.loads(bare_out.strip().splitlines()[-1])
    runs: dict[str, tuple[float, tuple[int, int], Path]] = {}
    cpu: dict[str, dict[str, float]] = {}
    # (label, variants, flags): `run` as a user runs it, first (it starts the warm workers) and
    # again; then on workers of its own, which import their frameworks afresh
    labels: list[tuple[str, str | None, list[str]]] = [
        ("cold", BASE_VARIANTS, []),
        ("warm", BASE_VARIANTS, []),
    ]
    if args.all_variants:
        labels.append(("all variants", None, []))  # their workers start here
    labels.append(("own workers", BASE_VARIANTS, ["--no-warm"]))
    env = {**os.environ, "CONVHARNESS_WARM_DIR": str(work / "warm")}  # this operator's own
    for name in ("CONVHARNESS_WARM", "CONVHARNESS_POOL"):  # `run` as it is by default
        env.pop(name, None)
    stop = [sys.executable, "-m", "harness.cli", "workers", "stop"]
    try:
        for label, variants, flags in labels:
            if "--no-warm" in flags:  # idle warm workers would hold memory through it
                subprocess.run(stop, cwd=ROOT, env=env, capture_output=True)
            store_path = work / f"{label.replace(' ', '-').replace(',', '')}.db"
            command = [sys.executable, "-m", "harness.cli", "run", "--cases", str(case_file)]
            command += ["--store", str(store_path), "--compile-cache", str(cache), "--quiet"]
            command += flags + (["--variants", variants] if variants else [])
            seconds, memory, _, cpu[label] = timed(command, env=env)
            runs[label] = (seconds, memory, store_path)
    finally:
        subprocess.run(stop, cwd=ROOT, env=env, capture_output=True)

    gib = 1024**3
    print(
        f"{'run':<28} {'wall s':>8} {'x bare':>7} {'cases/s':>8} {'peak RSS GiB':>13} "
        f"{'peak PSS GiB':>13}"
    )
    rows = [("bare loop", bare_s, bare_memory)]
    rows += [(f"harness {label}", seconds, memory) for label, (seconds, memory, _) in runs.items()]
    for label, seconds, (rss, pss) in rows:
        print(
            f"{label:<28} {seconds:8.1f} {seconds / bare_s:7.2f} {len(drawn) / seconds:8.1f} "
            f"{rss / gib:13.2f} {pss / gib:13.2f}"
        )
    print(f"(bare loop: {bare['calls']} framework calls, {bare['seconds']:.1f} s inside)")
    print("\nCPU seconds (user + system) by process:")
    print(f"  {'bare loop':<22} {sum(bare_cpu.values()):.1f}")
    for label, split in cpu.items():
        print(f"  {'harness ' + label:<22} {sum(split.values()):.1f}: {_split(split)}")
    print("\ncases/s per adapter (time inside the framework call, warm run):")
    with Store.open(runs["warm"][2], writable=False) as store:
        for name, (n, spent) in sorted(store.adapter_seconds().items()):
            print(f"  {name:<34} {n / spent if spent else float('inf'):9.1f}")
    peak_rss = max(runs[label][1][0] for label in ("cold", "warm", "own workers"))
    ratios = {
        "bare": bare_s,
        "cold": runs["cold"][0] / bare_s,
        "warm": runs["warm"][0] / bare_s,
        "own workers": runs["own workers"][0] / bare_s,
        "rss": peak_rss / gib,
    }
    print(
        f"\ntargets: warm <= 0.5x bare: {ratios['warm']:.2f}; "
        f"cold <= 1.0x bare: {ratios['cold']:.2f}; "
        f"peak RSS <= 4 GiB: {ratios['rss']:.2f} "
        f"(own workers, --no-warm: {ratios['own workers']:.2f})",
        flush=True,
    )
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500, help="cases per operator")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--all-variants",
        action="store_true",
        help="also time a run on every variant (not comparable to the bare loop)",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--op", choices=list(OPS), default="conv2d", help="default: conv2d")
    which.add_argument("--ops", metavar="A,B", help="several operators, one table each")
    which.add_argument("--all-ops", action="store_true", help=f"every operator: {', '.join(OPS)}")
    args = parser.parse_args()
    ops = _ops(args, parser)

    work = Path(tempfile.mkdtemp(prefix="convharness-bench-"))
    print(
        f"{args.cases} float32 cases per operator ({', '.join(ops)}; seed {args.seed}); "
        f"machine: {os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}",
        flush=True,
    )
    results = {op: measure(op, args, work) for op in ops}
    if len(results) > 1:
        print(
            f"\n{'op':<17} {'bare s':>7} {'cold x bare':>12} {'warm x bare':>12} "
            f"{'own workers':>13} {'peak RSS GiB':>13}"
        )
        for op, r in results.items():
            print(
                f"{op:<17} {r['bare']:7.1f} {r['cold']:12.2f} {r['warm']:12.2f} "
                f"{r['own workers']:13.2f} {r['rss']:13.2f}"
            )


if __name__ == "__main__":
    main()
