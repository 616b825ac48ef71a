"""Who may use a running simulator: only its owner, who knows its per-process secret.

On a shared machine every local user can reach every loopback port, so a simulator that answered
anyone would let any process on the machine run tasks on its owner's behalf, read its results and
steer it. A secret made at start (``secrets.token_urlsafe``) is known only to the process that
started the simulator (and printed once by ``vace-studio simulator``):

- provider routes take it as their API key; ``<secret>.<anything>`` is accepted too, each distinct
  suffix its own account, so tests can play several accounts (quotas and task visibility are per
  key). ``SimulatorConfig.api_keys``, when given, replaces this with an explicit list;
- result and upload links are signed with it (:mod:`.storage`);
- the ``/_simulator/…`` routes want it in ``X-Simulator-Secret`` or as a bearer key derived
  from it (an explicitly listed key does not open them: those are for provider routes only).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Collection

SECRET_HEADER = "x-simulator-secret"
"""The header the introspection routes read the secret from (a bearer key derived from it works
too)."""


def new_secret() -> str:
    """A fresh secret: 256 bits, URL-safe (it travels in headers and is printed for copying)."""
    return secrets.token_urlsafe(32)


def derived_key(secret: str, account: str | int = "") -> str:
    """The API key of ``account``: the secret itself for ``""``, else ``<secret>.<account>``."""
    return f"{secret}.{account}" if str(account) else secret


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that copes with any text a client sends."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class Owner:
    """Checks keys against the secret (or an explicit list of keys)."""

    def __init__(self, secret: str, api_keys: Collection[str] | None) -> None:
        self._secret = secret
        self._listed = None if api_keys is None else frozenset(api_keys)

    @property
    def secret(self) -> str:
        """The secret (only the owner's process may read it)."""
        return self._secret

    def is_owner(self, key: str) -> bool:
        """True for the secret and for ``<secret>.<suffix>`` with a non-empty suffix."""
        head, dot, suffix = key.partition(".")
        if dot and not suffix:
            return False
        return _same(head, self._secret)

    def accepts(self, key: str) -> bool:
        """Whether a provider route takes ``key`` as an API key."""
        if self._listed is not None:
            return any(_same(key, listed) for listed in self._listed)
        return self.is_owner(key)
