"""The shared task store on PostgreSQL (psycopg 3): the same rows and rules as the SQLite store,
for a class or a lab whose kernels share one provider account.

A connection in autocommit mode with a lock, like the SQLite store: every change is one short
transaction, and the one step that must not happen twice is a conditional UPDATE whose row count
says who won. The API key is never stored: no column can hold it, and no process that writes here
needs to pass it (students' kernels do not have it at all). Files travel through :meth:`put_blob`
/ :meth:`blob` (students' local inputs to the worker, result videos back).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.rows import dict_row

from vace_studio.engine import pg_schema
from vace_studio.engine.status import WITH_VIDEO
from vace_studio.engine.store import TaskRecord, record_from_row, to_columns
from vace_studio.engine.store_sql import select_query

Row = dict[str, Any]


def redact(url: str) -> str:
    """``url`` without its password, for messages and ``repr``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:***@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, parts.query, ""))


def _group(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "created_at": row["created_at"],
        "spec": json.loads(row["spec_json"]),
    }


class PgStore:
    """Thread-safe access to one shared store (a PostgreSQL database, schema made on open)."""

    def __init__(self, url: str, *, connect_timeout: float = 10.0) -> None:
        self.url = url
        self.path = redact(url)
        self._lock = threading.RLock()
        self._timeout = max(1, round(connect_timeout))
        self._closed = False
        self._db = self._connect()
        with self._lock:
            pg_schema.migrate(self._db)

    def _connect(self) -> psycopg.Connection[Row]:
        return psycopg.connect(
            self.url,
            autocommit=True,
            row_factory=dict_row,
            connect_timeout=self._timeout,
            application_name="vace-studio",
        )

    @property
    def _conn(self) -> psycopg.Connection[Row]:
        """The connection, opened again after the server dropped it (a restart, a network
        cut): the statement that met the failure raised — nothing is retried behind the
        caller's back, so nothing is written twice — and the next one runs on a new connection.
        Session advisory locks die with the old connection, as they should."""
        if self._db.broken and not self._closed:
            self._db = self._connect()
        return self._db

    def __repr__(self) -> str:
        return f"<PgStore {self.path}>"

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._db.close()

    # -- plumbing the shared queue builds on ------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Row]]:
        """One transaction on this store's connection (held by this thread until it ends)."""
        with self._lock:
            conn = self._conn
            with conn.transaction():
                yield conn

    def rows(self, sql: str, args: Iterable[Any] | Mapping[str, Any] = ()) -> list[Row]:
        """The rows of one statement (its own transaction)."""
        with self._lock:
            return self._conn.execute(
                sql, args if isinstance(args, Mapping) else tuple(args)
            ).fetchall()

    def execute(self, sql: str, args: Iterable[Any] | Mapping[str, Any] = ()) -> int:
        """Run one statement; the number of rows it touched."""
        with self._lock:
            cur = self._conn.execute(sql, args if isinstance(args, Mapping) else tuple(args))
            return cur.rowcount

    def now(self) -> float:
        """The database's clock (Unix seconds): the one clock every process of a class shares."""
        return float(self.rows("SELECT extract(epoch FROM clock_timestamp()) AS t")[0]["t"])

    # -- the task rows (as the SQLite store) ------------------------------------------------
    def insert(self, record: TaskRecord) -> None:
        columns = to_columns(asdict(record))
        names = ", ".join(columns)
        marks = ", ".join("%s" for _ in columns)
        self.execute(f"INSERT INTO tasks ({names}) VALUES ({marks})", columns.values())

    def update(self, local_id: str, *, expect_status: str | None = None, **changes: Any) -> bool:
        """See :meth:`vace_studio.engine.store.Store.update`: with ``expect_status`` exactly one
        process's conditional UPDATE matches."""
        changes.setdefault("updated_at", time.time())
        columns = to_columns(changes)
        assignments = ", ".join(f"{name} = %s" for name in columns)
        sql = f"UPDATE tasks SET {assignments} WHERE id = %s"
        args: tuple[Any, ...] = (*columns.values(), local_id)
        if expect_status is not None:
            sql += " AND status = %s"
            args = (*args, expect_status)
        return self.execute(sql, args) == 1

    def get(self, local_id: str) -> TaskRecord | None:
        found = self.rows("SELECT * FROM tasks WHERE id = %s", (local_id,))
        return record_from_row(found[0]) if found else None

    def find_task_id(self, endpoint: str, task_id: str) -> TaskRecord | None:
        found = self.rows(
            "SELECT * FROM tasks WHERE endpoint = %s AND task_id = %s", (endpoint, task_id)
        )
        return record_from_row(found[0]) if found else None

    def known_task_ids(self, endpoint: str) -> set[str]:
        found = self.rows(
            "SELECT task_id FROM tasks WHERE endpoint = %s AND task_id IS NOT NULL", (endpoint,)
        )
        return {row["task_id"] for row in found}

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
            mark="%s", tiebreak="seq", statuses=statuses, columns=filters, limit=limit
        )
        return [record_from_row(row) for row in self.rows(sql, args)]

    def durations(
        self, endpoint: str, function: str, size: str | None, *, last: int = 50
    ) -> list[tuple[float, float | None]]:
        """See :meth:`vace_studio.engine.store.Store.durations` (the whole class's history)."""
        found = self.rows(
            "SELECT submitted_at, started_at, finished_at FROM tasks "
            "WHERE endpoint = %s AND function = %s AND status = ANY(%s) "
            "AND submitted_at IS NOT NULL AND finished_at IS NOT NULL "
            "AND (request_json::jsonb ->> 'size') IS NOT DISTINCT FROM %s "
            "ORDER BY finished_at DESC LIMIT %s",
            (endpoint, function, sorted(WITH_VIDEO), size, last),
        )
        return [
            (
                row["finished_at"] - row["submitted_at"],
                row["finished_at"] - row["started_at"] if row["started_at"] is not None else None,
            )
            for row in found
        ]

    def save_group(self, group_id: str, kind: str, spec: Mapping[str, Any]) -> None:
        self.execute(
            "INSERT INTO groups (id, kind, created_at, spec_json) VALUES (%s, %s, %s, %s)",
            (group_id, kind, time.time(), json.dumps(dict(spec))),
        )

    def group(self, group_id: str) -> dict[str, Any] | None:
        found = self.rows("SELECT * FROM groups WHERE id = %s", (group_id,))
        return _group(found[0]) if found else None

    def groups(self, kind: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM groups", []
        if kind is not None:
            sql, args = sql + " WHERE kind = %s", [kind]
        return [_group(row) for row in self.rows(sql + " ORDER BY created_at, seq", args)]

    def uploaded(self, endpoint: str, account: str, model: str, sha256: str) -> str | None:
        """A still-valid upload of this content by this account (a one-way hash of its key)."""
        found = self.rows(
            "SELECT url FROM account_uploads WHERE endpoint = %s AND account = %s "
            "AND model = %s AND sha256 = %s AND expires_at > %s",
            (endpoint, account, model, sha256, time.time()),
        )
        return str(found[0]["url"]) if found else None

    def remember_upload(
        self, endpoint: str, account: str, model: str, sha256: str, url: str, expires_at: float
    ) -> None:
        self.execute(
            "INSERT INTO account_uploads VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (endpoint, account, model, sha256) "
            "DO UPDATE SET url = EXCLUDED.url, expires_at = EXCLUDED.expires_at",
            (endpoint, account, model, sha256, url, expires_at),
        )

    # -- files that travel through the database ---------------------------------------------
    def put_blob(self, path: Path) -> str:
        """Store a file's bytes (once per content); returns their SHA-256."""
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        self.execute(
            "INSERT INTO blobs (sha256, name, size, data, created_at) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (sha256) DO NOTHING",
            (digest, path.name, len(data), data, time.time()),
        )
        return digest

    def has_blob(self, sha256: str) -> bool:
        return bool(self.rows("SELECT 1 FROM blobs WHERE sha256 = %s", (sha256,)))

    def blob(self, sha256: str) -> tuple[str, bytes] | None:
        """``(file name, bytes)`` of a stored file, or ``None``."""
        found = self.rows("SELECT name, data FROM blobs WHERE sha256 = %s", (sha256,))
        return (found[0]["name"], bytes(found[0]["data"])) if found else None
