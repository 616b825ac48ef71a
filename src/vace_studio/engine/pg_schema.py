"""The shared store's schema, created and migrated by the project (never by hand).

The task columns are the SQLite store's (``engine/store.py``), with PostgreSQL types; a few
columns only the shared queue needs are added:

- ``seq``: insertion order (SQLite's ``rowid``), the tie-break of "oldest first";
- ``version``: a number from one sequence, bumped by a trigger on every insert and update, so a
  student's kernel asks "what changed since version N" without trusting anyone's clock;
- ``status_changed_at``: the database's clock when the status last moved (queue overhead is
  measured from it);
- ``lease_owner``: the worker that holds the task (its lease lives in ``workers.alive_until``);
- ``cancel_requested``: when its person asked the worker to cancel it at the provider.

Every change to a task also sends ``NOTIFY vace_studio_tasks`` so waiting processes wake at once.
Migrations run in one transaction under an advisory lock: many kernels may start together.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1

CHANNEL = "vace_studio_tasks"
"""The ``LISTEN`` channel every task change is announced on (payload: the task's local id)."""

_MIGRATION_LOCK = 0x7661636501  # "vace" + 1: the advisory lock key of schema migrations

_V1 = f"""
CREATE TABLE IF NOT EXISTS vs_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE SEQUENCE IF NOT EXISTS vs_task_version;
CREATE TABLE IF NOT EXISTS tasks (
    seq BIGSERIAL UNIQUE,
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    protocol TEXT NOT NULL,
    region TEXT,
    endpoint TEXT NOT NULL,
    function TEXT NOT NULL,
    request_json TEXT NOT NULL,
    group_id TEXT,
    tags_json TEXT NOT NULL DEFAULT '{{}}',
    status TEXT NOT NULL,
    provider_status TEXT,
    task_id TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    submitted_at DOUBLE PRECISION,
    started_at DOUBLE PRECISION,
    finished_at DOUBLE PRECISION,
    updated_at DOUBLE PRECISION NOT NULL,
    video_url TEXT,
    url_expires_at DOUBLE PRECISION,
    local_path TEXT,
    video_sha256 TEXT,
    video_bytes BIGINT,
    error_code TEXT,
    error_message TEXT,
    usage_json TEXT,
    cost DOUBLE PRECISION,
    times_json TEXT NOT NULL DEFAULT '{{}}',
    extra_json TEXT NOT NULL DEFAULT '{{}}',
    owner TEXT,
    polls BIGINT NOT NULL DEFAULT 0,
    warnings_json TEXT NOT NULL DEFAULT '[]',
    replaces TEXT,
    replaced_by TEXT,
    advice TEXT,
    person TEXT,
    version BIGINT NOT NULL DEFAULT 0,
    status_changed_at DOUBLE PRECISION,
    lease_owner TEXT,
    cancel_requested DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks(endpoint, status);
CREATE INDEX IF NOT EXISTS tasks_task_id ON tasks(endpoint, task_id);
CREATE INDEX IF NOT EXISTS tasks_group ON tasks(group_id);
CREATE INDEX IF NOT EXISTS tasks_person ON tasks(person);
CREATE INDEX IF NOT EXISTS tasks_version ON tasks(version);
CREATE OR REPLACE FUNCTION vs_task_touch() RETURNS trigger AS $$
BEGIN
    NEW.version := nextval('vs_task_version');
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.status_changed_at := extract(epoch FROM clock_timestamp());
    END IF;
    PERFORM pg_notify('{CHANNEL}', NEW.id);
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER tasks_touch BEFORE INSERT OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION vs_task_touch();
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    spec_json TEXT NOT NULL,
    seq BIGSERIAL
);
CREATE TABLE IF NOT EXISTS account_uploads (
    endpoint TEXT NOT NULL,
    account TEXT NOT NULL,
    model TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    url TEXT NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (endpoint, account, model, sha256)
);
CREATE TABLE IF NOT EXISTS accounts (
    endpoint TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    protocol TEXT NOT NULL,
    region TEXT NOT NULL,
    simulated BOOLEAN NOT NULL,
    submits_per_second DOUBLE PRECISION,
    max_concurrent INTEGER,
    typical_seconds DOUBLE PRECISION NOT NULL,
    price_per_second DOUBLE PRECISION,
    held TEXT,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS workers (
    id TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    host TEXT NOT NULL,
    started_at DOUBLE PRECISION NOT NULL,
    alive_until DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS submit_stamps (
    id BIGSERIAL PRIMARY KEY,
    endpoint TEXT NOT NULL,
    sent_at DOUBLE PRECISION NOT NULL,
    answered_at DOUBLE PRECISION,
    sender TEXT
);
CREATE INDEX IF NOT EXISTS submit_stamps_at ON submit_stamps(endpoint, sent_at);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS people (
    person TEXT PRIMARY KEY,
    last_claim DOUBLE PRECISION,
    spend_cap DOUBLE PRECISION
);
"""

MIGRATIONS: tuple[str, ...] = (_V1,)
"""``MIGRATIONS[n]`` brings a store at version ``n`` to ``n + 1``."""


def migrate(conn: Any) -> None:
    """Bring the database behind ``conn`` (a psycopg connection) to :data:`SCHEMA_VERSION`."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        have = conn.execute("SELECT to_regclass('vs_meta') IS NOT NULL AS ok").fetchone()
        version = 0
        if have["ok"]:
            row = conn.execute("SELECT value FROM vs_meta WHERE key = 'schema_version'").fetchone()
            version = int(row["value"]) if row else 0
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"the shared store is at schema version {version}, newer than this vace-studio "
                f"({SCHEMA_VERSION}): upgrade vace-studio"
            )
        for step in MIGRATIONS[version:]:
            conn.execute(step)
        conn.execute(
            "INSERT INTO vs_meta (key, value) VALUES ('schema_version', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (str(SCHEMA_VERSION),),
        )
