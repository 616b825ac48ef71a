"""The static snapshot beside the widget view (widget/snapshot.py): escaped, capped at 200 KB,
with posters, and no URL or key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vace_studio.simulator.samples import make_video
from vace_studio.widget import Studio
from vace_studio.widget.snapshot import MAX_BYTES, snapshot_html

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def card(prompt: str, path: Path | None, status: str = "succeeded") -> dict[str, Any]:
    return {
        "function": "video_outpainting",
        "status": status,
        "request": {"prompt": prompt, "video_url": "https://example.com/in.mp4"},
        "local_path": str(path) if path else None,
        "video_url": "https://bucket.example.com/out.mp4?Signature=secret",
        "error_message": None,
    }


@pytest.fixture(scope="module")
def noisy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A result whose poster does not compress (a big JPEG): what pushes the cap."""
    import av
    import numpy as np

    path = tmp_path_factory.mktemp("noisy") / "noisy.mp4"
    rng = np.random.default_rng(3)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=16)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        pixels = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
        for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_everything_is_escaped_and_no_url_leaves(tmp_path: Path) -> None:
    video = make_video(tmp_path / "r.mp4", 320, 240, seconds=0.5)
    text = snapshot_html(
        [card('<script>alert("x")</script> & <img src=x>', video)],
        provider="simulator",
        host="jupyter",
    )
    assert "<script>" not in text
    assert "<img src=x>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x&gt;" in text
    assert "Signature" not in text
    assert "example.com" not in text
    assert text.count('class="vs-snapshot-poster"') == 1
    assert 'src="data:image/jpeg;base64,' in text


def test_the_snapshot_stays_under_200_kb_dropping_older_posters_first(
    noisy: Path, tmp_path: Path
) -> None:
    cards = []
    for i in range(40):
        copy = tmp_path / f"r{i}.mp4"  # posters are remembered by path
        copy.write_bytes(noisy.read_bytes())
        cards.append(card(f"prompt {i} " + "x" * 700, copy))
    # The worst case the real cap meets: six noise posters and long prompts.
    worst = snapshot_html(cards, provider="dashscope", host="colab")
    assert len(worst.encode()) <= MAX_BYTES
    assert worst.count('class="vs-snapshot-poster"') == 6
    assert "34 older tasks" in worst
    # A smaller cap shows how it gives way: older posters go first, the newest stays.
    capped = snapshot_html(cards, provider="dashscope", host="colab", max_bytes=60_000)
    assert len(capped.encode()) <= 60_000
    assert 0 < capped.count('class="vs-snapshot-poster"') < 6
    assert capped.index("vs-snapshot-poster") < capped.index("prompt 1 ")
    assert "enable_custom_widget_manager" in capped  # the Colab fix


async def test_the_studio_display_carries_the_snapshot_beside_the_view(studio: Studio) -> None:
    data, _metadata = studio._repr_mimebundle_()
    assert WIDGET_VIEW in data
    assert data["text/html"].startswith('<div class="vs-snapshot"')
    assert "No tasks yet" in data["text/html"]
