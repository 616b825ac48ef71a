"""Fixtures every test folder shares: real sample media, loopback file servers, a real simulator
on a short clock, engine clients with an isolated home and fast timing, and a throwaway
PostgreSQL server with a fresh database per test (the classroom store).

Sub-folder conftests add only what is theirs and never reuse a name defined here; the values
these fixtures are built from (timing, the test key) are in ``tests/helpers.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    FAST_POLLS,
    FAST_RECONCILE,
    FAST_RETRY,
    INPUT_ROOTS,
    TEST_KEY,
    Gen,
    Served,
    sim_config,
)
from tests.pg_server import PgServer
from tests.pg_server import pg_server as running_pg_server
from vace_studio.engine import Client
from vace_studio.engine.store_pg import PgStore
from vace_studio.simulator import SimulatorHandle, serve
from vace_studio.simulator.samples import FileServer, Samples, write_samples


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


@pytest.fixture
def gen(tmp_path: Path) -> Gen:
    """Writes more media on the fly into the test's own folder (see :class:`~tests.helpers.Gen`)."""
    return Gen(tmp_path)


def _serve(root: Path, *, ranges: bool) -> Iterator[Served]:
    with FileServer(root, ranges=ranges) as server:
        yield Served(server.base_url, root, server.requests)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A loopback file server with range support over its own folder; it logs every request."""
    yield from _serve(tmp_path_factory.mktemp("served"), ranges=True)


@pytest.fixture(scope="session")
def served_plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A loopback file server that ignores ``Range`` (always 200 with the whole file)."""
    yield from _serve(tmp_path_factory.mktemp("served-plain"), ranges=False)


@pytest.fixture(scope="session", autouse=True)
def local_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ...]:
    """The folders a test simulator may read local inputs from (:data:`~tests.helpers.INPUT_ROOTS`,
    which :func:`~tests.helpers.sim_config` uses): pytest's base temporary folder."""
    INPUT_ROOTS[:] = [tmp_path_factory.getbasetemp()]
    return tuple(INPUT_ROOTS)


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorHandle]:
    """A real simulator on loopback with a short clock and the providers' default quotas."""
    with serve(sim_config(queue_seconds=0.1, run_seconds=0.2)) as handle:
        yield handle


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., Client]]:
    """Build clients with an isolated home, a key and fast timing; closes their stores.

    ``make_client(sim, provider="dashscope", **options)``: options go to :class:`Client`. ``sim``
    is a simulator (its secret is the key unless ``api_key=`` says otherwise: the simulator
    answers its owner only) or the base URL of another server (key :data:`TEST_KEY`).
    """
    made: list[Client] = []

    def build(sim: SimulatorHandle | str, provider: str = "dashscope", **options: Any) -> Client:
        options.setdefault("poll_policy", FAST_POLLS)
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("reconcile", FAST_RECONCILE)
        if isinstance(sim, SimulatorHandle):
            base_url, key = sim.base_url, sim.key()
        else:
            base_url, key = sim, TEST_KEY
        client = Client(
            provider,
            api_key=options.pop("api_key", key),
            base_url=base_url,
            home=options.pop("home", tmp_path / "home"),
            **options,
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.store.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL server for this test session (``make system`` installs Debian's
    ``postgresql``; the server runs as an unprivileged user when the tests run as root), with a
    template database already holding the store's schema."""
    with running_pg_server() as server:
        template = server.database("template")
        PgStore(template).close()
        server.template = template.rsplit("/", 1)[1]
        yield server


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh database of its own for one test, with the store's schema (tests may run in
    parallel)."""
    return pg_server.database(template=pg_server.template)
