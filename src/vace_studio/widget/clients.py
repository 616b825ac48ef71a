"""The clients one studio has used, and the keys typed into its header.

A key for another provider makes a new client (sharing the home folder: store and video cache);
the old one keeps polling the tasks it already has, so their cards keep moving. The current
client is the last one. The keys are kept only to be scrubbed from error texts.
"""

from __future__ import annotations

from typing import Any

from vace_studio.engine import Client, Task, TaskRecord
from vace_studio.widget import account


class Clients:
    """The studio's clients, the current one last."""

    def __init__(self, first: Client) -> None:
        self.all: list[Client] = [first]
        self._secrets: list[str] = []

    @property
    def current(self) -> Client:
        """Where new tasks go."""
        return self.all[-1]

    def use_key(self, key: Any, target: dict[str, str] | None) -> Client | None:
        """Use ``key`` (for ``target``, or the current provider); returns the new client when
        it needed one, else ``None``. Raises ``KeyRefusedError`` (never naming the key)."""
        client = account.apply_key(self.current, key, target)
        self._secrets.append(str(key).strip())
        if client is self.current:
            return None
        self.all.append(client)
        return client

    def scrub(self, text: str) -> str:
        """``text`` without any key typed into this studio."""
        return account.scrub(text, self._secrets)

    def owner(self, task: Task) -> Client | None:
        """The client of the task's endpoint (the latest one, if several share it)."""
        endpoint = task.record.endpoint
        return next((c for c in reversed(self.all) if c.endpoint == endpoint), None)

    def live(self, record: TaskRecord) -> Task:
        """The engine's live task when a client of this studio runs it, else a still copy."""
        for client in self.all:
            task = client.task(record.id)
            if task is not None:
                return task
        return self.current.view(record)
