"""The embedded simulator: started once per process, on first need, and stopped at exit.

This is the one place the engine touches the simulator package, and only to start it as the
default provider; everything else talks to it over HTTP like to any provider. The simulator
answers only whoever knows its per-process secret: the engine reads it from the handle here and
gives it to its clients as their API key, in memory only like any key.
"""

from __future__ import annotations

import atexit
import dataclasses
import threading
from typing import Any

from vace_studio.engine.settings import Settings, resolve_settings

_lock = threading.Lock()
_handle: Any = None


def embedded(config: Any = None) -> Any:
    """The running embedded simulator (a ``SimulatorHandle``), started if needed.

    Local file inputs are read only from the engine's input store (where in-memory media is
    written) unless ``config`` names other ``input_roots``.
    """
    global _handle
    with _lock:
        if _handle is None:
            from vace_studio.media.inputs import default_inputs_dir
            from vace_studio.simulator import SimulatorConfig, serve

            chosen = config if config is not None else SimulatorConfig()
            if not chosen.input_roots:
                chosen = dataclasses.replace(chosen, input_roots=(default_inputs_dir(),))
            _handle = serve(chosen)
            atexit.register(_handle.stop)
        return _handle


def embedded_key(handle: Any) -> str:
    """The API key a client of the embedded simulator uses (derived from its secret)."""
    key: str = handle.key()
    return key


def own_settings(
    provider: str | None,
    api_key: str | None,
    base_url: str | None,
    region: str,
    simulator_config: Any,
) -> Settings:
    """A one-person client's (or a worker's) settings: provider and key from the arguments or
    the environment, or this embedded simulator, started for it."""
    settings = resolve_settings(provider, api_key=api_key, base_url=base_url, region=region)
    if settings.simulated and settings.base_url is None:
        handle = embedded(simulator_config)
        # The embedded simulator answers only its owner: this process, by its secret.
        settings = dataclasses.replace(
            settings, base_url=handle.base_url, api_key=embedded_key(handle)
        )
    return settings
