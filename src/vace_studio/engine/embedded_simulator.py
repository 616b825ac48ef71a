"""The embedded simulator: started once per process, on first need, and stopped at exit.

This is the one place the engine touches the simulator package, and only to start it as the
default provider; everything else talks to it over HTTP like to any provider.
"""

from __future__ import annotations

import atexit
import threading
from typing import Any

_lock = threading.Lock()
_handle: Any = None


def embedded(config: Any = None) -> Any:
    """The running embedded simulator (a ``SimulatorHandle``), started if needed."""
    global _handle
    with _lock:
        if _handle is None:
            from vace_studio.simulator import serve

            _handle = serve(config)
            atexit.register(_handle.stop)
        return _handle
