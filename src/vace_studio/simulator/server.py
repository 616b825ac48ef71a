"""Serving the simulator: uvicorn on its own event loop in a background thread.

``serve()`` binds the socket itself before starting uvicorn, so ``port=0`` yields a free port that
is known (and connectable) by the time ``serve()`` returns. Loopback only unless a host is given.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import uvicorn

from vace_studio.simulator.app import build_app
from vace_studio.simulator.config import FaultConfig, SimulatorConfig
from vace_studio.simulator.owner import derived_key
from vace_studio.simulator.state import SimulatorState
from vace_studio.simulator.stats import SimulatorStats

START_TIMEOUT = 15.0


class SimulatorHandle:
    """A running simulator: its address, introspection, fault control and ``stop()``.

    Use it as a context manager to stop it on exit. Methods are safe to call from any thread.
    """

    def __init__(
        self,
        state: SimulatorState,
        server: uvicorn.Server,
        thread: threading.Thread,
        host: str,
        port: int,
    ) -> None:
        self._state = state
        self._server = server
        self._thread = thread
        self.host = host
        """The address the simulator listens on."""
        self.port = port
        """The port it listens on."""
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{port}"
        """``http://host:port`` — DashScope's API base is ``base_url + "/api/v1"``."""
        self._finalizer = weakref.finalize(self, _shutdown, server, thread, state)

    @property
    def secret(self) -> str:
        """The per-process secret: every route wants it (see :mod:`vace_studio.simulator.owner`).

        Keep it in memory like any API key: never in a trait, a log or a file.
        """
        return self._state.owner.secret

    def key(self, account: str | int = "") -> str:
        """An API key this simulator accepts: the secret for ``""``, else one derived from it
        (``<secret>.<account>``); each distinct ``account`` is a separate account."""
        return derived_key(self.secret, account)

    def __repr__(self) -> str:
        running = "running" if self.running else "stopped"
        return f"<SimulatorHandle {self.base_url} {running}>"

    @property
    def config(self) -> SimulatorConfig:
        """The configuration it was started with."""
        return self._state.config

    @property
    def data_dir(self) -> Path:
        """Where uploads and rendered videos are kept."""
        return self._state.storage.root

    @property
    def running(self) -> bool:
        """Whether the server thread is still serving."""
        return self._thread.is_alive() and not self._server.should_exit

    def stats(self) -> SimulatorStats:
        """A snapshot of the counters (submits, tasks, polls, faults, renders, …)."""
        return self._state.stats()

    def tasks(self) -> list[dict[str, Any]]:
        """Every known task: id, provider, account, function, ``request`` (as the service used
        it: trimmed, ignored fields left out), fingerprint, status."""
        return self._state.task_summaries()

    @property
    def faults(self) -> FaultConfig:
        """The fault settings in force."""
        return self._state.faults.config

    def set_faults(self, faults: FaultConfig | None = None, **changes: Any) -> FaultConfig:
        """Replace the fault settings; returns the new ones.

        ``set_faults(throttle_rate=0.5)`` sets exactly that (everything else at its default);
        ``set_faults(handle.faults, slow_rate=0.1)`` changes one setting of the current ones;
        ``set_faults()`` switches faults off. The RNG is reseeded either way.
        """
        base = faults if faults is not None else FaultConfig()
        new = dataclasses.replace(base, **changes) if changes else base
        self._state.set_faults(new)
        return new

    def reset(self) -> None:
        """Forget tasks, counters, quotas and uploads; restore the configured faults."""
        self._call(self._state.reset())

    def advance_clock(self, seconds: float) -> None:
        """Move the simulator's expiry clock forward (task ids, result URLs, uploads)."""
        self._state.clock.advance(seconds)

    def _call(self, coro: Any) -> Any:
        loop = self._state.loop
        if loop is None or not self.running:
            coro.close()
            raise RuntimeError("the simulator is not running")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)

    def stop(self) -> None:
        """Stop serving, finish renders in progress, and remove the temporary data directory."""
        self._finalizer()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _shutdown(server: uvicorn.Server, thread: threading.Thread, state: SimulatorState) -> None:
    server.should_exit = True
    if thread is not threading.current_thread():
        thread.join(timeout=10)
    state.renders.close()
    state.storage.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this; without it every answer waits ~40 ms on delayed ACKs,
    # because uvicorn writes the head and the body of a response separately.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve(
    config: SimulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> SimulatorHandle:
    """Start a simulator in a background thread and return once it accepts connections.

    ``host`` defaults to loopback; ``port=0`` picks a free port (see ``handle.base_url``).
    """
    state = SimulatorState(config or SimulatorConfig())
    sock = _bind(host, port)
    bound_port: int = sock.getsockname()[1]
    state.resolver.own_port = bound_port
    app = build_app(state)

    async def remember_loop() -> None:
        state.loop = asyncio.get_running_loop()

    uv_config = uvicorn.Config(
        app,
        log_config=None,  # never reconfigure the host program's logging
        log_level="warning",
        access_log=False,
        date_header=False,  # the app sends Date on the service's (possibly skewed) clock
        http="h11",
        ws="none",
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(uv_config)

    def run() -> None:
        async def main() -> None:
            await remember_loop()
            await server.serve(sockets=[sock])

        try:
            asyncio.run(main())
        finally:
            sock.close()

    thread = threading.Thread(target=run, name=f"vace-simulator-{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            state.storage.close()
            raise RuntimeError(f"the simulator did not start on {host}:{bound_port}")
        time.sleep(0.01)
    return SimulatorHandle(state, server, thread, host, bound_port)
