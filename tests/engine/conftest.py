"""Fixtures for engine tests: real media files, a loopback file server, a real simulator."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from vace_studio.engine import Client, PollPolicy, RetryPolicy
from vace_studio.simulator import SimulatorConfig, serve

FAST_POLLS = PollPolicy(
    first_check=0.1, min_interval=0.05, dense_interval=0.2, max_interval=2.0, default_expected=1.0
)
FAST_RETRY = RetryPolicy(attempts=8, initial=0.02, max_wait=0.3, max_total=30.0)


def write_video(
    path: Path, *, seconds: float = 1.0, fps: int = 16, size: tuple[int, int] = (320, 240)
) -> Path:
    width, height = size
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for i in range(int(seconds * fps)):
            frame = np.zeros((height, width, 3), np.uint8)
            frame[:, :, 2] = 90
            x = (i * 7) % (width - 40)
            frame[100:140, x : x + 40] = (240, 200, 30)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small real inputs: an image, a video, a mask matching the video, a short clip."""
    root = tmp_path_factory.mktemp("media")
    image = np.zeros((400, 480, 3), np.uint8)
    image[:, :, 0] = np.linspace(0, 255, 480, dtype=np.uint8)[None, :]
    image[150:250, 190:290] = (250, 250, 250)
    Image.fromarray(image).save(root / "ref.png")
    mask = np.zeros((240, 320), np.uint8)
    mask[90:150, 120:200] = 255
    Image.fromarray(mask).save(root / "mask.png")
    return {
        "image": root / "ref.png",
        "mask": root / "mask.png",
        "video": write_video(root / "source.mp4"),
        "clip": write_video(root / "clip.mp4", seconds=1.0),
    }


@pytest.fixture(scope="session")
def file_server(media: dict[str, Path]) -> Iterator[str]:
    """Serves the media folder on loopback, so URL inputs are real URLs the simulator fetches."""
    root = next(iter(media.values())).parent

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def simulator() -> Iterator[Any]:
    """A real simulator on loopback with a short clock."""
    with serve(SimulatorConfig(queue_seconds=0.1, run_seconds=0.2)) as handle:
        yield handle


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., Client]]:
    """Build clients with an isolated home and fast timing; closes them afterwards."""
    made: list[Client] = []

    def build(base_url: str, provider: str = "dashscope", **options: Any) -> Client:
        options.setdefault("poll_policy", FAST_POLLS)
        options.setdefault("retry", FAST_RETRY)
        client = Client(
            provider,
            api_key=options.pop("api_key", "test-key-0123456789"),
            base_url=base_url,
            home=options.pop("home", tmp_path / "home"),
            **options,
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.store.close()


@pytest.fixture(name="requests_for")
def requests_for_fixture() -> Callable[..., dict[str, dict[str, Any]]]:
    return requests_for


def requests_for(media: dict[str, Path], urls: Callable[[str], str]) -> dict[str, dict[str, Any]]:
    """One small valid request per function; ``urls(name)`` gives each input's reference."""
    return {
        "image_reference": {
            "function": "image_reference",
            "prompt": "a white cube on a gradient",
            "ref_images_url": [urls("ref.png")],
            "size": "960*960",
            "seed": 1,
        },
        "video_repainting": {
            "function": "video_repainting",
            "prompt": "a watercolour street",
            "video_url": urls("source.mp4"),
            "control_condition": "depth",
            "strength": 0.7,
        },
        "video_edit": {
            "function": "video_edit",
            "prompt": "a red ball",
            "video_url": urls("source.mp4"),
            "mask_image_url": urls("mask.png"),
            "expand_ratio": 0.1,
        },
        "video_extension": {
            "function": "video_extension",
            "prompt": "the scene continues",
            "first_clip_url": urls("clip.mp4"),
        },
        "video_outpainting": {
            "function": "video_outpainting",
            "prompt": "a wider view",
            "video_url": urls("source.mp4"),
            "left_scale": 1.5,
            "top_scale": 1.2,
        },
    }
