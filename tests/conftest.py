"""Fixtures every test folder shares: real sample media, a loopback file server over it, a real
simulator on a short clock, and engine clients with an isolated home and fast timing.

Sub-folder conftests add only what is theirs. ``tests/widget`` defines its own ``media`` and
``simulator``, which take precedence there; no fixture here depends on those two names, so a
widget test that asks for ``file_server`` still gets the files it serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vace_studio.engine import Client, PollPolicy, ReconcilePolicy, RetryPolicy
from vace_studio.simulator import SimulatorConfig, SimulatorHandle, serve
from vace_studio.simulator.samples import FileServer, Samples, write_samples

FAST_POLLS = PollPolicy(
    first_check=0.1, min_interval=0.05, dense_interval=0.2, max_interval=2.0, default_expected=1.0
)
# Enough attempts to ride out the engine soak's injected faults, with short waits between them.
FAST_RETRY = RetryPolicy(attempts=8, initial=0.02, max_wait=0.3, max_total=30.0)
# Lists count as proof only after twice the simulator's default list lag (1 s).
FAST_RECONCILE = ReconcilePolicy(
    list_lag=2.0, quick=(1.2, 1.0, 1.0, 1.0), background=(1.0, 2.0, 4.0, 8.0), margin=3.0
)
TEST_KEY = "test-key-0123456789"


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    """The shared sample set (see :func:`~vace_studio.simulator.samples.write_samples`)."""
    return write_samples(tmp_path_factory.mktemp("media"))


@pytest.fixture(scope="session")
def media(samples: Samples) -> Samples:
    """Small real inputs: ``image`` (480×400 PNG), ``video`` (320×240, 16 fps, 1 s H.264 MP4),
    ``mask`` (matching the video) and ``clip``; by attribute or by name (``media["video"]``)."""
    return samples


@pytest.fixture(scope="session")
def file_server(samples: Samples) -> Iterator[FileServer]:
    """Serves the sample folder on loopback, so URL inputs are real URLs the simulator fetches.

    ``file_server.url(path)`` is a file's URL; ``f"{file_server}/{name}"`` works too.
    """
    with FileServer(samples.root) as server:
        yield server


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorHandle]:
    """A real simulator on loopback with a short clock and the providers' default quotas."""
    with serve(SimulatorConfig(queue_seconds=0.1, run_seconds=0.2)) as handle:
        yield handle


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., Client]]:
    """Build clients with an isolated home, :data:`TEST_KEY` and fast timing; closes their stores.

    ``make_client(base_url, provider="dashscope", **options)``: options go to :class:`Client`.
    """
    made: list[Client] = []

    def build(base_url: str, provider: str = "dashscope", **options: Any) -> Client:
        options.setdefault("poll_policy", FAST_POLLS)
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("reconcile", FAST_RECONCILE)
        client = Client(
            provider,
            api_key=options.pop("api_key", TEST_KEY),
            base_url=base_url,
            home=options.pop("home", tmp_path / "home"),
            **options,
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.store.close()
