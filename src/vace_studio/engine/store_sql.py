"""SQL both task stores share: the same rows are asked for the same way in SQLite and PostgreSQL,
only the driver's placeholder and the tie-break column differ."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def select_query(
    *,
    mark: str,
    tiebreak: str,
    statuses: Iterable[str] | None,
    columns: Mapping[str, str | None],
    limit: int | None,
) -> tuple[str, list[Any]]:
    """The ``SELECT`` both stores run for :meth:`TaskStore.select`: every given filter ANDed,
    oldest first. ``mark`` is the driver's placeholder (``?`` or ``%s``); ``tiebreak`` orders
    rows created in the same instant (SQLite's ``rowid``, PostgreSQL's ``seq``)."""
    where: list[str] = []
    args: list[Any] = []
    if statuses is not None:
        wanted = [str(status) for status in statuses]
        where.append(f"status IN ({', '.join(mark for _ in wanted)})" if wanted else "FALSE")
        args.extend(wanted)
    for column, value in columns.items():
        if value is not None:
            where.append(f"{column} = {mark}")
            args.append(value)
    sql = "SELECT * FROM tasks"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY created_at, {tiebreak}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, args
