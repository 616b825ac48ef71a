"""What more than one test folder needs and is not a fixture: fast timing, the test key, the
repository's paths, and small media writers. Import it as ``from tests.helpers import ...``.

Fixtures stay in the conftests (``tests/conftest.py`` for every folder, ``tests/browser/`` for
JupyterLab and Chromium); the values they are built from live here, once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from vace_studio.engine import Client, PollPolicy, ReconcilePolicy, RetryPolicy
from vace_studio.experiments import sweep
from vace_studio.requests import (
    ImageReference,
    VaceRequest,
    VideoEdit,
    VideoExtension,
    VideoOutpainting,
    VideoRepainting,
)
from vace_studio.simulator import SimulatorConfig, SimulatorHandle
from vace_studio.simulator.samples import make_image, make_mask, make_video

# -- the repository -----------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
"""The repository's root folder (this file is ``tests/helpers.py``)."""
FIXTURES = ROOT / "tests" / "fixtures"
"""Files the tests compare against and the front end's tests read (``request_schema.json``)."""
JS_FIXTURES = ROOT / "js" / "test" / "fixtures"
"""Files Python writes for the TypeScript tests (the status table, the wire samples)."""
ARTIFACTS = ROOT / "test-artifacts"
"""Where the browser tests put their screenshots (gitignored)."""

# -- engine timing and the key -----------------------------------------------------------------
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
"""The key ``make_client`` gives clients of servers that are not a simulator (a simulator wants a
key derived from its secret: ``sim.key(account)``)."""


def owner_headers(sim: SimulatorHandle, account: str | int = "", **extra: str) -> dict[str, str]:
    """Headers of a request from the simulator's owner: ``Authorization`` with the key of
    ``account`` (the secret itself for ``""``), plus ``extra`` (``_`` in names becomes ``-``)."""
    headers = {"Authorization": f"Bearer {sim.key(account)}"}
    headers.update({name.replace("_", "-"): value for name, value in extra.items()})
    return headers


INPUT_ROOTS: list[Path] = []
"""The folders a test simulator may read local inputs from: pytest's base temporary folder (the
samples and every ``tmp_path``), put here by ``tests/conftest.py`` at session start. Nothing else
of this machine: a simulator reads only what its owner named."""


def sim_config(**settings: Any) -> SimulatorConfig:
    """A :class:`SimulatorConfig` for tests: ``settings`` plus :data:`INPUT_ROOTS`."""
    settings.setdefault("input_roots", tuple(INPUT_ROOTS))
    return SimulatorConfig(**settings)


def owner_client(sim: SimulatorHandle, account: str | int = "", **extra: str) -> httpx.Client:
    """An HTTP client of ``sim`` sending :func:`owner_headers` with every request."""
    return httpx.Client(base_url=sim.base_url, headers=owner_headers(sim, account, **extra))


ASYNC = {"X_DashScope_Async": "enable"}
"""``**ASYNC`` in :func:`owner_headers`: the header every DashScope submit carries."""

# The widget tests' studios poll a quicker simulator and give up sooner than the engine's clients.
STUDIO_POLLS = PollPolicy(
    first_check=0.05, min_interval=0.05, dense_interval=0.1, max_interval=1.0, default_expected=0.5
)
STUDIO_RETRY = RetryPolicy(attempts=4, initial=0.02, max_wait=0.2, max_total=10.0)


# -- media written on the fly (PyAV, Pillow, NumPy: no committed binaries) ---------------------
def write_png(path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    """A reference image within the API's limits (sides 360–2000 px): a kite on a gradient."""
    width, height = size
    image = np.zeros((height, width, 3), np.uint8)
    image[:, :, 2] = np.linspace(120, 255, width, dtype=np.uint8)[None, :]
    image[:, :, 1] = 90
    image[height // 3 : height // 3 + 120, width // 2 - 60 : width // 2 + 60] = (230, 40, 40)
    Image.fromarray(image).save(path)
    return path


@dataclass(frozen=True)
class KitePng:
    """A PNG reference image written by :func:`write_png`: its path and its bytes."""

    image: Path
    png_bytes: bytes = field(repr=False)


def pad_mp4(src: Path, dst: Path, total_bytes: int) -> Path:
    """A copy of an MP4 grown to exactly ``total_bytes`` by a trailing ``free`` box (a valid file
    FFmpeg skips over), so the 50 MB limit is tested without encoding 50 MB."""
    data = src.read_bytes()
    extra = total_bytes - len(data)
    assert extra >= 8
    with dst.open("wb") as out:
        out.write(data)
        out.write(extra.to_bytes(4, "big") + b"free")
        out.seek(total_bytes - 1)
        out.write(b"\0")
    return dst


class Gen:
    """Writes test media into one folder; sizes are (width, height)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def video(
        self, name: str = "video.mp4", size: tuple[int, int] = (320, 240), **options: Any
    ) -> Path:
        return make_video(self.root / name, *size, **options)

    def image(
        self, name: str = "image.png", size: tuple[int, int] = (480, 400), **options: Any
    ) -> Path:
        return make_image(self.root / name, *size, **options)

    def mask(
        self, name: str = "mask.png", size: tuple[int, int] = (320, 240), **options: Any
    ) -> Path:
        """A white centre rectangle a quarter of each side (1/16 of the area), like ``media``'s."""
        return make_mask(self.root / name, *size, extent=0.25, **options)

    def pad(self, src: Path, name: str, total_bytes: int) -> Path:
        return pad_mp4(src, self.root / name, total_bytes)


@dataclass
class Served:
    """A file server as the media tests use it: ``f"{url}/{name}"`` for a file put in ``root``."""

    url: str
    root: Path
    requests: list[tuple[str, str, str | None]]


# -- a finished experiment (history and export, in pytest and in Chromium) ---------------------
@dataclass(frozen=True)
class Finished:
    """A finished 2×2 sweep (one input missing: two cells fail) and one lone task."""

    home: Path
    group_id: str
    results: list[dict[str, Any]]
    lone_id: str
    good_url: str


def finish_experiment(home: Path, simulator: SimulatorHandle, good: str, missing: str) -> Finished:
    """Run a 2×2 sweep over the videos ``good`` and ``missing`` (a URL that answers 404) and one
    lone task against ``simulator``; the store is left in ``home``."""

    async def run() -> Finished:
        client = Client(
            "dashscope",
            api_key=simulator.key(),
            base_url=simulator.base_url,
            home=home,
            poll_policy=FAST_POLLS,
            retry=FAST_RETRY,
        )
        base = {"function": "video_outpainting", "left_scale": 1.5}
        s = sweep(client, base, prompt=["a <b>", "c & d"], video_url=[good, missing], name="t")
        await s.wait(60)
        lone = client.enqueue({**base, "prompt": "alone", "video_url": good, "seed": 4})
        await lone.wait(60)
        await client.aclose()
        client.store.close()
        return Finished(home, s.group_id, [r.to_json() for r in s.results], lone.local_id, good)

    return asyncio.run(run())


IMG = "https://example.com/img/{}.png"
VID = "https://example.com/vid/{}.mp4"


def full_requests(**extra: Any) -> dict[str, VaceRequest]:
    """One request per function shape with every field it takes set (remote URLs), plus
    ``extra`` on each: what adapter tests send to see where every field goes."""
    common: dict[str, Any] = {"prompt_extend": False, "seed": 42, "watermark": True, **extra}
    return {
        "image_reference": ImageReference(
            prompt="a cat and a dog in a park",
            ref_images_url=[IMG.format(1), IMG.format(2), IMG.format(3)],
            obj_or_bg=["obj", "obj", "bg"],
            size="1280*720",
            duration=5,
            **common,
        ),
        "video_repainting": VideoRepainting(
            prompt="a robot dancing",
            video_url=VID.format(1),
            control_condition="depth",
            strength=0.5,
            ref_images_url=[IMG.format(1)],
            **common,
        ),
        "video_edit/mask_image": VideoEdit(
            prompt="a red hat",
            video_url=VID.format(1),
            ref_images_url=[IMG.format(1)],
            mask_image_url=IMG.format("mask"),
            mask_frame_id=10,
            mask_type="tracking",
            expand_ratio=0.1,
            expand_mode="bbox",
            control_condition="posebodyface",
            size="960*960",
            duration=5,
            **common,
        ),
        "video_edit/mask_video": VideoEdit(
            prompt="a red hat",
            video_url=VID.format(1),
            mask_video_url=VID.format("mask"),
            **common,
        ),
        "video_extension": VideoExtension(
            prompt="the dog runs on",
            first_frame_url=IMG.format("first"),
            last_frame_url=IMG.format("last"),
            first_clip_url=VID.format("first"),
            last_clip_url=VID.format("last"),
            video_url=VID.format("motion"),
            control_condition="depth",
            duration=5,
            **common,
        ),
        "video_outpainting": VideoOutpainting(
            prompt="a wider beach",
            video_url=VID.format(1),
            top_scale=1.5,
            bottom_scale=1.25,
            left_scale=2.0,
            right_scale=1.0,
            duration=5,
            **common,
        ),
    }
