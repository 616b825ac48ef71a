"""media.clips and ``fixes.trim(start=…)``: frames and clips in the service's 1-based numbering."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.widget.test_tools import frame_number_video
from vace_studio.media import fixes
from vace_studio.media.clips import (
    FrameStrip,
    cut,
    frame_png,
    last_frames,
    mask_bits,
    mask_png,
    still,
)
from vace_studio.media.frames import iter_frames
from vace_studio.media.probe import probe_video


def numbers(path: Path) -> list[int]:
    return [round(float(f.mean()) / 10) for _, f in iter_frames(path)]


def test_trim_from_a_start_keeps_the_frames_from_there(tmp_path: Path) -> None:
    video = frame_number_video(tmp_path / "n.mp4", frames=24, fps=16)
    out = fixes.trim(video, 0.5, start=0.25)
    assert out.name == "n.0.25-0.75s.mp4"
    assert numbers(out) == list(range(5, 13))
    assert fixes.trim(video, 1.0).name == "n.1s.mp4"
    with pytest.raises(ValueError, match="start"):
        fixes.trim(video, 1.0, start=-1)


def test_cut_and_last_frames_count_from_one(tmp_path: Path) -> None:
    video = frame_number_video(tmp_path / "n.mp4", frames=24, fps=16)
    made, frames, seconds = cut(video, 1, 3, tmp_path / "c.mp4")
    assert (frames, seconds) == (3, 3 / 16)
    assert numbers(made) == [1, 2, 3]
    assert last_frames(video, 0.5) == (17, 24)
    assert last_frames(video, 10) == (1, 24)
    assert probe_video(made).fps == 16
    with pytest.raises(ValueError, match="starts at frame 1"):
        cut(video, 0, 3, tmp_path / "d.mp4")


def test_a_strip_numbers_frames_and_masks_round_trip(tmp_path: Path) -> None:
    video = frame_number_video(tmp_path / "n.mp4", frames=5, fps=16)
    strip = FrameStrip.decode(video, 32)
    assert strip.facts()["frames"] == 5
    assert (strip.width, strip.height) == (32, 24)
    bits = np.zeros((4, 6), dtype=np.uint8)
    bits[1:3, 2:5] = 1
    png = tmp_path / "m.png"
    png.write_bytes(mask_png(np.packbits(bits).tobytes(), 6, 4))
    assert mask_bits(png, 6, 4) == np.packbits(bits).tobytes()
    with pytest.raises(ValueError, match="not the 5 of 6×6"):
        mask_png(np.packbits(bits).tobytes(), 6, 6)


def test_a_frame_too_big_for_the_transport_goes_as_jpeg(tmp_path: Path) -> None:
    video = frame_number_video(tmp_path / "n.mp4", frames=2, fps=16)
    png = frame_png(video, 1)
    assert still(png, len(png)) == (png, "image/png")
    data, mime = still(png, len(png) - 1)
    assert mime == "image/jpeg"
    assert data[:2] == b"\xff\xd8"
