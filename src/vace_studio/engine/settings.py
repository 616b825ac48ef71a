"""Which provider, which key, which URL: resolving a Client's settings from arguments and env.

Keys are read here and handed straight to the client, which keeps them in memory only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

PROVIDERS = ("dashscope", "modellix", "mulerouter", "simulator")

KEY_ENV = {
    "dashscope": "DASHSCOPE_API_KEY",
    "modellix": "MODELLIX_API_KEY",
    "mulerouter": "MULEROUTER_API_KEY",
}
"""The environment variable each provider's key is read from."""

BASE_URL_ENV = {
    "dashscope": "VACE_STUDIO_DASHSCOPE_BASE_URL",
    "modellix": "VACE_STUDIO_MODELLIX_BASE_URL",
    "mulerouter": "VACE_STUDIO_MULEROUTER_BASE_URL",
}
"""Environment variables that point a provider elsewhere (scheme, host and port)."""

SIMULATOR_KEY = "simulator-key"
"""The key the embedded simulator is called with; it accepts any, this one is not a secret."""


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
    simulator_protocol: str = "dashscope",
) -> Settings:
    """Decide provider, key and URL. No provider and no key anywhere → the simulator."""
    if region not in ("intl", "cn"):
        raise SettingsError(f"region: must be 'intl' or 'cn' (got {region!r})")
    if provider is None:
        found = [name for name, env in KEY_ENV.items() if os.environ.get(env)]
        if api_key is not None:
            provider = "dashscope"
        elif found:
            provider = found[0]
        else:
            return Settings(
                provider="simulator",
                protocol=simulator_protocol,
                region=region,
                base_url=base_url,
                api_key=SIMULATOR_KEY,
                simulated=True,
                notice="No API key found (DASHSCOPE_API_KEY, MODELLIX_API_KEY or "
                "MULEROUTER_API_KEY), so vace-studio uses its built-in simulator: tasks run "
                "on this machine, cost nothing and produce simulated videos.",
            )
    if provider not in PROVIDERS:
        raise SettingsError(f"provider: must be one of {', '.join(PROVIDERS)} (got {provider!r})")
    if provider == "simulator":
        return Settings(
            provider="simulator",
            protocol=simulator_protocol,
            region=region,
            base_url=base_url,
            api_key=api_key or SIMULATOR_KEY,
            simulated=True,
            notice="Using the built-in simulator: nothing leaves this machine.",
        )
    key = api_key or os.environ.get(KEY_ENV[provider])
    if not key:
        raise SettingsError(
            f"{provider} needs an API key: pass api_key=... or set {KEY_ENV[provider]} "
            "(or use provider='simulator' to try things offline)"
        )
    return Settings(
        provider=provider,
        protocol=provider,
        region=region,
        base_url=base_url or os.environ.get(BASE_URL_ENV[provider]) or None,
        api_key=key,
        simulated=False,
        notice=None,
    )
