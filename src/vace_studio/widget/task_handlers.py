"""Handlers of the Create view's messages: forms and task cards, and the header's key.

``hello`` (a view opened: every card), ``validate``, ``submit`` (queue a request), ``cancel``,
``retry``, ``adopt`` and ``resubmit`` (an uncertain submit's two choices), ``resume`` (the held
queue's banner) and ``set_key``. Each handler gets what it needs as explicit collaborators: the
card feed (the tasks the studio shows) and the studio's clients.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vace_studio.engine import Client, Task
from vace_studio.widget import account, wording
from vace_studio.widget.clients import Clients
from vace_studio.widget.commands import Message, Reply, command
from vace_studio.widget.errors import MessageError
from vace_studio.widget.feed import CardFeed


class TaskHandlers:
    """Forms and cards: ``feed`` holds the studio's tasks, ``clients`` where new ones go."""

    def __init__(self, feed: CardFeed, clients: Clients) -> None:
        self._feed = feed
        self._clients = clients

    @property
    def _client(self) -> Client:
        return self._clients.current

    def _task(self, message: Message) -> Task:
        local_id = message.get("local_id")
        task = self._feed.task(local_id)
        if task is None:
            raise MessageError(f"no task {local_id!r} in this studio", "unknown_task")
        return task

    def _queue(self, request: Mapping[str, Any], tags: Mapping[str, Any] | None = None) -> Task:
        task = self._client.enqueue(request, tags=tags)
        self._feed.track(task)
        return task

    @command("hello")
    def hello(self, message: Message) -> Reply:
        """A view (re)opened: every card, newest first."""
        return self._feed.snapshot()

    @command("validate")
    def validate(self, message: Message) -> Reply:
        """Every check a submit would make, nothing recorded; answers the estimated cost and the
        warnings (what the service would trim or ignore, in the form's words)."""
        request = message.request()
        model, warnings = self._client.inspect(request)
        return {
            "cost": self._client.estimate_cost(model),
            "simulated": self._client.simulated,
            "warnings": wording.problems_json(warnings, model.function, request),
        }

    @command("submit")
    def submit(self, message: Message) -> Reply:
        """Queue the request (the Submit button); the card follows as a push, its provider id
        later."""
        task = self._queue(message.request())
        return {"local_id": task.local_id, "task_id": task.task_id}

    @command("retry")
    def retry(self, message: Message) -> Reply:
        """The same request again, as a new task (the old card stays)."""
        old = self._task(message)
        task = self._queue(old.request, tags={"retry_of": old.local_id})
        return {"local_id": task.local_id}

    @command("cancel")
    async def cancel(self, message: Message) -> Reply:
        """``stopped``: whether the task was canceled (providers cancel queued tasks only)."""
        task = self._task(message)
        stopped = await task.cancel()
        return {"stopped": stopped, "status": task.status}

    @command("adopt")
    async def adopt(self, message: Message) -> Reply:
        """An uncertain task takes the provider task id a person pasted; then it is polled."""
        task = self._task(message)
        task_id = message.get("task_id")
        if not isinstance(task_id, str):
            raise MessageError("task_id: paste the provider's task id")
        try:
            await task.adopt(task_id)
        except ValueError as error:  # not adoptable, empty, or another task's id: verbatim
            raise MessageError(str(error), "refused") from None
        return {"status": task.status, "task_id": task.task_id}

    @command("resubmit")
    async def resubmit(self, message: Message) -> Reply:
        """An uncertain task's request sent again as a new task that replaces it."""
        task = self._task(message)
        try:
            new = await task.resubmit()
        except ValueError as error:
            raise MessageError(str(error), "refused") from None
        self._feed.track(new)
        return {"local_id": new.local_id, "replaces": task.local_id}

    @command("resume")
    def resume(self, message: Message) -> Reply:
        """The held-queue banner's button: submit the waiting tasks again."""
        self._client.resume_submissions()
        return {"held": self._client.submissions_held or None}


class KeyHandler:
    """The header's key: ``use_key(key, target)`` applies it and answers the new header facts
    (the studio's traits change with them)."""

    def __init__(self, use_key: Callable[[Any, dict[str, str] | None], Mapping[str, Any]]) -> None:
        self._use_key = use_key

    @command("set_key")
    def set_key(self, message: Message) -> Reply:
        """Use the key typed into the header (never echoed back, scrubbed from every error)."""
        target = account.target_of(message.get("provider"))
        facts = self._use_key(message.get("key"), target)
        return {"has_key": facts["has_key"], "provider": facts["provider"]}
