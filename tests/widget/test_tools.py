"""The editing tools' messages: frames in the service's numbering, exported frames and clips in
the inputs folder, painted masks as pure black/white PNGs, and "Extend this result"."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from vace_studio import Studio
from vace_studio.media.frames import iter_frames, read_frames
from vace_studio.media.probe import probe_video
from vace_studio.simulator.samples import make_video


def frame_number_video(path: Path, frames: int = 24, fps: int = 16) -> Path:
    """A video whose frame n (1-based) has grey level 10·n: the number can be read back."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "0"}
        for n in range(1, frames + 1):
            rgb = np.full((48, 64, 3), 10 * n, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def noise_video(path: Path, frames: int = 8) -> Path:
    """1280×720 frames of noise: pictures that compress badly."""
    import av

    rng = np.random.default_rng(1)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=16)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for _ in range(frames):
            rgb = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def grey(png: bytes) -> float:
    with Image.open(io.BytesIO(png)) as image:
        return float(np.asarray(image.convert("L")).mean())


async def test_frames_are_numbered_as_the_service_numbers_them(
    studio: Studio, ask: Any, tmp_path: Path
) -> None:
    video = str(frame_number_video(tmp_path / "numbers.mp4"))
    answer, jpegs = await ask(studio, "frames", video=video, start=5, count=4, width=32,
                              field="first_clip_url")  # fmt: skip
    assert answer["ok"], answer
    assert answer["frames"] == 24
    assert answer["fps"] == 16
    assert (answer["video_width"], answer["video_height"]) == (64, 48)
    assert answer["name"] == "numbers.mp4"  # a name, never the kernel path
    assert answer["max_seconds"] == 3.0
    assert [round(grey(j) / 10) for j in jpegs] == [5, 6, 7, 8]
    answer, (png,) = await ask(studio, "frame_image", video=video, frame=10)
    assert answer["ok"]
    assert round(grey(png) / 10) == 10
    answer, _ = await ask(studio, "frame_image", video=video, frame=0)
    assert answer["code"] == "bad_message"


async def test_save_frame_and_trim_write_into_the_inputs_folder(
    studio: Studio, ask: Any, tmp_path: Path
) -> None:
    video = str(frame_number_video(tmp_path / "numbers.mp4"))
    inputs = studio.client.paths.home / "inputs"
    answer, _ = await ask(studio, "save_frame", video=video, frame=7)
    assert answer["ok"], answer
    saved = Path(answer["ref"])
    assert saved.parent == inputs
    assert answer["name"] == "numbers frame 7.png"
    assert round(grey(saved.read_bytes()) / 10) == 7  # noqa: ASYNC240 (a test reading its output)
    answer, _ = await ask(studio, "trim", video=video, first=5, last=12)
    assert answer["ok"], answer
    clip = Path(answer["ref"])
    assert clip.parent == inputs
    assert answer["frames"] == 8
    assert abs(answer["seconds"] - 0.5) < 1e-6
    got = [round(float(f.mean()) / 10) for _, f in iter_frames(clip)]
    assert got == list(range(5, 13))
    answer, _ = await ask(studio, "trim", video=video, first=9, last=3)
    assert answer["code"] == "bad_message"
    assert "before it starts" in answer["error"]


async def test_a_painted_mask_becomes_a_black_and_white_png_and_back(
    studio: Studio, ask: Any
) -> None:
    bits = np.zeros((36, 48), dtype=np.uint8)
    bits[5:20, 10:30] = 1
    answer, _ = await ask(studio, "save_mask", [np.packbits(bits).tobytes()], width=48, height=36)
    assert answer["ok"], answer
    with Image.open(answer["ref"]) as image:
        assert image.mode == "L"
        pixels = np.asarray(image)
    assert pixels.shape == (36, 48)
    assert set(np.unique(pixels).tolist()) == {0, 255}
    assert ((pixels == 255) == (bits == 1)).all()
    back, (raw,) = await ask(studio, "load_mask", ref=answer["ref"], width=48, height=36)
    assert back["ok"]
    unpacked = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))[: 48 * 36]
    assert unpacked.reshape(36, 48).tolist() == bits.tolist()
    # Another size is stretched to the one asked for (the video's).
    back, (raw,) = await ask(studio, "load_mask", ref=answer["ref"], width=96, height=72)
    assert np.unpackbits(np.frombuffer(raw, dtype=np.uint8)).sum() == 4 * bits.sum()
    wrong, _ = await ask(studio, "save_mask", [bits.tobytes()], width=48, height=36)
    assert wrong["code"] == "bad_message"
    assert "Mask image" in wrong["error"]


async def test_extend_cuts_the_results_last_seconds(
    studio: Studio, ask: Any, tmp_path: Path
) -> None:
    source = make_video(tmp_path / "source.mp4", 320, 240, seconds=1.0)
    task = studio.enqueue({"function": "video_repainting", "prompt": "in ink",
                           "video_url": str(source), "control_condition": "depth"})  # fmt: skip
    await asyncio.wait_for(task.wait(), 30)
    for _ in range(200):
        if task.record.local_path:
            break
        await asyncio.sleep(0.05)
    answer, _ = await ask(studio, "extend", local_id=task.local_id)
    assert answer["ok"], answer
    local = task.record.local_path
    assert local is not None
    result = probe_video(local)
    clip = probe_video(answer["ref"])
    assert abs(answer["seconds"] - 3.0) < 0.1
    assert abs(clip.duration - 3.0) < 0.1
    assert answer["prompt"] == "in ink"
    # The clip's first frame is the result's frame at (duration − 3 s).
    first = result.frames - answer["frames"]
    ours = read_frames(answer["ref"], [0])[0].astype(int)
    theirs = read_frames(local, [first])[first].astype(int)
    assert np.abs(ours - theirs).mean() < 4
    # A web address is fetched by the kernel once, then scrubbed like a local file.
    url = task.record.video_url
    assert url
    assert url.startswith("http")
    fetched, jpegs = await ask(studio, "frames", video=url, start=1, count=2, width=64)
    assert fetched["ok"], fetched
    assert fetched["frames"] == result.frames
    assert len(jpegs) == 2
    missing, _ = await ask(studio, "extend", local_id="nope")
    assert missing["code"] == "unknown_task"


async def test_a_picked_files_own_name_is_what_the_tools_show(
    studio: Studio, ask: Any, tmp_path: Path
) -> None:
    data = frame_number_video(tmp_path / "x.mp4").read_bytes()
    answer, _ = await ask(studio, "upload", [data], upload="u1", field="video_url", index=0,
                          name="Holiday 2024.mp4", type="video/mp4", size=len(data), offset=0,
                          last=True)  # fmt: skip
    ref = answer["ref"]
    assert Path(ref).name != "Holiday 2024.mp4"  # stored by content hash
    facts, _ = await ask(studio, "frames", video=ref, start=1, count=1, width=32)
    assert facts["name"] == "Holiday 2024.mp4"
    frame, _ = await ask(studio, "save_frame", video=ref, frame=2)
    assert frame["name"] == "Holiday 2024 frame 2.png"
    clip, _ = await ask(studio, "trim", video=frame["ref"].replace(".png", ".mp4"), first=1, last=2)
    assert clip["ok"] is False
    assert clip["code"] == "no_source"
    assert clip["error"].startswith(Path(frame["ref"]).stem)  # the name, not the kernel path
    assert str(tmp_path) not in clip["error"]


async def test_on_a_text_transport_answers_stay_within_its_message_size(
    studio: Studio, ask: Any, tmp_path: Path
) -> None:
    import base64

    from vace_studio.widget.comm_transport import TEXT_BUFFER_BYTES

    video = str(noise_video(tmp_path / "noise.mp4"))
    answer, _ = await ask(studio, "frames", wire="b64", b64=[], video=video, start=1, count=48,
                          width=1280)  # fmt: skip
    assert answer["ok"], answer
    sizes = [len(base64.b64decode(b)) for b in answer["b64"]]
    assert 1 <= answer["count"] == len(sizes) < 8  # noise: ~0.5 MB a JPEG
    assert sum(sizes) <= TEXT_BUFFER_BYTES
    bits = np.packbits(np.ones((720, 1280), dtype=np.uint8)).tobytes()
    saved, _ = await ask(studio, "save_mask", wire="b64", b64=[base64.b64encode(bits).decode()],
                         width=1280, height=720)  # fmt: skip
    assert saved["ok"], saved
