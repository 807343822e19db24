"""The results store: one SQLite file (WAL) per run plan; the only room that writes results.

A store holds one plan (the cases to run, for one shard) and any number of runs
that worked on it. A case is recorded in one transaction with all its outcomes
and divergences, so a run killed at any moment loses at most the cases in flight,
and `--resume` runs exactly the planned cases not yet recorded.

A store has one writer at a time (StoreLock): opening it to write takes an exclusive lock on
the file beside it, `<store>.lock`, which names the holder; a second writer is refused, and
readers take no lock. The kernel releases the lock when its holder exits, however it exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.case import Case, CaseError
from harness.errors import UsageError
from harness.model import registry as registry_data
from harness.model.assess import Answer, CaseReport, stored_divergences
from harness.model.inference import Inferred
from harness.model.verdicts import EXPECTED

SCHEMA_VERSION = 3  # 2: the plan names each case's operator (schema 1: every case is conv2d);
# 3: each outcome names the release set it ran on (schema 2: the harness's own environment)

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE plan (
    idx INTEGER PRIMARY KEY, case_id TEXT NOT NULL UNIQUE, json TEXT NOT NULL,
    op TEXT NOT NULL DEFAULT 'conv2d'
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL, profile TEXT, seed INTEGER,
    shard TEXT, project_commit TEXT, platform TEXT, python TEXT,
    versions TEXT, devices TEXT, variants TEXT, skipped TEXT
);
CREATE TABLE recorded (
    case_id TEXT PRIMARY KEY REFERENCES plan(case_id), run_id INTEGER NOT NULL,
    unexpected INTEGER NOT NULL, unexplained INTEGER NOT NULL
);
CREATE TABLE outcomes (
    case_id TEXT NOT NULL, adapter TEXT NOT NULL, device TEXT NOT NULL, variant TEXT,
    framework TEXT, version TEXT, api TEXT, status TEXT NOT NULL, verdict TEXT NOT NULL,
    known TEXT, rule TEXT, shape TEXT, pads TEXT, pads_inferred TEXT, error_type TEXT,
    message TEXT,
    max_abs_err REAL, rel_err REAL, detail TEXT, seconds REAL, release TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, adapter, device)
);
CREATE TABLE divergences (
    case_id TEXT NOT NULL, aspect TEXT NOT NULL, left TEXT NOT NULL, right TEXT NOT NULL,
    detail TEXT, explained_by TEXT
);
"""


OUTCOME_COLUMNS = (  # every outcome column a store of any schema has, in the table's order
    "case_id, adapter, device, variant, framework, version, api, status, verdict, known, rule, "
    "shape, pads, pads_inferred, error_type, message, max_abs_err, rel_err, detail, seconds"
)


@dataclass(frozen=True)
class Plan:
    """What a store is for: these cases (one shard of a full plan), on these variants."""

    cases: list[tuple[int, Case]]  # (index in the full plan, case), for this shard
    plan_id: str  # identifies the full, unsharded plan: merge joins only equal plan ids
    shard: tuple[int, int] = (1, 1)
    seed: int | None = None
    profile: str = ""
    variants: tuple[str, ...] = ()


def _inferred(ranges: list[list[int]] | None) -> Inferred | None:
    return Inferred(tuple((lo, hi) for lo, hi in ranges)) if ranges else None


def _number(value: float | str | None) -> float | None:
    return value if isinstance(value, float | int) else None


def _read_schema_1(db: sqlite3.Connection, writable: bool) -> None:
    """A schema-1 store holds conv2d cases only: opened to write (resume, merge), it gains the
    plan's `op` column in place; opened to read, a temporary view supplies it."""
    if writable:
        with db:
            db.execute("ALTER TABLE plan ADD COLUMN op TEXT NOT NULL DEFAULT 'conv2d'")
    else:
        db.execute(
            "CREATE TEMP VIEW plan AS SELECT idx, case_id, json, 'conv2d' AS op FROM main.plan"
        )


def _read_schema_2(db: sqlite3.Connection, writable: bool) -> None:
    """A store of schema 1 or 2 ran every outcome on the harness's own environment: opened to
    write, its outcomes gain the `release` column (''); opened to read, a temporary view."""
    if has_release_column(db):
        pass
    elif writable:
        with db:
            db.execute("ALTER TABLE outcomes ADD COLUMN release TEXT NOT NULL DEFAULT ''")
    else:
        db.execute("CREATE TEMP VIEW outcomes AS SELECT *, '' AS release FROM main.outcomes")
    if writable:
        with db:
            db.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
            )


def has_release_column(db: sqlite3.Connection, schema: str = "main") -> bool:
    """Whether a store's outcomes table (in `schema`, e.g. an attached one) has `release`."""
    return any(row[1] == "release" for row in db.execute(f"PRAGMA {schema}.table_info(outcomes)"))


def _command() -> str:
    """This process's command line, short, for a refused writer to read."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    words = ["convharness" if name == "__main__.py" else name, *sys.argv[1:]]
    text = shlex.join(words)
    return text if len(text) <= 200 else text[:197] + "..."


class StoreLock:
    """The right to write one store: an exclusive flock on `<store>.lock`, whose text names the
    holder (its pid and command). A second writer is refused in one line naming the holder.

    The kernel drops a flock when the last descriptor of its holder closes, so a holder that
    dies (kill -9 included) leaves no lock behind, only the file, which the next writer reuses;
    worker processes, being spawned, do not inherit the descriptor. A holder that ends normally
    removes the file (still holding the lock, so a writer that opened the old file in between
    sees it was removed and takes the new one)."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.path = store.with_name(store.name + ".lock")
        self._fd: int | None = None
        self._made: list[Path] = []  # folders made for the lock, removed with it if still empty

    @classmethod
    def take(cls, store: Path) -> StoreLock:
        lock = cls(store)
        lock._acquire()
        return lock

    def _acquire(self) -> None:
        self._made = [d for d in (self.path.parent, *self.path.parent.parents) if not d.exists()]
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as error:
                raise UsageError(f"cannot lock {self.store} to write it: {error}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                raise UsageError(
                    f"{self.store} is being written by {holder}; wait for it to finish "
                    "(reading it, e.g. with `convharness summary`, needs no wait)"
                ) from None
            except OSError as error:
                os.close(fd)
                raise UsageError(f"cannot lock {self.store} to write it: {error}") from None
            try:
                current = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                current = False
            if current:
                break
            os.close(fd)  # its holder removed it as this process opened it: open the new one
        text = json.dumps({"pid": os.getpid(), "command": _command()}) + "\n"
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None
        for folder in self._made:  # deepest first; one that holds a store stays
            with contextlib.suppress(OSError):
                folder.rmdir()

    def __enter__(self) -> StoreLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _holder(fd: int) -> str:
    """Who holds the lock on `fd`'s file, in words: 'process PID (COMMAND)'. A holder writes
    its name just after locking: wait a moment for it."""
    deadline = time.monotonic() + 1.0
    while True:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            about = json.loads(os.pread(fd, 4096, 0).decode())
            return f"process {int(about['pid'])} ({about['command']})"
        if time.monotonic() > deadline:
            return "another process"
        time.sleep(0.05)


class Store:
    def __init__(
        self, path: Path, connection: sqlite3.Connection, lock: StoreLock | None = None
    ) -> None:
        """`lock`: the writer's lock this store releases when it closes (None: a reader, or
        a writer whose caller holds the lock and releases it)."""
        self.path = path
        self.db = connection
        self._lock = lock

    # opening

    @classmethod
    def create(cls, path: Path, plan: Plan, lock: StoreLock | None = None) -> Store:
        """A new store for `plan`, open to write; `lock`: the store's lock, already held by the
        caller (default: taken here, and released by close)."""
        own = StoreLock.take(path) if lock is None else None
        try:
            cls._write_new(path, plan)
            store = cls.open(path, lock=lock or own)
        except BaseException:
            if own is not None:
                own.release()
            raise
        store._lock = own
        return store

    @staticmethod
    def _write_new(path: Path, plan: Plan) -> None:
        if path.exists():
            raise UsageError(
                f"{path} already exists; use --resume to continue it, or choose another --store"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        with closing(sqlite3.connect(partial)) as db, db:
            db.executescript(SCHEMA)
            meta = {
                "schema_version": SCHEMA_VERSION,
                "plan_id": plan.plan_id,
                "shard": f"{plan.shard[0]}/{plan.shard[1]}",
                "seed": plan.seed,
                "profile": plan.profile,
                "variants": list(plan.variants),
            }
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()]
            )
            db.executemany(
                "INSERT INTO plan VALUES (?, ?, ?, ?)",
                [(i, c.id, json.dumps(c.to_json()), c.op) for i, c in plan.cases],
            )
        os.replace(partial, path)  # a store exists whole, or not at all

    @classmethod
    def open(cls, path: Path, writable: bool = True, lock: StoreLock | None = None) -> Store:
        """Open an existing store, refusing (and leaving untouched) one this code cannot read.
        To write, the store's lock is needed: `lock`, held by the caller, or one taken here
        (refused while another process writes the store) and released by close."""
        if not path.is_file():
            raise UsageError(f"no store at {path}")
        own = StoreLock.take(path) if writable and lock is None else None
        try:
            return cls._open(path, writable, own)
        except BaseException:
            if own is not None:
                own.release()
            raise

    @classmethod
    def _open(cls, path: Path, writable: bool, own: StoreLock | None) -> Store:
        try:
            with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                version = json.loads(
                    db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
                )
                tables = {
                    row[0]
                    for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
        except (sqlite3.DatabaseError, TypeError, ValueError):
            raise UsageError(f"{path} is not a convharness store") from None
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise UsageError(
                f"{path} has store schema {version}; this convharness reads "
                f"schema {SCHEMA_VERSION}: upgrade convharness"
            )
        if version < 1 or not {"plan", "runs", "outcomes", "recorded"} <= tables:
            raise UsageError(f"{path} has an older or incomplete store schema {version}")
        mode = "rw" if writable else "ro"
        db = sqlite3.connect(f"file:{path}?mode={mode}", uri=True)
        if writable:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        if version == 1:
            _read_schema_1(db, writable)
        if version < 3:
            _read_schema_2(db, writable)
        return cls(path, db, own)

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # reading

    def meta(self) -> dict[str, Any]:
        return {k: json.loads(v) for k, v in self.db.execute("SELECT key, value FROM meta")}

    def planned(self) -> list[tuple[int, Case]]:
        """(index in the full plan, case) for every case this store is to hold."""
        try:
            return [
                (idx, Case.from_json(json.loads(text)))
                for idx, text in self.db.execute("SELECT idx, json FROM plan ORDER BY idx")
            ]
        except (CaseError, ValueError) as error:
            raise UsageError(f"{self.path} holds a malformed case: {error}") from None

    def recorded_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT case_id FROM recorded")}

    def pending(self) -> list[Case]:
        done = self.recorded_ids()
        return [case for _, case in self.planned() if case.id not in done]

    def verdict_counts(self) -> dict[str, Counter]:
        """adapter@device -> verdict -> count; known upstream bugs count as 'VERDICT (known)'."""
        counts: dict[str, Counter] = {}
        rows = self.db.execute(
            "SELECT adapter, device, verdict, known IS NOT NULL, COUNT(*) FROM outcomes "
            "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2"
        )
        for adapter, device, verdict, known, n in rows:
            label = verdict + (" (known)" if known else "")
            counts.setdefault(f"{adapter}@{device}", Counter())[label] += n
        return counts

    def release_counts(self) -> dict[str, Counter]:
        """framework==version (the release each answer ran on) -> verdict -> count; answers
        with no version (a framework that did not run) are left out."""
        counts: dict[str, Counter] = {}
        rows = self.db.execute(
            "SELECT framework || '==' || version, verdict, known IS NOT NULL, COUNT(*) "
            "FROM outcomes WHERE COALESCE(version, '') != '' GROUP BY 1, 2, 3 ORDER BY 1"
        )
        for release, verdict, known, n in rows:
            label = verdict + (" (known)" if known else "")
            counts.setdefault(release, Counter())[label] += n
        return counts

    def release_rows(self) -> Iterable[tuple]:
        """Every answer with its release: case id, adapter, device, framework, version,
        release, status, verdict, known, shape, pads_inferred, error_type, message."""
        return self.db.execute(
            "SELECT case_id, adapter, device, framework, version, release, status, verdict, "
            "known, shape, pads_inferred, error_type, message FROM outcomes "
            "WHERE COALESCE(version, '') != '' ORDER BY case_id, adapter, device"
        )

    def attention(self) -> tuple[int, int]:
        """(unexpected verdicts, unexplained divergences) over every recorded case."""
        row = self.db.execute(
            "SELECT COALESCE(SUM(unexpected), 0), COALESCE(SUM(unexplained), 0) FROM recorded"
        )
        return tuple(row.fetchone())

    def unexpected(self) -> Iterator[tuple[str, str, str, str]]:
        """(case json, adapter@device, verdict, detail) of every unexpected verdict."""
        expected = sorted(EXPECTED)  # the one list of expected verdicts (verdicts.py)
        yield from self.db.execute(
            "SELECT p.json, o.adapter || '@' || o.device, o.verdict, o.detail FROM outcomes o "
            "JOIN plan p ON p.case_id = o.case_id WHERE o.known IS NULL AND o.verdict NOT IN "
            f"({', '.join('?' * len(expected))}) ORDER BY p.idx",
            expected,
        )

    # shrunk findings: a table of their own, created by the first shrink, so stores of every
    # schema version open as before and older code reading this store ignores it

    def record_shrunk(
        self,
        case_id: str,
        target: str,
        shrunk: Case,
        ending: str,
        tries: int,
        seconds: float,
    ) -> None:
        """Keep the smallest case found for one finding of a recorded case (target: its JSON
        description); a later shrink of the same finding replaces it."""
        with self.db:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS shrunk (case_id TEXT NOT NULL, target TEXT NOT NULL,"
                " json TEXT NOT NULL, ending TEXT NOT NULL, tries INTEGER, seconds REAL,"
                " PRIMARY KEY (case_id, target))"
            )
            self.db.execute(
                "INSERT OR REPLACE INTO shrunk VALUES (?, ?, ?, ?, ?, ?)",
                (case_id, target, json.dumps(shrunk.to_json()), ending, tries, seconds),
            )

    def shrunk_rows(self) -> list[tuple[str, str, Case, str, int, float]]:
        """(case id, target, smallest case, ending, tries, seconds) of every shrunk finding."""
        exists = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'shrunk'"
        ).fetchone()
        if not exists:
            return []
        try:
            return [
                (cid, target, Case.from_json(json.loads(text)), ending, tries, seconds)
                for cid, target, text, ending, tries, seconds in self.db.execute(
                    "SELECT case_id, target, json, ending, tries, seconds FROM shrunk "
                    "ORDER BY case_id, target"
                )
            ]
        except (CaseError, ValueError) as error:
            raise UsageError(f"{self.path} holds a malformed shrunk case: {error}") from None

    def outcome_rows(self) -> Iterable[tuple]:
        """Every outcome, as the report reads it."""
        return self.db.execute(
            "SELECT case_id, adapter, device, variant, framework, version, api, status, "
            "verdict, known, rule, pads_inferred, error_type, message, detail, shape, "
            "max_abs_err FROM outcomes"
        )

    def divergence_rows(self) -> Iterable[tuple[str, str, str, str, str, str | None]]:
        """(case id, aspect, left, right, detail, explained_by) of every divergence."""
        return self.db.execute(
            "SELECT case_id, aspect, left, right, detail, explained_by FROM divergences"
        )

    def first_marks(self) -> dict[str, int]:
        """Registry entry -> the plan position (from 1) of the first case it explains, in an
        answer (known) or in a divergence (explained_by)."""
        rows = self.db.execute(
            "SELECT mark, MIN(idx) FROM ("
            " SELECT o.known AS mark, p.idx AS idx FROM outcomes o JOIN plan p USING (case_id)"
            " WHERE o.known IS NOT NULL UNION ALL"
            " SELECT d.explained_by, p.idx FROM divergences d JOIN plan p USING (case_id)"
            " WHERE d.explained_by IS NOT NULL) GROUP BY mark"
        )
        return {mark: idx + 1 for mark, idx in rows}

    def run_rows(self) -> Iterable[tuple]:
        """Every run, oldest first: id, started, finished, project_commit, platform, python,
        versions, devices, variants, skipped."""
        return self.db.execute(
            "SELECT id, started, finished, project_commit, platform, python, versions, "
            "devices, variants, skipped FROM runs ORDER BY id"
        )

    def rejudge(self, case: Case) -> None:
        """Compare a case's stored answers anew (their outputs are gone: see
        assess.stored_divergences) and mark it recorded, in one transaction."""
        rows = self.db.execute(
            "SELECT adapter, device, framework, status, shape, verdict, known, rule, "
            "pads_inferred, message FROM outcomes WHERE case_id = ? ORDER BY adapter, device",
            (case.id,),
        ).fetchall()
        answers = [
            Answer(
                f"{adapter}@{device}",
                framework,
                status,
                tuple(json.loads(shape) or ()) or None,
                verdict,
                known,
                rule,
                _inferred(json.loads(inferred or "null")),
                message or "",
            )
            for (
                adapter,
                device,
                framework,
                status,
                shape,
                verdict,
                known,
                rule,
                inferred,
                message,
            ) in rows
        ]
        (run_id,) = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()
        found = stored_divergences(case, answers, registry_data.load())
        unexpected = sum(1 for a in answers if a.verdict not in EXPECTED and not a.known)
        with self.db:
            self.db.execute("DELETE FROM divergences WHERE case_id = ?", (case.id,))
            self.db.executemany(
                "INSERT INTO divergences VALUES (?,?,?,?,?,?)",
                [(case.id, d.aspect, d.left, d.right, d.detail, d.explained_by) for d in found],
            )
            self.db.execute(
                "INSERT OR REPLACE INTO recorded VALUES (?,?,?,?)",
                (case.id, run_id, unexpected, sum(1 for d in found if d.explained_by is None)),
            )

    def divergent_adapters(self, case_id: str) -> list[str]:
        """The adapter names (no device) on either side of a case's divergences."""
        names: set[str] = set()
        for left, right in self.db.execute(
            "SELECT left, right FROM divergences WHERE case_id = ?", (case_id,)
        ):
            names.update(side.rsplit("@", 1)[0] for side in (left, right))
        return sorted(names)

    def adapter_seconds(self) -> dict[str, tuple[int, float]]:
        """adapter@device -> (outcomes, seconds spent in the framework)."""
        return {
            name: (n, seconds)
            for name, n, seconds in self.db.execute(
                "SELECT adapter || '@' || device, COUNT(*), SUM(seconds) FROM outcomes GROUP BY 1"
            )
        }

    def case_seconds(self) -> dict[str, list[float]]:
        """variant -> the seconds its adapters spent on each case they answered (a case that
        timed out or crashed has no time)."""
        times: dict[str, list[float]] = {}
        for variant, seconds in self.db.execute(
            "SELECT variant, SUM(seconds) FROM outcomes WHERE variant IS NOT NULL "
            "GROUP BY case_id, variant HAVING COUNT(seconds) > 0"
        ):
            times.setdefault(variant, []).append(seconds)
        return times

    # writing

    def start_run(self, environment: dict[str, Any]) -> int:
        meta = self.meta()
        with self.db:
            cursor = self.db.execute(
                "INSERT INTO runs (started, profile, seed, shard, project_commit, platform, "
                "python, versions, devices, variants, skipped) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    time.time(),
                    meta.get("profile"),
                    meta.get("seed"),
                    meta.get("shard"),
                    environment.get("project_commit"),
                    environment.get("platform"),
                    environment.get("python"),
                    json.dumps(environment.get("versions", {})),
                    json.dumps(environment.get("devices", [])),
                    json.dumps(environment.get("variants", {})),
                    json.dumps(environment.get("skipped", {})),
                ),
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (time.time(), run_id))

    def record(self, run_id: int, report: CaseReport) -> None:
        """Commit one case: its outcomes, its divergences, and the mark that it is done."""
        case_id = report.case.id
        rows = []
        for result in report.results:
            r = result.record()
            rows.append(
                (
                    case_id,
                    r["adapter"],
                    r["device"],
                    result.outcome.info.variant,
                    r["framework"],
                    r["version"],
                    r["api"],
                    r["status"],
                    r["verdict"],
                    r["known"],
                    r["rule"],
                    json.dumps(r["shape"]),
                    json.dumps(r["pads"]),
                    json.dumps(r["pads_inferred"]),
                    (r["error"] or {}).get("type"),
                    (r["error"] or {}).get("message"),
                    _number(r["max_abs_err"]),
                    _number(r["rel_err"]),
                    r["detail"],
                    result.outcome.seconds,
                    result.outcome.info.release,
                )
            )
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO outcomes VALUES "
                "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            self.db.execute("DELETE FROM divergences WHERE case_id = ?", (case_id,))
            self.db.executemany(
                "INSERT INTO divergences VALUES (?,?,?,?,?,?)",
                [
                    (case_id, d.aspect, d.left, d.right, d.detail, d.explained_by)
                    for d in report.divergences
                ],
            )
            self.db.execute(
                "INSERT OR REPLACE INTO recorded VALUES (?,?,?,?)",
                (case_id, run_id, len(report.unexpected), len(report.unexplained)),
            )


def merge(sources: Iterable[Path], out: Path) -> Store:
    """Join stores of one plan into a new store at `out`: shards (disjoint cases), variants
    (the same cases on other adapters), or both. Stores of another plan are refused.

    A case answered by several stores is recorded once all of them recorded it, and its
    divergences are compared anew over every adapter's stored answer.
    """
    sources = list(sources)
    if out.exists():
        raise UsageError(f"{out} already exists; choose another --out")
    if not sources:
        raise UsageError("merge needs at least one store")
    metas = []
    for path in sources:
        with Store.open(path, writable=False) as store:
            metas.append((path, store.meta(), store.planned(), store.recorded_ids()))
    first_path, first, _, _ = metas[0]
    for path, meta, _, _ in metas[1:]:
        if meta["plan_id"] != first["plan_id"]:
            raise UsageError(
                f"{path} holds another case plan than {first_path} "
                f"({meta['plan_id']} vs {first['plan_id']}): not merged"
            )
    cases = dict(pair for _, _, planned, _ in metas for pair in planned)
    names = list(dict.fromkeys(v for _, meta, _, _ in metas for v in meta.get("variants", ())))
    plan = Plan(
        cases=sorted(cases.items()),
        plan_id=first["plan_id"],
        shard=(1, 1),
        seed=first.get("seed"),
        profile=first.get("profile", ""),
        variants=tuple(names),
    )
    planned_in: Counter[str] = Counter(c.id for _, _, planned, _ in metas for _, c in planned)
    recorded_in: Counter[str] = Counter(cid for _, _, _, recorded in metas for cid in recorded)
    merged = Store.create(out, plan)
    for path, _, _, recorded in metas:
        merged.db.execute("ATTACH DATABASE ? AS src", (f"file:{path}?mode=ro",))
        offset = merged.db.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()[0]
        merged.db.execute(
            "INSERT INTO runs SELECT id + ?, started, finished, profile, seed, shard, "
            "project_commit, platform, python, versions, devices, variants, skipped "
            "FROM src.runs",
            (offset,),
        )
        release = "release" if has_release_column(merged.db, "src") else "''"
        merged.db.execute(
            f"INSERT OR IGNORE INTO outcomes SELECT {OUTCOME_COLUMNS}, {release} FROM src.outcomes"
        )
        alone = [(cid,) for cid in recorded if planned_in[cid] == 1]  # a shard's own case
        merged.db.executemany(
            "INSERT INTO divergences SELECT * FROM src.divergences WHERE case_id = ?", alone
        )
        merged.db.executemany(
            "INSERT INTO recorded SELECT case_id, run_id + ?, unexpected, unexplained "
            "FROM src.recorded WHERE case_id = ?",
            [(offset, cid) for (cid,) in alone],
        )
        merged.db.commit()
        merged.db.execute("DETACH DATABASE src")
    for case in cases.values():  # answered by several stores: compare every answer anew
        if planned_in[case.id] > 1 and recorded_in[case.id] == planned_in[case.id]:
            merged.rejudge(case)
    return merged
