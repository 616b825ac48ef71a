"""The shared store keeps the same rows by the same rules as the SQLite one: each test runs on
both backends (a real PostgreSQL database of its own, and a SQLite file)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from vace_studio.engine import Store, TaskRecord
from vace_studio.engine.status import Event, Status, after
from vace_studio.engine.store_api import TaskStore, is_database_url, open_store, shared_url
from vace_studio.engine.store_pg import PgStore, redact


def _record(local_id: str, **values: Any) -> TaskRecord:
    now = time.time()
    base: dict[str, Any] = {
        "id": local_id,
        "provider": "dashscope",
        "protocol": "dashscope",
        "endpoint": "https://example.test",
        "function": "image_reference",
        "request": {"function": "image_reference", "size": "960*960"},
        "status": Status.WAITING.value,
        "created_at": now,
        "updated_at": now,
    }
    return TaskRecord(**{**base, **values})


@pytest.fixture(params=["postgresql", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TaskStore]:
    if request.param == "postgresql":
        opened: TaskStore = PgStore(request.getfixturevalue("pg_url"))
    else:
        opened = Store(tmp_path / "tasks.sqlite3")
    yield opened
    opened.close()


def test_both_backends_are_task_stores(store: TaskStore) -> None:
    assert isinstance(store, TaskStore)


def test_a_record_round_trips_with_its_json_fields_and_person(store: TaskStore) -> None:
    record = _record("a", tags={"k": [1, 2]}, person="ann", warnings=[{"message": "trimmed"}])
    store.insert(record)
    assert store.get("a") == record
    assert store.select(person="ann") == [record]
    assert store.select(person="bob") == []


def test_a_conditional_update_matches_once(store: TaskStore) -> None:
    store.insert(_record("a"))
    claimed = after(Status.WAITING, Event.CLAIM).value
    wins = [store.update("a", expect_status=Status.WAITING.value, status=claimed) for _ in "xy"]
    assert wins == [True, False]
    got = store.get("a")
    assert got is not None
    assert got.status == claimed


def test_select_filters_and_keeps_insertion_order(store: TaskStore) -> None:
    for index in range(5):
        store.insert(_record(f"t{index}", group_id="g" if index % 2 else None, created_at=1.0))
    assert [r.id for r in store.select()] == [f"t{i}" for i in range(5)]
    assert [r.id for r in store.select(group_id="g")] == ["t1", "t3"]
    assert [r.id for r in store.select(limit=2)] == ["t0", "t1"]
    assert store.select(statuses=[Status.QUEUED.value]) == []


def test_durations_learn_from_successes_of_the_same_size(store: TaskStore) -> None:
    done = Status.SUCCEEDED.value
    store.insert(_record("a", status=done, submitted_at=10.0, started_at=12.0, finished_at=20.0))
    store.insert(_record("b", status=done, submitted_at=10.0, finished_at=15.0))
    other = {"function": "image_reference", "size": "1280*720"}
    store.insert(_record("c", status=done, request=other, submitted_at=0.0, finished_at=99.0))
    got = sorted(store.durations("https://example.test", "image_reference", "960*960"))
    assert got == [(5.0, None), (10.0, 8.0)]


def test_groups_and_uploads(store: TaskStore) -> None:
    store.save_group("g1", "sweep", {"grid": {"seed": [1, 2]}})
    group = store.group("g1")
    assert group is not None
    assert group["spec"] == {"grid": {"seed": [1, 2]}}
    assert [g["id"] for g in store.groups("sweep")] == ["g1"]
    store.remember_upload("e", "acct", "m", "sha", "oss://one", time.time() + 60)
    store.remember_upload("e", "acct", "m", "sha", "oss://two", time.time() + 60)
    assert store.uploaded("e", "acct", "m", "sha") == "oss://two"
    assert store.uploaded("e", "other", "m", "sha") is None


def test_many_kernels_may_open_a_new_store_at_once(pg_url: str) -> None:
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            PgStore(pg_url).close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_files_travel_through_the_store_once_per_content(pg_url: str, tmp_path: Path) -> None:
    store = PgStore(pg_url)
    path = tmp_path / "mask.png"
    path.write_bytes(b"\x89PNG fake")
    digest = store.put_blob(path)
    assert store.put_blob(path) == digest
    assert store.blob(digest) == ("mask.png", b"\x89PNG fake")
    assert store.blob("0" * 64) is None
    store.close()


def test_choosing_a_store(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VACE_STUDIO_DB", raising=False)
    assert is_database_url(pg_url)
    assert not is_database_url(str(tmp_path / "x.sqlite3"))
    assert isinstance(open_store(None, tmp_path / "a.sqlite3"), Store)
    monkeypatch.setenv("VACE_STUDIO_DB", pg_url)
    assert shared_url(None) == pg_url
    assert shared_url(tmp_path / "b.sqlite3") is None  # an explicit file wins over the variable
    chosen = open_store(None, tmp_path / "a.sqlite3")
    assert isinstance(chosen, PgStore)
    chosen.close()


def test_a_password_never_shows() -> None:
    assert redact("postgresql://ann:s3cret@db.example:5432/class") == (
        "postgresql://ann:***@db.example:5432/class"
    )


def test_a_dropped_connection_fails_one_call_and_the_next_reconnects(pg_url: str) -> None:
    store = PgStore(pg_url)
    pid = store.rows("SELECT pg_backend_pid() AS pid")[0]["pid"]
    other = PgStore(pg_url)
    other.rows("SELECT pg_terminate_backend(%s)", (pid,))  # a server restart, as the store sees it
    other.close()
    with pytest.raises(psycopg.OperationalError):
        store.rows("SELECT 1")
    assert store.rows("SELECT 1 AS one") == [{"one": 1}]
    store.close()
