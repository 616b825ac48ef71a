"""Fixtures for experiment tests: sample media on a loopback file server, a fast simulator, and
clients with an isolated home."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vace_studio.engine import Client, PollPolicy, RetryPolicy
from vace_studio.simulator import SimulatorConfig, SimulatorHandle, serve
from vace_studio.simulator.samples import FileServer, make_image, make_video

FAST_POLLS = PollPolicy(
    first_check=0.1, min_interval=0.05, dense_interval=0.2, max_interval=2.0, default_expected=1.0
)
FAST_RETRY = RetryPolicy(attempts=8, initial=0.02, max_wait=0.3, max_total=30.0)
KEY = "experiments-key"


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small reference image and a 1 s source video."""
    root = tmp_path_factory.mktemp("experiment-media")
    return {
        "image": make_image(root / "ref.png"),
        "video": make_video(root / "source.mp4"),
    }


@pytest.fixture(scope="session")
def file_server(media: dict[str, Path]) -> Iterator[FileServer]:
    """Serves the media folder on loopback, so inputs are URLs the simulator fetches."""
    with FileServer(media["video"].parent) as server:
        yield server


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorHandle]:
    """A real simulator on loopback with a short clock and DashScope's quota (2 at once)."""
    with serve(SimulatorConfig(queue_seconds=0.1, run_seconds=0.2)) as handle:
        yield handle


@pytest.fixture
def base_request(media: dict[str, Path], file_server: FileServer) -> dict[str, Any]:
    """A cheap valid request to sweep over (no prompt: the sweeps vary it)."""
    return {
        "function": "video_outpainting",
        "video_url": file_server.url(media["video"]),
        "left_scale": 1.5,
    }


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., Client]]:
    """Build DashScope-protocol clients with an isolated home and fast timing; closes stores."""
    made: list[Client] = []

    def build(base_url: str, **options: Any) -> Client:
        options.setdefault("poll_policy", FAST_POLLS)
        options.setdefault("retry", FAST_RETRY)
        client = Client(
            options.pop("provider", "dashscope"),
            api_key=options.pop("api_key", KEY),
            base_url=base_url,
            home=options.pop("home", tmp_path / "home"),
            **options,
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.store.close()
