"""The account's one queue, kept in the shared store: who submits next, when, and who holds what.

A provider's limits are per account (DashScope: 2 submits per second, 2 tasks at once), however
many kernels and workers use its key. So every decision that spends one is made in the database:

* **Claiming** a waiting task for submission happens in one transaction under an advisory lock
  of the account: the tasks in flight are counted (submitting, reconciling, at the provider, and
  an uncertain submit for as long as its task would run), and a task is claimed only while that
  count is under the account's limit.
* **Fair share**: the next task is the first of a round-robin over people — each person's oldest
  waiting task, people ordered by when they were last served — so one person's 40-cell sweep
  takes its turns alongside a classmate's single task instead of in front of it. The same order
  gives every waiting task its true place in line (:meth:`SharedQueue.positions`).
* **Submit pacing**: sends are stamped in ``submit_stamps`` on the database's clock, the way
  :class:`~vace_studio.engine.pacing.SlidingWindowLimiter` stamps them (at the send and again at
  the answer), and one send at a time per account holds a session advisory lock: a lost answer
  is then matched to the one task created in its moment, exactly as with one kernel.
* **Leases**: a worker holds the tasks it claimed or took over (``lease_owner``) for as long as
  its heartbeat (``workers.alive_until``) is fresh; a dead worker's unfinished tasks are taken
  over by another with ``FOR UPDATE SKIP LOCKED``, which then resumes them the way a restarted
  kernel does — an interrupted submit is reconciled, never sent again blindly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vace_studio.engine.status import (
    AT_PROVIDER,
    CANCELABLE,
    LOCAL_QUEUE,
    UNFINISHED,
    WITH_VIDEO,
    Event,
    Status,
    after,
)
from vace_studio.engine.store import TaskRecord, record_from_row

if TYPE_CHECKING:
    from vace_studio.engine.store_pg import PgStore

_CLAIM_LOCK = 0x76617331  # advisory lock namespace: claims of one account
_SEND_LOCK = 0x76617332  # advisory lock namespace: one submit send at a time per account

IN_FLIGHT = sorted(UNFINISHED - LOCAL_QUEUE - {Status.UNCERTAIN})
"""Statuses that hold one of the account's concurrency slots (an uncertain submit holds one only
for as long as its task, if created, would run)."""
TAKEN_OVER = sorted(UNFINISHED - LOCAL_QUEUE)
"""Statuses whose tasks a worker holds, and another worker takes over when it dies."""
_WAITING = Status.WAITING.value
_CLAIMED = after(_WAITING, Event.CLAIM).value
_STALE_SEND = 120.0
"""A send stamp never answered (its worker died mid-send) stops counting after this long."""


@dataclass(frozen=True)
class Account:
    """What a worker tells the class about the account it submits with (never the key)."""

    endpoint: str
    provider: str
    protocol: str
    region: str
    simulated: bool
    submits_per_second: float | None
    max_concurrent: int | None
    typical_seconds: float
    price_per_second: float | None
    held: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Account:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Usage:
    """One person's use of the account: tasks by outcome, dollars spent, and their cap."""

    person: str
    tasks: int
    waiting: int
    in_flight: int
    with_video: int
    cost: float
    spend_cap: float | None


_FAIR_ORDER = """
WITH w AS (
    SELECT t.id, coalesce(t.person, '') AS who, t.created_at, t.seq,
           row_number() OVER (PARTITION BY coalesce(t.person, '') ORDER BY t.created_at, t.seq)
               AS k,
           min(t.created_at) OVER (PARTITION BY coalesce(t.person, '')) AS first
    FROM tasks t WHERE t.endpoint = %(endpoint)s AND t.status = %(in_line)s
)
SELECT w.id, w.who,
       row_number() OVER (ORDER BY w.k, coalesce(p.last_claim, 0), w.first, w.who) AS position
FROM w LEFT JOIN people p ON p.person = w.who
ORDER BY position
"""


class SharedQueue:
    """The queue of one account (one endpoint) in a shared store."""

    def __init__(self, store: PgStore, endpoint: str) -> None:
        self.store = store
        self.endpoint = endpoint

    # -- the account ----------------------------------------------------------------------
    def register(self, account: Account) -> None:
        """Publish the account's facts for the students' kernels (upsert; never the key)."""
        self.store.execute(
            "INSERT INTO accounts (endpoint, provider, protocol, region, simulated, "
            "submits_per_second, max_concurrent, typical_seconds, price_per_second, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (endpoint) DO UPDATE SET "
            "provider = EXCLUDED.provider, protocol = EXCLUDED.protocol, region = EXCLUDED.region, "
            "simulated = EXCLUDED.simulated, submits_per_second = EXCLUDED.submits_per_second, "
            "max_concurrent = EXCLUDED.max_concurrent, typical_seconds = EXCLUDED.typical_seconds,"
            " price_per_second = EXCLUDED.price_per_second, updated_at = EXCLUDED.updated_at",
            (
                account.endpoint, account.provider, account.protocol, account.region,
                account.simulated, account.submits_per_second, account.max_concurrent,
                account.typical_seconds, account.price_per_second, time.time(),
            ),
        )  # fmt: skip

    def account(self) -> Account | None:
        found = self.store.rows("SELECT * FROM accounts WHERE endpoint = %s", (self.endpoint,))
        return Account.from_row(found[0]) if found else None

    def set_held(self, reason: str | None) -> None:
        """Hold (or, with ``None``, resume) the whole account's submissions."""
        self.store.execute(
            "UPDATE accounts SET held = %s WHERE endpoint = %s", (reason, self.endpoint)
        )

    # -- claiming -------------------------------------------------------------------------
    def in_flight(self, ghost_seconds: float) -> int:
        """Tasks holding a concurrency slot now (see :data:`IN_FLIGHT`)."""
        row = self.store.rows(
            "SELECT count(*) AS n FROM tasks WHERE endpoint = %s AND (status = ANY(%s) OR "
            "(status = %s AND status_changed_at > extract(epoch FROM clock_timestamp()) - %s))",
            (self.endpoint, IN_FLIGHT, Status.UNCERTAIN.value, ghost_seconds),
        )
        return int(row[0]["n"])

    def claim(
        self, owner: str, *, max_concurrent: int | None, ghost_seconds: float
    ) -> TaskRecord | None:
        """Claim the next task in fair order for ``owner`` (a worker) if a slot is free: the
        task moves to submitting in the same transaction, so no two workers claim one task and
        together they never hold more slots than the account has."""
        with self.store.transaction() as db:
            db.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_CLAIM_LOCK, self.endpoint)
            )
            held = db.execute(
                "SELECT held FROM accounts WHERE endpoint = %s", (self.endpoint,)
            ).fetchone()
            if held is not None and held["held"]:
                return None
            if max_concurrent is not None and self.in_flight(ghost_seconds) >= max_concurrent:
                return None
            first = db.execute(
                _FAIR_ORDER + " LIMIT 1", {"endpoint": self.endpoint, "in_line": _WAITING}
            ).fetchone()
            if first is None:
                return None
            row = db.execute(
                # A fresh claim: an earlier attempt's mark (held back by a throttle) is void.
                "UPDATE tasks SET status = %s, owner = %s, lease_owner = %s, updated_at = %s, "
                "extra_json = (extra_json::jsonb - 'send_started')::text "
                "WHERE id = %s AND status = %s RETURNING *",
                (_CLAIMED, owner, owner, time.time(), first["id"], _WAITING),
            ).fetchone()
            if row is None:
                return None  # canceled by its person a moment ago
            db.execute(
                "INSERT INTO people (person, last_claim) "
                "VALUES (%s, extract(epoch FROM clock_timestamp())) "
                "ON CONFLICT (person) DO UPDATE SET last_claim = EXCLUDED.last_claim",
                (first["who"],),
            )
            return record_from_row(row)

    def positions(self) -> dict[str, int]:
        """Every waiting task's place in the account's fair queue (1 = next)."""
        rows = self.store.rows(_FAIR_ORDER, {"endpoint": self.endpoint, "in_line": _WAITING})
        return {row["id"]: int(row["position"]) for row in rows}

    def eta(
        self, position: int, *, in_flight: int, typical: float, max_concurrent: int | None
    ) -> float:
        """Seconds until a task at ``position`` is likely submitted: 0 while a slot is free
        for it, else whole rounds of the account's slots ahead of it, each a task's usual time
        (half of one for the round already running)."""
        slots = max(1, max_concurrent or 1)
        rounds = (position - 1 + in_flight) // slots
        return 0.0 if rounds == 0 else (rounds - 0.5) * typical

    # -- pacing submits across processes ---------------------------------------------------
    def try_send_lock(self) -> bool:
        """Take the account's send lock (a session lock: it ends with a dead worker's
        connection); ``False`` when another process is sending."""
        row = self.store.rows(
            "SELECT pg_try_advisory_lock(%s, hashtext(%s)) AS ok", (_SEND_LOCK, self.endpoint)
        )
        return bool(row[0]["ok"])

    def release_send_lock(self) -> None:
        self.store.rows(
            "SELECT pg_advisory_unlock(%s, hashtext(%s)) AS ok", (_SEND_LOCK, self.endpoint)
        )

    def send_delay(self, max_events: int, window: float) -> float:
        """Seconds until one more submit fits in every ``window`` (0: now), on the database's
        clock: a stamp counts from its answer (or its send, while unanswered)."""
        rows = self.store.rows(
            "SELECT coalesce(answered_at, sent_at) AS t, extract(epoch FROM clock_timestamp()) "
            "AS now FROM submit_stamps WHERE endpoint = %s AND ("
            "coalesce(answered_at, sent_at) > extract(epoch FROM clock_timestamp()) - %s OR "
            "(answered_at IS NULL AND sent_at > extract(epoch FROM clock_timestamp()) - %s)) "
            "ORDER BY t",
            (self.endpoint, window, _STALE_SEND),
        )
        if len(rows) < max_events:
            return 0.0
        return max(0.0, float(rows[-max_events]["t"]) + window - float(rows[0]["now"]))

    def stamp_send(self, sender: str) -> int:
        """Record a submit send starting now (``sender``: the worker); returns the stamp."""
        row = self.store.rows(
            "INSERT INTO submit_stamps (endpoint, sent_at, sender) "
            "VALUES (%s, extract(epoch FROM clock_timestamp()), %s) RETURNING id",
            (self.endpoint, sender),
        )
        return int(row[0]["id"])

    def stamp_answer(self, stamp: int) -> None:
        self.store.execute(
            "UPDATE submit_stamps SET answered_at = extract(epoch FROM clock_timestamp()) "
            "WHERE id = %s",
            (stamp,),
        )

    # -- workers and leases ----------------------------------------------------------------
    def heartbeat(self, worker: str, host: str, ttl: float) -> None:
        """Say ``worker`` is alive for ``ttl`` more seconds (its leases last as long)."""
        self.store.execute(
            "INSERT INTO workers (id, endpoint, host, started_at, alive_until) VALUES "
            "(%s, %s, %s, extract(epoch FROM clock_timestamp()), "
            "extract(epoch FROM clock_timestamp()) + %s) "
            "ON CONFLICT (id) DO UPDATE SET alive_until = EXCLUDED.alive_until",
            (worker, self.endpoint, host, ttl),
        )

    def live_workers(self) -> int:
        """How many workers serve this account now (a fresh heartbeat)."""
        row = self.store.rows(
            "SELECT count(*) AS n FROM workers WHERE endpoint = %s "
            "AND alive_until > extract(epoch FROM clock_timestamp())",
            (self.endpoint,),
        )
        return int(row[0]["n"])

    def retire(self, worker: str) -> None:
        """A worker that stops cleanly gives its tasks up at once."""
        self.store.execute("DELETE FROM workers WHERE id = %s", (worker,))

    def take_over(self, worker: str, *, limit: int = 50) -> list[TaskRecord]:
        """Lease to ``worker`` the unfinished tasks no live worker holds (a dead worker's, or
        an adopted task nobody polls yet), and succeeded ones whose video nobody stored."""
        rows = self.store.rows(
            "UPDATE tasks SET lease_owner = %(me)s WHERE id IN ("
            " SELECT id FROM tasks WHERE endpoint = %(endpoint)s AND ("
            "  status = ANY(%(held)s) OR (status = ANY(%(video)s) AND video_url IS NOT NULL"
            "   AND (extra_json::jsonb ->> 'video_stored') IS NULL"
            "   AND (extra_json::jsonb ->> 'download_error') IS NULL))"
            " AND (lease_owner IS NULL OR lease_owner NOT IN ("
            "  SELECT id FROM workers WHERE alive_until > extract(epoch FROM clock_timestamp())))"
            " ORDER BY seq LIMIT %(limit)s FOR UPDATE SKIP LOCKED) RETURNING *",
            {
                "me": worker,
                "endpoint": self.endpoint,
                "held": TAKEN_OVER,
                "video": sorted(WITH_VIDEO),
                "limit": limit,
            },
        )
        return [record_from_row(row) for row in rows]

    def held_by(self, worker: str) -> list[TaskRecord]:
        """Tasks at the provider that ``worker`` holds (it should be polling each)."""
        rows = self.store.rows(
            "SELECT * FROM tasks WHERE endpoint = %s AND lease_owner = %s AND status = ANY(%s)",
            (self.endpoint, worker, sorted(AT_PROVIDER)),
        )
        return [record_from_row(row) for row in rows]

    def request_cancel(self, local_id: str) -> None:
        """A person asks the worker holding ``local_id`` to cancel it at the provider."""
        self.store.execute(
            "UPDATE tasks SET cancel_requested = extract(epoch FROM clock_timestamp()) "
            "WHERE id = %s",
            (local_id,),
        )

    def cancel_requests(self, worker: str) -> list[TaskRecord]:
        """Tasks ``worker`` holds at the provider whose person asked to cancel them; each is
        handed out once (the request is cleared in the same statement)."""
        rows = self.store.rows(
            "UPDATE tasks SET cancel_requested = NULL WHERE endpoint = %s AND lease_owner = %s "
            "AND status = ANY(%s) AND cancel_requested IS NOT NULL RETURNING *",
            (self.endpoint, worker, sorted(CANCELABLE - LOCAL_QUEUE)),
        )
        return [record_from_row(row) for row in rows]

    # -- housekeeping ----------------------------------------------------------------------
    def prune_files(self, older_than: float) -> int:
        """Delete stored files (inputs and videos) older than ``older_than`` seconds, except
        inputs an unfinished task still needs; returns how many went. A student whose kernel
        has not fetched a video by then finds it gone (the provider's URL expires sooner)."""
        return self.store.execute(
            "DELETE FROM blobs b WHERE b.created_at < extract(epoch FROM clock_timestamp()) - %s "
            "AND NOT EXISTS (SELECT 1 FROM tasks t, "
            "jsonb_each_text(coalesce(t.extra_json::jsonb -> 'inputs', '{}'::jsonb)) AS i "
            "WHERE t.status = ANY(%s) AND i.value = b.sha256)",
            (older_than, sorted(UNFINISHED)),
        )

    # -- the teacher's view ----------------------------------------------------------------
    def set_cap(self, person: str, dollars: float | None) -> None:
        """Cap what ``person`` may spend (US dollars; ``None`` lifts the cap)."""
        self.store.execute(
            "INSERT INTO people (person, spend_cap) VALUES (%s, %s) "
            "ON CONFLICT (person) DO UPDATE SET spend_cap = EXCLUDED.spend_cap",
            (person, dollars),
        )

    def committed(self, person: str, per_task: float) -> tuple[float, float | None]:
        """``(dollars spent or committed, cap)`` of ``person``: the cost of their finished tasks
        plus ``per_task`` for each one submitted and not yet billed."""
        row = self.store.rows(
            "SELECT coalesce(sum(cost), 0) AS spent, "
            "count(*) FILTER (WHERE cost IS NULL AND status = ANY(%s)) AS open, "
            "(SELECT spend_cap FROM people WHERE person = %s) AS cap "
            "FROM tasks WHERE coalesce(person, '') = %s",
            (IN_FLIGHT, person, person),
        )[0]
        return float(row["spent"]) + per_task * int(row["open"]), row["cap"]

    def usage(self) -> list[Usage]:
        """Per person: tasks, waiting, in flight, with a video, dollars, and their cap."""
        rows = self.store.rows(
            "SELECT coalesce(t.person, '') AS person, count(*) AS tasks, "
            "count(*) FILTER (WHERE t.status = %s) AS waiting, "
            "count(*) FILTER (WHERE t.status = ANY(%s)) AS in_flight, "
            "count(*) FILTER (WHERE t.status = ANY(%s)) AS with_video, "
            "coalesce(sum(t.cost), 0) AS cost, max(p.spend_cap) AS spend_cap "
            "FROM tasks t LEFT JOIN people p ON p.person = coalesce(t.person, '') "
            "GROUP BY coalesce(t.person, '') ORDER BY 1",
            (_WAITING, IN_FLIGHT, sorted(WITH_VIDEO)),
        )
        return [Usage(**row) for row in rows]
