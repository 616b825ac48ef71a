"""Probing local files and remote URLs: facts from headers, fast, and clear failures."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from vace_studio.media import ImageInfo, ProbeError, Unreachable, VideoInfo, probe_local
from vace_studio.media import probe_remote as probe_url
from vace_studio.media.probe import mask_stats

FORMATS = [("png", "PNG"), ("jpg", "JPEG"), ("bmp", "BMP"), ("tif", "TIFF"), ("webp", "WEBP")]


@pytest.mark.parametrize(("suffix", "name"), FORMATS)
def test_images_are_probed_from_their_header(gen: Any, suffix: str, name: str) -> None:
    path = gen.image(f"a.{suffix}", (400, 360))
    info = probe_local(path)
    assert isinstance(info, ImageInfo)
    assert (info.format, info.width, info.height) == (name, 400, 360)
    assert info.bytes == path.stat().st_size


def test_video_facts_come_from_container_metadata(gen: Any) -> None:
    path = gen.video(seconds=2, fps=24, size=(320, 240))
    start = time.perf_counter()
    info = probe_local(path)
    assert time.perf_counter() - start < 0.5  # metadata only, no decoding
    assert isinstance(info, VideoInfo)
    assert (info.format, info.codec, info.width, info.height) == ("MP4", "h264", 320, 240)
    assert info.fps == pytest.approx(24)
    assert info.duration == pytest.approx(2.0, abs=0.05)
    assert (info.frames, info.frames_counted) == (48, True)
    assert "24 fps" in info.describe()


def test_mov_and_mp4_are_told_apart_by_the_ftyp_brand(gen: Any) -> None:
    mov = gen.video("a.mov", container="mov")
    assert probe_local(mov).format == "MOV"
    assert probe_local(gen.video("b.mp4")).format == "MP4"


def test_kind_mismatches_and_junk_are_clear(gen: Any, tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="a video, not an image"):
        probe_local(gen.video(), "image")
    with pytest.raises(ProbeError, match="an image, not a video"):
        probe_local(gen.image(), "video")
    junk = tmp_path / "notes.mp4"
    junk.write_text("hello")
    with pytest.raises(ProbeError, match="not a video"):
        probe_local(junk, "video")
    with pytest.raises(ProbeError, match="cannot read"):
        probe_local(tmp_path / "missing.png")


def test_mask_stats(gen: Any) -> None:
    clean = mask_stats(gen.mask("clean.png"))
    assert clean.impure == 0
    assert 0 < clean.edit < 0.5
    assert mask_stats(gen.mask("soft.png", soft=True)).impure > 0
    assert mask_stats(gen.mask("empty.png", empty=True)).edit == 0


# -- remote ---------------------------------------------------------------------------------


async def test_remote_mp4_with_moov_at_the_end_needs_a_few_small_ranges(
    gen: Any, served: Any
) -> None:
    shutil.copy(gen.video(seconds=2, fps=16), served.root / "late.mp4")
    served.requests.clear()
    async with httpx.AsyncClient() as http:
        info = await probe_url(f"{served.url}/late.mp4", http, "video")
    assert isinstance(info, VideoInfo)
    assert (info.fps, info.frames, info.width) == (16, 32, 320)
    assert info.bytes == (served.root / "late.mp4").stat().st_size
    assert all(method == "GET" and rng for method, _, rng in served.requests)


async def test_remote_faststart_mp4_and_image_take_one_request(gen: Any, served: Any) -> None:
    shutil.copy(gen.video(faststart=True), served.root / "fast.mp4")
    shutil.copy(gen.image(size=(640, 480)), served.root / "pic.png")
    async with httpx.AsyncClient() as http:
        served.requests.clear()
        video = await probe_url(f"{served.url}/fast.mp4", http)
        assert len(served.requests) == 1
        image = await probe_url(f"{served.url}/pic.png", http)
    assert isinstance(video, VideoInfo)
    assert video.frames == 16
    assert isinstance(image, ImageInfo)
    assert (image.width, image.height) == (640, 480)


async def test_servers_without_range_support_are_read_as_a_capped_stream(
    gen: Any, served_plain: Any
) -> None:
    shutil.copy(gen.video(), served_plain.root / "v.mp4")
    async with httpx.AsyncClient() as http:
        info = await probe_url(f"{served_plain.url}/v.mp4", http, "video")
    assert isinstance(info, VideoInfo)
    assert info.frames == 16


async def test_unreachable_urls_are_a_warning_not_an_error(served: Any) -> None:
    async with httpx.AsyncClient() as http:
        missing = await probe_url(f"{served.url}/nope.mp4", http, "video")
        closed = await probe_url("http://127.0.0.1:9/x.png", http, "image", request_timeout=2)
    assert isinstance(missing, Unreachable)
    assert "HTTP 404" in missing.reason
    assert isinstance(closed, Unreachable)
    assert "127.0.0.1:9" in closed.reason


async def test_a_page_instead_of_media_is_an_error(served: Any) -> None:
    (served.root / "page.html").write_text("<html><body>login</body></html>")
    async with httpx.AsyncClient() as http:
        with pytest.raises(ProbeError, match="text/html"):
            await probe_url(f"{served.url}/page.html", http, "image")
