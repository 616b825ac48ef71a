"""media_io: decoding inputs (images, videos under the 720p rule) and writing MP4s."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vace_studio.simulator.render import RenderError
from vace_studio.simulator.render.media_io import Mp4Writer, VideoClip, load_image
from vace_studio.simulator.render.samples import decode_video, gradient, write_video


def test_load_image_keeps_alpha_and_rejects_garbage(tmp_path: Path) -> None:
    rgba = np.zeros((40, 60, 4), dtype=np.uint8)
    rgba[..., 0] = 200
    rgba[10:30, 10:30, 3] = 255
    Image.fromarray(rgba).save(tmp_path / "a.png")
    img = load_image(tmp_path / "a.png", "ref")
    assert (img.width, img.height) == (60, 40)
    assert img.alpha is not None
    assert img.alpha[20, 20] == 255
    assert img.alpha[0, 0] == 0
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    with pytest.raises(RenderError) as err:
        load_image(tmp_path / "bad.jpg", "ref_images_url[0]")
    assert err.value.code == "InvalidParameter"
    assert "ref_images_url[0]" in err.value.message


@pytest.mark.parametrize("suffix", ["jpg", "png", "bmp", "tiff", "webp"])
def test_load_image_formats(tmp_path: Path, suffix: str) -> None:
    Image.fromarray(gradient(64, 48)).save(tmp_path / f"g.{suffix}")
    img = load_image(tmp_path / f"g.{suffix}", "ref")
    assert img.rgb.shape == (48, 64, 3)
    assert img.alpha is None


def test_video_clip_applies_720p_rule_and_loops(tmp_path: Path) -> None:
    path = write_video(tmp_path / "big.mp4", [gradient(1600, 900)] * 4, fps=16)
    clip = VideoClip(path, "video_url")
    try:
        assert (clip.source_width, clip.source_height) == (1600, 900)
        assert (clip.width, clip.height) == (1280, 720)
        assert clip.frame(0).shape == (1080, 1280)
        assert clip.index_at(0.0) == 0
        assert clip.index_at(3 / 16 + 0.001) == 3
        assert clip.index_at(4 / 16 + 0.001) == 0  # a 0.25 s clip loops
        assert clip.index_at(4 / 16 + 0.001, loop=False) == 3
    finally:
        clip.close()


def test_video_clip_stops_after_five_seconds(tmp_path: Path) -> None:
    path = write_video(tmp_path / "long.mp4", [gradient(32, 24)] * 60, fps=10)  # 6 s
    clip = VideoClip(path, "video_url")
    try:
        assert len(clip.load_all()) == 50
    finally:
        clip.close()


def test_video_clip_rejects_non_video(tmp_path: Path) -> None:
    (tmp_path / "x.mp4").write_bytes(b"\x00" * 100)
    with pytest.raises(RenderError, match="video_url"):
        VideoClip(tmp_path / "x.mp4", "video_url")


def test_writer_to_file_object_is_playable() -> None:
    buf = io.BytesIO()
    frame = np.full((36, 32), 128, dtype=np.uint8)
    with Mp4Writer(buf, 32, 24) as writer:
        for _ in range(10):
            writer.write(frame)
    video = decode_video(buf.getvalue())
    assert len(video.frames) == 10
    assert video.fps == 30


def test_writer_abort_on_producer_error(tmp_path: Path) -> None:
    frame = np.zeros((36, 32), dtype=np.uint8)

    def produce() -> None:
        with Mp4Writer(tmp_path / "x.mp4", 32, 24) as writer:
            writer.write(frame)
            raise KeyError("boom")

    with pytest.raises(KeyError):
        produce()
