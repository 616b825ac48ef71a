"""Which provider, which key, which URL: resolving a Client's settings from arguments and env.

Keys are read here and handed straight to the client, which keeps them in memory only. The
providers, their key and base-URL variables and their regions come from the provider registry
(:func:`vace_studio.providers.infos`), read at each call: nothing here names a provider.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from vace_studio.providers import infos, provider_names

SIMULATOR = "simulator"
"""The provider name of the built-in simulator (it plays a registered provider's protocol)."""


def key_env() -> dict[str, str]:
    """Provider name → the environment variable its key is read from."""
    return {info.name: info.key_env for info in infos()}


def base_url_env() -> dict[str, str]:
    """Provider name → the environment variable that points it elsewhere (scheme, host, port)."""
    return {info.name: info.base_url_env for info in infos()}


def region_names() -> tuple[str, ...]:
    """Every region some provider has (``"intl"``, ``"cn"``); one-region providers ignore it."""
    return tuple(dict.fromkeys(r.name for info in infos() for r in info.regions))


SIMULATOR_KEY = "simulator-key"
"""A placeholder key for the simulator, never accepted by one: a client of the embedded simulator
is given its per-process secret when it starts it (``engine.embedded_simulator``), and a
standalone simulator (``vace-studio simulator``) wants the secret it printed, as ``api_key``."""


class SettingsError(ValueError):
    """The client cannot be set up as asked; the message says what to do."""


@dataclass(frozen=True)
class Settings:
    """A client's resolved settings. ``api_key`` is excluded from ``repr``."""

    provider: str
    protocol: str
    region: str
    base_url: str | None
    api_key: str
    simulated: bool
    notice: str | None

    def __repr__(self) -> str:
        return (
            f"Settings(provider={self.provider!r}, region={self.region!r}, "
            f"base_url={self.base_url!r}, simulated={self.simulated})"
        )


def resolve_settings(
    provider: str | None,
    *,
    api_key: str | None,
    base_url: str | None,
    region: str,
    simulator_protocol: str | None = None,
) -> Settings:
    """Decide provider, key and URL. No provider and no key anywhere → the simulator.

    A key without a provider goes to the default provider (the first registered); the simulator
    speaks ``simulator_protocol`` (default: the default provider's).
    """
    regions = region_names()
    if region not in regions:
        raise SettingsError(f"region: must be {_quoted(regions)} (got {region!r})")
    names = provider_names()
    default = names[0]
    keys = key_env()
    if provider is None:
        found = [name for name, env in keys.items() if os.environ.get(env)]
        if api_key is not None:
            provider = default
        elif found:
            provider = found[0]
        else:
            return _simulated(
                simulator_protocol or default,
                region,
                base_url,
                SIMULATOR_KEY,
                f"No API key found ({_listed(list(keys.values()))}), so vace-studio uses its "
                "built-in simulator: tasks run on this machine, cost nothing and produce "
                "simulated videos.",
            )
    if provider not in (*names, SIMULATOR):
        known = ", ".join((*names, SIMULATOR))
        raise SettingsError(f"provider: must be one of {known} (got {provider!r})")
    if provider == SIMULATOR:
        return _simulated(
            simulator_protocol or default,
            region,
            base_url,
            api_key or SIMULATOR_KEY,
            "Using the built-in simulator: nothing leaves this machine.",
        )
    key = api_key or os.environ.get(keys[provider])
    if not key:
        raise SettingsError(
            f"{provider} needs an API key: pass api_key=... or set {keys[provider]} "
            "(or use provider='simulator' to try things offline)"
        )
    return Settings(
        provider=provider,
        protocol=provider,
        region=region,
        base_url=base_url or os.environ.get(base_url_env()[provider]) or None,
        api_key=key,
        simulated=False,
        notice=None,
    )


def _simulated(protocol: str, region: str, base_url: str | None, key: str, notice: str) -> Settings:
    return Settings(
        provider=SIMULATOR,
        protocol=protocol,
        region=region,
        base_url=base_url,
        api_key=key,
        simulated=True,
        notice=notice,
    )


def _quoted(names: tuple[str, ...]) -> str:
    return _listed([repr(n) for n in names])


def _listed(items: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
