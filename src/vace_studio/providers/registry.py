"""The known providers: each adapter's :class:`ProviderInfo` and how to build it.

Everything outside ``providers/`` that lists providers asks here (:func:`infos`,
:func:`provider_info`, :func:`make_provider`), at call time, so a provider registered with
:func:`register` is offered by the settings, the engine and the widget without further changes.
The first registered provider is the default (DashScope, the official one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vace_studio.providers import dashscope, modellix, mulerouter
from vace_studio.providers.base import Provider
from vace_studio.providers.info import ProviderInfo

ProviderFactory = Callable[..., Provider]
"""Builds an adapter: called as ``factory(region=..., base_url=..., **options)``; an unknown
option raises ``TypeError``, an unknown region ``ValueError``."""

_REGISTERED: dict[str, tuple[ProviderInfo, ProviderFactory]] = {}


def register(info: ProviderInfo, factory: ProviderFactory) -> None:
    """Make a provider known under ``info.name`` (lower case); replaces one of the same name."""
    if info.name != info.name.strip().lower() or not info.name:
        raise ValueError(f"a provider name is lower case, without spaces (got {info.name!r})")
    _REGISTERED[info.name] = (info, factory)


def unregister(name: str) -> None:
    """Forget a provider (tests register stand-ins); unknown names are ignored."""
    _REGISTERED.pop(name, None)


def infos() -> tuple[ProviderInfo, ...]:
    """Every registered provider's facts, in registration order (the default first)."""
    return tuple(info for info, _ in _REGISTERED.values())


def provider_names() -> tuple[str, ...]:
    """The names :func:`make_provider` knows."""
    return tuple(_REGISTERED)


def provider_info(name: str) -> ProviderInfo:
    """The facts of the provider called ``name`` (any case); ``ValueError`` when unknown."""
    return _entry(name)[0]


def regional(name: str, region: str | None) -> str | None:
    """``region`` where the provider called ``name`` has several (DashScope), else ``None``: a
    one-region provider's region setting means nothing. A name no longer registered (an old
    record) gives ``None`` too."""
    found = _REGISTERED.get(name.strip().lower())
    return region if found is not None and found[0].regions else None


def _entry(name: str) -> tuple[ProviderInfo, ProviderFactory]:
    found = _REGISTERED.get(name.strip().lower())
    if found is None:
        known = ", ".join(_REGISTERED)
        raise ValueError(f"provider must be one of {known} (got {name!r})")
    return found


def make_provider(
    name: str, *, region: str = "intl", base_url: str | None = None, **options: Any
) -> Provider:
    """The adapter for ``name``.

    ``region`` (``"intl"`` or ``"cn"``) applies to DashScope only; the gateways have one
    region and ignore it. ``base_url`` replaces the scheme, host and port of the documented
    base; the documented paths follow it, so one simulator URL (``http://127.0.0.1:8123``)
    serves all three. ``options`` go to the adapter: ``workspace=`` and ``model=`` for
    DashScope, ``fields=MuleRouterFields(...)`` and ``model=`` for MuleRouter, ``model=`` for
    Modellix. An unknown option raises ``TypeError``; an unknown name or region ``ValueError``.
    """
    _, factory = _entry(name)
    return factory(region=region, base_url=base_url, **options)


def _dashscope(*, region: str, base_url: str | None, **options: Any) -> Provider:
    return dashscope.DashScope(region, base_url=base_url, **options)


def _modellix(*, region: str, base_url: str | None, **options: Any) -> Provider:
    return modellix.Modellix(base_url=base_url, **options)  # one region: ``region`` is moot


def _mulerouter(*, region: str, base_url: str | None, **options: Any) -> Provider:
    return mulerouter.MuleRouter(base_url=base_url, **options)  # one region, as Modellix


register(dashscope.INFO, _dashscope)
register(modellix.INFO, _modellix)
register(mulerouter.INFO, _mulerouter)
