"""Which provider the studio talks to, and taking an API key from the browser.

The key arrives once, in a ``set_key`` custom message, and goes straight into a :class:`Client`
(its transport keeps it in memory). It is never a trait, never written anywhere, never echoed
back; :func:`scrub` removes it from any text the widget sends, as a last line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vace_studio.engine import Client
from vace_studio.providers import infos


def key_targets() -> list[dict[str, str]]:
    """Where a key typed into the widget can be used (the header's provider choice): one entry
    per registered provider and region, with what the header shows of it.

    Each has ``value`` (what ``set_key`` sends back), ``label`` (the choice as read),
    ``provider`` and ``region`` (``""`` for a one-region provider), ``env`` (the variable the key
    is usually in), ``provider_label`` and ``region_label`` (``"intl (Singapore)"``, or ``""``).
    """
    targets = []
    for info in infos():
        plain = {"provider": info.name, "env": info.key_env, "provider_label": info.label}
        if not info.regions:
            targets.append(
                {"value": info.name, "label": info.label, "region": "", "region_label": ""} | plain
            )
        for region in info.regions:
            targets.append(
                {
                    "value": f"{info.name}:{region.name}",
                    "label": f"{info.label}, {region.label}",
                    "region": region.name,
                    "region_label": f"{region.name} ({region.place})",
                }
                | plain
            )
    return targets


class KeyRefusedError(ValueError):
    """The key cannot be used as asked; the message never contains the key."""


def facts(client: Client, *, user_key: bool) -> dict[str, Any]:
    """The header's traits for ``client``.

    ``has_key`` is true for a real provider (it cannot exist without a key) and, for the
    simulator, only once someone entered a key: the simulator's built-in key is not one.
    """
    simulated = client.simulated
    return {
        "provider": client.settings.provider,
        "region": client.settings.region,
        "endpoint": client.endpoint,
        "simulated": simulated,
        "notice": client.settings.notice or "",
        "has_key": user_key or not simulated,
        # The simulator charges nothing (the engine prices its tasks at 0).
        "price_per_second": None if simulated else client.provider.price_per_second,
        # A class's kernel refuses keys (the worker holds the account's): nothing to offer.
        "key_targets": [] if client.shared is not None else key_targets(),
    }


def target_of(value: Any) -> dict[str, str] | None:
    """The :func:`key_targets` entry named ``value`` (``None``: keep the current provider)."""
    if value is None or value == "":
        return None
    targets = key_targets()
    for target in targets:
        if target["value"] == value:
            return target
    names = ", ".join(t["value"] for t in targets)
    raise KeyRefusedError(f"provider: must be one of {names} (got {value!r})")


def apply_key(client: Client, key: Any, target: dict[str, str] | None) -> Client:
    """Use ``key``: on ``client`` itself when it already is that provider, else on a new client.

    A new client shares the old one's home (store and video cache); the old one keeps polling
    the tasks it already has.
    """
    if not isinstance(key, str) or not key.strip():
        raise KeyRefusedError("key: paste an API key first (it was empty)")
    key = key.strip()
    # A one-region provider's target has no region: any region setting is the same account.
    same = target is None or (
        not client.simulated
        and target["provider"] == client.settings.provider
        and target["region"] in ("", client.settings.region)
    )
    if same:
        try:
            client.set_api_key(key)
        except ValueError as error:  # a class's kernel: the key belongs to the worker
            raise KeyRefusedError(scrub(str(error), [key])) from None
        return client
    assert target is not None
    # A one-region provider ignores the region: keep the current one rather than name one here.
    region = target["region"] or client.settings.region
    try:
        return Client(target["provider"], api_key=key, region=region, home=client.paths.home)
    except Exception as error:
        # Settings errors never include the key, but a future message might: scrub regardless.
        raise KeyRefusedError(scrub(str(error), [key])) from None


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
