"""A student's kernel in a shared store: it enqueues validated requests and follows their state;
a key-holder worker (:mod:`~vace_studio.engine.worker`) does everything that needs the key.

``Client(store="postgresql://…")`` (or ``VACE_STUDIO_DB``) builds its engine from the pieces
here instead of a provider connection: the account's facts come from the store (a worker
publishes them, never the key), the transport has no key and refuses to send, and the scheduler
is a :class:`Follower` — it submits and polls nothing, and mirrors the store into the kernel's
tasks: status, place in the account's fair queue with an ETA, and the result video, fetched from
the store into the local cache.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vace_studio.engine.lifecycle import Lifecycle
from vace_studio.engine.scheduler import Scheduler
from vace_studio.engine.settings import Settings, SettingsError
from vace_studio.engine.shared_queue import Account, SharedQueue
from vace_studio.engine.status import CANCELABLE, LOCAL_QUEUE, TERMINAL, UNFINISHED, WITH_VIDEO
from vace_studio.engine.store import record_from_row
from vace_studio.engine.transport import Transport
from vace_studio.providers import AuthError, HttpRequestSpec, ProviderLimits
from vace_studio.requests.refs import is_local

if TYPE_CHECKING:
    from vace_studio.engine.paths import Paths
    from vace_studio.engine.store import TaskRecord
    from vace_studio.engine.store_pg import PgStore
    from vace_studio.engine.task import Task

log = logging.getLogger("vace_studio")

PERSON_ENV = "VACE_STUDIO_PERSON"
"""Who a kernel's tasks belong to in a shared store (default: ``JUPYTERHUB_USER``, then the
login name)."""


def default_person() -> str:
    return os.environ.get(PERSON_ENV) or os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def join(url: str, api_key: str | None, person: str | None) -> tuple[PgStore, Settings, str]:
    """A student's kernel joins the class store at ``url``: the store, settings naming the
    class's account (no key), and who the kernel's tasks belong to."""
    if api_key is not None:
        raise SettingsError(
            "a kernel of a shared store takes no key: the worker (vace-studio worker --db ...) "
            "holds it"
        )
    from vace_studio.engine.store_pg import PgStore

    store = PgStore(url)
    try:
        account = class_account(store)
    except SettingsError:
        store.close()
        raise
    return store, student_settings(account), person or default_person()


def class_fields(
    store: PgStore, person: str | None, request: Mapping[str, Any], fields: dict[str, Any]
) -> dict[str, Any]:
    """A new task's record fields in a class store: whose it is, and where its local input
    files are in the store (``extra.inputs``: path as given → content hash)."""
    inputs = stored_inputs(store, request)
    extra = {**fields.get("extra", {}), **({"inputs": inputs} if inputs else {})}
    return {**fields, "person": person, "extra": extra}


def to_follow(store: PgStore, endpoint: str, person: str, paths: Paths) -> list[TaskRecord]:
    """``person``'s tasks a restarted kernel follows: the unfinished ones, and those whose
    video is not in this machine's cache yet."""
    out = []
    for record in store.select(statuses=UNFINISHED | WITH_VIDEO, endpoint=endpoint, person=person):
        digest = record.extra.get("video_stored")
        if record.status in WITH_VIDEO and (paths.cache / f"{digest}.mp4").is_file():
            continue
        out.append(record)
    return out


def class_account(store: PgStore, endpoint: str | None = None) -> Account:
    """The account a worker published in ``store`` (the one with ``endpoint``, if given)."""
    rows = store.rows("SELECT * FROM accounts ORDER BY updated_at DESC")
    accounts = [Account.from_row(row) for row in rows]
    if endpoint is not None:
        accounts = [a for a in accounts if a.endpoint == endpoint]
    if not accounts:
        raise SettingsError(
            f"no worker has registered an account in {store.path} yet: the person with the key "
            "starts one with `vace-studio worker --db <the same URL>`"
        )
    return accounts[0]


def student_settings(account: Account) -> Settings:
    """Settings that name the class's account and carry no key."""
    return Settings(
        provider=account.provider,
        protocol=account.protocol,
        region=account.region,
        base_url=account.endpoint,
        api_key="",
        simulated=account.simulated,
        notice=(
            "Tasks go to the class queue; a worker with the account's key submits them"
            + (" to the built-in simulator." if account.simulated else ".")
        ),
    )


def account_limits(account: Account) -> ProviderLimits:
    return ProviderLimits(
        submits_per_second=account.submits_per_second, max_concurrent=account.max_concurrent
    )


def engine(store: PgStore, endpoint: str, paths: Paths) -> tuple[KeylessTransport, Follower]:
    """A student kernel's transport (no key, sends nothing) and scheduler (follows the store)."""
    return KeylessTransport(), Follower(class_account(store, endpoint), store, paths)


HOLD_EVERY = 5
"""The account's hold is read every this many looks at the store (about once a second)."""

CANCEL_WAIT = 10.0
"""Seconds a student's ``cancel`` waits for the worker to cancel a task at the provider."""


class StudentLifecycle(Lifecycle):
    """A student's task actions: a task still in line is canceled here; one at the provider is
    marked for the worker holding it (``tasks.cancel_requested``), which cancels it with the key.
    Everything else that needs the provider is the worker's."""

    async def cancel(self, task: Task) -> bool:
        if task.status in LOCAL_QUEUE or task.status not in CANCELABLE:
            return await super().cancel(task)
        follower = self.ctx.scheduler
        assert isinstance(follower, Follower)
        follower.queue.request_cancel(task.local_id)
        deadline = time.monotonic() + CANCEL_WAIT
        # The follower refreshes the record from the store; the worker's answer arrives there.
        while task.status in CANCELABLE and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        return task.status not in CANCELABLE and task.status not in WITH_VIDEO


class KeylessTransport(Transport):
    """A student's transport: it has no key and sends nothing to the provider (the worker
    does); result URLs are still fetched from it by the widget when the browser asks."""

    def __init__(self) -> None:
        super().__init__("")

    def set_key(self, api_key: str) -> None:
        raise SettingsError(
            "this kernel is part of a class: the key belongs in the worker's environment "
            "(vace-studio worker), not in a student's kernel"
        )

    async def send(self, spec: HttpRequestSpec) -> tuple[int, Mapping[str, str], bytes]:
        raise AuthError(
            "this kernel has no key: in a class, the worker sends every request to the provider",
            provider="class",
        )


def stored_inputs(store: PgStore, request: Mapping[str, Any]) -> dict[str, str]:
    """Store the local files of a validated request in the shared store, for the worker:
    ``{path as given: content hash}``."""
    from vace_studio.requests import validate_request  # the models load on first use

    model = validate_request(request)
    out: dict[str, str] = {}
    for refs in model.media().values():
        for ref in refs:
            if is_local(ref) and ref not in out:
                out[ref] = store.put_blob(Path(ref).expanduser())
    return out


class Follower(Scheduler):
    """Mirrors the shared store into a student's tasks; submits and polls nothing itself."""

    def __init__(
        self, account: Account, store: PgStore, paths: Paths, *, look_every: float = 0.2
    ) -> None:
        super().__init__(account_limits(account))
        self.account = account
        self.store = store
        self.queue = SharedQueue(store, account.endpoint)
        self.paths = paths
        self.look_every = look_every
        self.followed: dict[str, Task] = {}
        self._version = 0
        self._fresh: set[str] = set()
        self._top = -1
        self._ticks = 0
        self.expected = account.typical_seconds

    # -- what the client asks of a scheduler -------------------------------------------------
    def enqueue(self, task: Task, *, front: bool = False) -> None:
        self.follow(task)

    def track(self, task: Task, delay: float) -> None:
        self.follow(task)

    def follow(self, task: Task) -> None:
        """Keep ``task`` current from the store until it is done."""
        self.followed[task.local_id] = task
        self._fresh.add(task.local_id)  # read it whole once, whatever version it is at
        self.wake()

    def remove_waiting(self, task: Task) -> bool:
        # The conditional commit that follows decides: a worker may have claimed it meanwhile.
        return task.status in LOCAL_QUEUE

    def release(self, task: Task) -> None:
        self.followed.pop(task.local_id, None)

    def resume(self) -> None:
        """Resume the whole account's submissions after a person fixed what held them (the
        workers follow within a heartbeat)."""
        self.queue.set_held(None)
        super().resume()

    # -- the mirror loop --------------------------------------------------------------------
    async def _run(self) -> None:
        assert self._wake is not None
        while not self._closing:
            try:
                self.refresh()
            except Exception:  # the database is away for a moment: look again soon
                log.exception("reading the class store failed")
            self._wake.clear()
            try:
                async with asyncio.timeout(self.look_every):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def refresh(self) -> None:
        """One look at the store: changed rows, places in line, the account's hold, videos."""
        if not self.followed:
            return
        self._ticks += 1
        if self._ticks % HOLD_EVERY == 0:
            self._hold()
        # One cheap look first: no task of the class changed since the last look (every change
        # bumps the one version sequence), so neither did these tasks nor anyone's place in line.
        top = int(self.store.rows("SELECT coalesce(max(version), 0) AS v FROM tasks")[0]["v"])
        if top == self._top and not self._fresh:
            return
        self._top = top
        fresh, self._fresh = list(self._fresh), set()
        rows = self.store.rows(
            "SELECT * FROM tasks WHERE id = ANY(%s) AND (version > %s OR id = ANY(%s)) "
            "ORDER BY version",
            (list(self.followed), self._version, fresh),
        )
        changed: set[str] = set()
        for row in rows:
            self._version = max(self._version, int(row["version"]))
            task = self.followed.get(row["id"])
            if task is not None:
                task.record = record_from_row(row)
                changed.add(task.local_id)
        self._places(changed)
        for task in list(self.followed.values()):
            if self._video(task) or task.local_id in changed:
                task.notify()
            if task.done:
                self.followed.pop(task.local_id, None)

    def _places(self, changed: set[str]) -> None:
        waiting = []
        for task in self.followed.values():
            if task.status in LOCAL_QUEUE:
                waiting.append(task)
            elif task.position is not None:  # claimed: no longer in line
                task.position = task.eta = None
                changed.add(task.local_id)
        if not waiting:
            return
        positions = self.queue.positions()
        busy = self.queue.in_flight(self.expected)
        for task in waiting:
            position = positions.get(task.local_id)
            eta = (
                None
                if position is None
                else self.queue.eta(
                    position,
                    in_flight=busy,
                    typical=self.expected,
                    max_concurrent=self.limits.max_concurrent,
                )
            )
            if (position, eta) != (task.position, task.eta):
                task.position, task.eta = position, eta
                changed.add(task.local_id)

    def _hold(self) -> None:
        account = self.queue.account()
        reason = account.held if account else None
        if reason != self.held:
            self.held = reason
            for callback in list(self._hold_observers):
                callback(reason)

    def _video(self, task: Task) -> bool:
        """Bring a finished task's video from the store into the local cache; whether the
        task's local state changed. The worker's own path means nothing on this machine."""
        rec = task.record
        if rec.status not in WITH_VIDEO or not rec.video_url:
            if task.downloading and rec.status in TERMINAL:
                task.downloading = False
                return True
            return False
        digest = rec.extra.get("video_stored")
        if digest is None:
            was = task.downloading
            task.downloading = rec.extra.get("download_error") is None
            rec.local_path = None
            return was != task.downloading
        target = self.paths.cache / f"{digest}.mp4"
        if not target.is_file():
            found = self.store.blob(str(digest))
            if found is None:
                return False
            partial = self.paths.staging / f"{digest}.class"
            partial.write_bytes(found[1])
            partial.replace(target)
        rec.local_path = str(target)
        changed = task.downloading
        task.downloading = False
        return changed or True
