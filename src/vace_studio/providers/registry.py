"""Choosing an adapter by name: :func:`make_provider`."""

from __future__ import annotations

from typing import Any

from vace_studio.providers.base import Provider
from vace_studio.providers.dashscope import DashScope
from vace_studio.providers.modellix import Modellix
from vace_studio.providers.mulerouter import MuleRouter

PROVIDERS = ("dashscope", "modellix", "mulerouter")
"""The provider names :func:`make_provider` knows."""


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
    match name.strip().lower():
        case "dashscope":
            return DashScope(region, base_url=base_url, **options)
        case "modellix":
            return Modellix(base_url=base_url, **options)
        case "mulerouter":
            return MuleRouter(base_url=base_url, **options)
        case _:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)} (got {name!r})")
