"""The durable task history: one SQLite row per task, written before anything can be lost.

SQLite in WAL mode with a busy timeout, so two kernels may open the same store: every change is
one short transaction, and the one step that must not happen twice (claiming a waiting task for
submission) is a conditional UPDATE whose row count says who won. The API key is never stored:
no column can hold it and nothing that reaches this module carries it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from vace_studio.engine.status import WITH_VIDEO
from vace_studio.engine.store_sql import select_query

SCHEMA_VERSION = 3

_DDL = """
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    protocol TEXT NOT NULL,
    region TEXT,
    endpoint TEXT NOT NULL,
    function TEXT NOT NULL,
    request_json TEXT NOT NULL,
    group_id TEXT,
    tags_json TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    provider_status TEXT,
    task_id TEXT,
    created_at REAL NOT NULL,
    submitted_at REAL,
    started_at REAL,
    finished_at REAL,
    updated_at REAL NOT NULL,
    video_url TEXT,
    url_expires_at REAL,
    local_path TEXT,
    video_sha256 TEXT,
    video_bytes INTEGER,
    error_code TEXT,
    error_message TEXT,
    usage_json TEXT,
    cost REAL,
    times_json TEXT NOT NULL DEFAULT '{}',
    extra_json TEXT NOT NULL DEFAULT '{}',
    owner TEXT,
    polls INTEGER NOT NULL DEFAULT 0,
    warnings_json TEXT NOT NULL DEFAULT '[]',
    replaces TEXT,
    replaced_by TEXT,
    advice TEXT,
    person TEXT
);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks(status);
CREATE INDEX IF NOT EXISTS tasks_task_id ON tasks(endpoint, task_id);
CREATE INDEX IF NOT EXISTS tasks_group ON tasks(group_id);
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    created_at REAL NOT NULL,
    spec_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS account_uploads (
    endpoint TEXT NOT NULL,
    account TEXT NOT NULL,
    model TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    url TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (endpoint, account, model, sha256)
);
"""

# Columns added after version 1, with their definitions (``ALTER TABLE ... ADD COLUMN``).
_ADDED_COLUMNS = {
    "warnings_json": "TEXT NOT NULL DEFAULT '[]'",
    "replaces": "TEXT",
    "replaced_by": "TEXT",
    "advice": "TEXT",
    "person": "TEXT",
}


@dataclass
class TaskRecord:
    """One task as the store keeps it. Times are Unix seconds; JSON columns are decoded."""

    id: str
    provider: str
    protocol: str
    endpoint: str
    function: str
    request: dict[str, Any]
    status: str
    created_at: float
    updated_at: float
    region: str | None = None
    group_id: str | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    provider_status: str | None = None
    task_id: str | None = None
    submitted_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    video_url: str | None = None
    url_expires_at: float | None = None
    local_path: str | None = None
    video_sha256: str | None = None
    video_bytes: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    usage: dict[str, Any] | None = None
    cost: float | None = None
    times: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None
    polls: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    """What the service will trim or ignore in this request (``Problem.to_json()`` each)."""
    replaces: str | None = None
    """The local id of the uncertain task this one was submitted again in place of."""
    replaced_by: str | None = None
    """The local id of the task that was submitted in place of this one."""
    advice: str | None = None
    """What a person can do now, in plain words (a refusal's fix, an uncertain submit's
    choices); ``None`` when nothing is needed."""
    person: str | None = None
    """Who asked for it, in a shared (classroom) store; ``None`` in a one-person store."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# Columns stored as JSON text, by record attribute → column name.
_JSON_COLUMNS = {
    "request": "request_json",
    "tags": "tags_json",
    "usage": "usage_json",
    "times": "times_json",
    "extra": "extra_json",
    "warnings": "warnings_json",
}
_ATTRS = tuple(f.name for f in fields(TaskRecord))


def to_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """Record attributes → column values (JSON columns encoded), for any store backend."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in _ATTRS:
            raise ValueError(f"unknown task field {key!r}")
        if key in _JSON_COLUMNS:
            out[_JSON_COLUMNS[key]] = None if value is None else json.dumps(value)
        else:
            out[key] = value
    return out


def record_from_row(row: Mapping[str, Any] | sqlite3.Row) -> TaskRecord:
    """A row by column name → its record (JSON columns decoded), for any store backend."""
    values: dict[str, Any] = {}
    for attr in _ATTRS:
        column = _JSON_COLUMNS.get(attr, attr)
        raw = row[column]
        values[attr] = json.loads(raw) if attr in _JSON_COLUMNS and raw is not None else raw
    return TaskRecord(**values)


def _group(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "created_at": row["created_at"],
        "spec": json.loads(row["spec_json"]),
    }


class Store:
    """Thread-safe access to one task store file (the embedded, one-person backend of
    :class:`~vace_studio.engine.store_api.TaskStore`; PostgreSQL is the shared one)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        # autocommit mode: each statement is its own transaction unless we open one.
        self._db = sqlite3.connect(
            self.path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.executescript(_DDL)
            self._migrate()
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _migrate(self) -> None:
        """Bring a store written by an older version up to this schema (columns only grow).

        The version 1 upload cache had no account column; its rows cannot be attributed to an
        account, and an upload is only valid for the account that made it, so it is dropped.
        """
        have = {row[1] for row in self._db.execute("PRAGMA table_info(tasks)")}
        for name, definition in _ADDED_COLUMNS.items():
            if name not in have:
                self._db.execute(f"ALTER TABLE tasks ADD COLUMN {name} {definition}")
        self._db.execute("DROP TABLE IF EXISTS uploads")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def insert(self, record: TaskRecord) -> None:
        """Add a new task row (durably, before the caller goes on)."""
        columns = to_columns(asdict(record))
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        with self._tx() as db:
            db.execute(f"INSERT INTO tasks ({names}) VALUES ({marks})", tuple(columns.values()))

    def update(self, local_id: str, *, expect_status: str | None = None, **changes: Any) -> bool:
        """Change some fields of a task; ``updated_at`` is set to now.

        With ``expect_status`` the change happens only if the task is still in that status, and
        the result says whether it did: when two kernels share a store, exactly one UPDATE
        matches, so a waiting task is claimed for submission once and a paid task is never
        submitted twice.
        """
        changes.setdefault("updated_at", time.time())
        columns = to_columns(changes)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        sql = f"UPDATE tasks SET {assignments} WHERE id = ?"
        args: tuple[Any, ...] = (*columns.values(), local_id)
        if expect_status is not None:
            sql += " AND status = ?"
            args = (*args, expect_status)
        with self._tx() as db:
            return db.execute(sql, args).rowcount == 1

    def get(self, local_id: str) -> TaskRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM tasks WHERE id = ?", (local_id,)).fetchone()
        return record_from_row(row) if row else None

    def find_task_id(self, endpoint: str, task_id: str) -> TaskRecord | None:
        """The task a provider id belongs to, at one endpoint."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM tasks WHERE endpoint = ? AND task_id = ?", (endpoint, task_id)
            ).fetchone()
        return record_from_row(row) if row else None

    def known_task_ids(self, endpoint: str) -> set[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT task_id FROM tasks WHERE endpoint = ? AND task_id IS NOT NULL",
                (endpoint,),
            ).fetchall()
        return {row[0] for row in rows}

    def select(
        self,
        *,
        statuses: Iterable[str] | None = None,
        provider: str | None = None,
        endpoint: str | None = None,
        group_id: str | None = None,
        function: str | None = None,
        person: str | None = None,
        limit: int | None = None,
    ) -> list[TaskRecord]:
        """Tasks matching all given filters, oldest first."""
        filters = {"provider": provider, "endpoint": endpoint, "group_id": group_id,
                   "function": function, "person": person}  # fmt: skip
        sql, args = select_query(
            mark="?", tiebreak="rowid", statuses=statuses, columns=filters, limit=limit
        )
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [record_from_row(row) for row in rows]

    def durations(
        self, endpoint: str, function: str, size: str | None, *, last: int = 50
    ) -> list[tuple[float, float | None]]:
        """(submit→end, start→end) seconds of recent successes like this one.

        The scheduler learns from these when to poll: tasks of the same provider, function and
        size tend to take similar times. The lifecycle sets ``started_at`` and ``finished_at``
        from the provider's own stamps where it gives them (``TaskState.started_at`` /
        ``ended_at``): times seen by a poll include our polling delay, and learning from them
        would teach the scheduler its own lateness.
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT submitted_at, started_at, finished_at, request_json "
                "FROM tasks WHERE endpoint = ? AND function = ? "
                f"AND status IN ({', '.join('?' for _ in WITH_VIDEO)}) "
                "AND submitted_at IS NOT NULL AND finished_at IS NOT NULL "
                "ORDER BY finished_at DESC LIMIT ?",
                (endpoint, function, *sorted(WITH_VIDEO), last * 4),
            ).fetchall()
        out: list[tuple[float, float | None]] = []
        for submitted, started, finished, request_json in rows:
            if json.loads(request_json).get("size") != size:
                continue
            out.append((finished - submitted, finished - started if started is not None else None))
            if len(out) >= last:
                break
        return out

    def save_group(self, group_id: str, kind: str, spec: Mapping[str, Any]) -> None:
        """Record what a group of tasks is (e.g. a sweep's base request and grid), once.

        Written before the group's tasks, so a group can be rebuilt after a crash part-way.
        """
        with self._tx() as db:
            db.execute(
                "INSERT INTO groups (id, kind, created_at, spec_json) VALUES (?, ?, ?, ?)",
                (group_id, kind, time.time(), json.dumps(dict(spec))),
            )

    def group(self, group_id: str) -> dict[str, Any] | None:
        """``{"id", "kind", "created_at", "spec"}`` of a recorded group, or ``None``."""
        with self._lock:
            row = self._db.execute("SELECT * FROM groups WHERE id = ?", (group_id,)).fetchone()
        return _group(row) if row else None

    def groups(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every recorded group (of one ``kind`` if given), oldest first."""
        sql, args = "SELECT * FROM groups", []
        if kind is not None:
            sql, args = sql + " WHERE kind = ?", [kind]
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY created_at, rowid", args).fetchall()
        return [_group(row) for row in rows]

    def uploaded(self, endpoint: str, account: str, model: str, sha256: str) -> str | None:
        """A still-valid URL of a file with this content that this account uploaded earlier.

        ``account`` is a one-way hash of the key (never the key): a temporary upload is only
        valid for the account that made it.
        """
        with self._lock:
            row = self._db.execute(
                "SELECT url FROM account_uploads WHERE endpoint = ? AND account = ? "
                "AND model = ? AND sha256 = ? AND expires_at > ?",
                (endpoint, account, model, sha256, time.time()),
            ).fetchone()
        return str(row[0]) if row else None

    def remember_upload(
        self, endpoint: str, account: str, model: str, sha256: str, url: str, expires_at: float
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO account_uploads VALUES (?, ?, ?, ?, ?, ?)",
                (endpoint, account, model, sha256, url, expires_at),
            )
