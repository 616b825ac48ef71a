"""The one interface every task store implements, and how a store is chosen.

Two backends keep the same rows and obey the same state machine (``Task.commit`` is the only
writer of a task's status, through :meth:`TaskStore.update` with ``expect_status``):

* :class:`~vace_studio.engine.store.Store`, SQLite: the embedded default, one person's history.
* :class:`~vace_studio.engine.store_pg.PgStore`, PostgreSQL: a class or a lab sharing one
  provider account (``Client(store="postgresql://…")`` or ``VACE_STUDIO_DB``). Loaded only when
  such a URL is used, so ``import vace_studio`` never imports psycopg.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vace_studio.engine.store import TaskRecord

DB_ENV = "VACE_STUDIO_DB"
"""The environment variable naming a shared store (``postgresql://user@host/db``)."""

_SCHEMES = ("postgresql://", "postgres://")


@runtime_checkable
class TaskStore(Protocol):
    """Durable task rows: what the engine, the widget and the experiments read and write."""

    @property
    def path(self) -> Path | str:
        """Where the store is, for messages (a PostgreSQL URL without its password)."""
        ...

    def close(self) -> None: ...

    def insert(self, record: TaskRecord) -> None: ...

    def update(self, local_id: str, *, expect_status: str | None = None, **changes: Any) -> bool:
        """Change some fields; with ``expect_status`` only if the row is still in that status
        (the result says whether it changed)."""
        ...

    def get(self, local_id: str) -> TaskRecord | None: ...

    def find_task_id(self, endpoint: str, task_id: str) -> TaskRecord | None: ...

    def known_task_ids(self, endpoint: str) -> set[str]: ...

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
    ) -> list[TaskRecord]: ...

    def durations(
        self, endpoint: str, function: str, size: str | None, *, last: int = 50
    ) -> list[tuple[float, float | None]]: ...

    def save_group(self, group_id: str, kind: str, spec: Mapping[str, Any]) -> None: ...

    def group(self, group_id: str) -> dict[str, Any] | None: ...

    def groups(self, kind: str | None = None) -> list[dict[str, Any]]: ...

    def uploaded(self, endpoint: str, account: str, model: str, sha256: str) -> str | None: ...

    def remember_upload(
        self, endpoint: str, account: str, model: str, sha256: str, url: str, expires_at: float
    ) -> None: ...


def is_database_url(target: object) -> bool:
    """Whether ``target`` names a shared PostgreSQL store rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(_SCHEMES)


def shared_url(store: str | Path | None) -> str | None:
    """The PostgreSQL URL a client should use: ``store=`` if it is one, else ``VACE_STUDIO_DB``
    when no ``store=`` was given; ``None`` means the SQLite store."""
    if store is not None:
        return str(store) if is_database_url(store) else None
    env = os.environ.get(DB_ENV) or None
    if env is not None and not is_database_url(env):
        raise ValueError(f"{DB_ENV} must be a postgresql:// URL (got {env[:40]!r})")
    return env


def open_store(store: str | Path | None, default_path: Path) -> TaskStore:
    """The store ``store`` names: a PostgreSQL URL, a SQLite file, or (``None``) the shared
    store of ``VACE_STUDIO_DB`` if set, else the SQLite file at ``default_path``."""
    url = shared_url(store)
    if url is not None:
        from vace_studio.engine.store_pg import PgStore

        return PgStore(url)
    from vace_studio.engine.store import Store

    return Store(default_path if store is None else Path(store))
