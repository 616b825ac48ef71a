"""The Studio's sweeps, gallery, history, previews and source videos, against the real simulator."""

from __future__ import annotations

import asyncio
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vace_studio import Studio
from vace_studio.simulator.samples import Samples, make_image, write_samples
from vace_studio.widget.history import MAX_PAGE
from vace_studio.widget.previews import PREVIEW_FIELDS, caption


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Samples:
    return write_samples(tmp_path_factory.mktemp("samples"))


def repaint(samples: Samples) -> dict[str, Any]:
    return {
        "function": "video_repainting",
        "video_url": str(samples.video),
        "control_condition": "depth",
    }


async def settle(studio: Studio) -> None:
    await asyncio.sleep(studio._cards.throttle.interval + 0.05)


# -- sweeps and the gallery ----------------------------------------------------------------------
async def test_a_sweep_shows_its_tasks_progress_and_gallery(
    studio: Studio, ask: Any, samples: Samples
) -> None:
    assert studio.view == "create"
    sweep = studio.sweep(repaint(samples), prompt=["ink", "oil"], strength=[0.3, 0.9], name="s")
    assert studio.sweep_id == sweep.group_id
    # A view displayed after this call (Run All) opens on the Gallery: a trait, not only a push.
    assert studio.view == "gallery"
    (show,) = studio.comm.pushes("show")
    assert show == {"kind": "show", "view": "gallery", "group_id": sweep.group_id}
    # Tasks made by the engine for the sweep appear as cards without studio.track().
    assert {t.local_id for t in studio.tasks} == {t.local_id for t in sweep.tasks}

    answer, _ = await ask(studio, "gallery", group_id=sweep.group_id)
    gallery = answer["sweep"]
    assert gallery["fields"] == ["prompt", "strength"]
    assert gallery["values"] == {"prompt": ["ink", "oil"], "strength": [0.3, 0.9]}
    assert [c["labels"] for c in gallery["cells"]] == [
        {"prompt": "ink", "strength": 0.3}, {"prompt": "ink", "strength": 0.9},
        {"prompt": "oil", "strength": 0.3}, {"prompt": "oil", "strength": 0.9},
    ]  # fmt: skip
    assert [c["local_id"] for c in gallery["cells"]] == [t.local_id for t in sweep.tasks]
    assert all(c["has_source"] for c in gallery["cells"])
    assert "local_path" not in json.dumps(gallery)  # no kernel paths beyond the requests
    assert gallery["progress"]["total"] == 4

    await sweep.wait(60)
    await settle(studio)
    progress = [p["progress"] for p in studio.comm.pushes("sweep_progress")]
    assert progress[-1]["done"] == 4
    assert progress[-1]["succeeded"] == 4
    assert len(progress) < 20  # throttled: not one push per task change

    again, _ = await ask(studio, "gallery", group_id=sweep.group_id)
    assert all(c["has_video"] for c in again["sweep"]["cells"])
    poster, (jpeg,) = await ask(studio, "poster", local_id=sweep.tasks[0].local_id)
    assert poster["mime"] == "image/jpeg"
    assert jpeg.startswith(b"\xff\xd8")
    assert len(jpeg) < 40_000
    assert again["sweep"]["fps"] > 0
    listed, _ = await ask(studio, "sweeps")
    assert listed["current"] == sweep.group_id
    (row,) = listed["sweeps"]
    assert (row["group_id"], row["done"], row["succeeded"], row["cells"]) == (
        sweep.group_id, 4, 4, 4,
    )  # fmt: skip
    missing, _ = await ask(studio, "gallery", group_id="sweep-nope")
    assert missing["code"] == "unknown_sweep"


async def test_source_videos_travel_in_chunks_like_results(
    studio: Studio, ask: Any, samples: Samples
) -> None:
    studio.video_chunk_bytes = 3000
    task = studio.enqueue({**repaint(samples), "prompt": "ink"})
    got, offset = b"", 0
    while True:
        answer, buffers = await ask(studio, "video", local_id=task.local_id, offset=offset,
                                    source=True)  # fmt: skip
        assert answer["ok"], answer
        got += buffers[0]
        offset += len(buffers[0])
        if answer["last"]:
            break
    assert got == samples.video.read_bytes()
    image_task = studio.enqueue(
        {"function": "image_reference", "prompt": "kite", "ref_images_url": [str(samples.image)]}
    )
    none, _ = await ask(studio, "video", local_id=image_task.local_id, offset=0, source=True)
    assert none["code"] == "no_source"
    await asyncio.gather(task.wait(30), image_task.wait(30))
    await settle(studio)
    cards: dict[str, dict[str, Any]] = {}
    for push in studio.comm.pushes("tasks"):
        for delta in push["cards"]:
            cards[delta["local_id"]] = {**cards.get(delta["local_id"], {}), **delta}
    assert cards[task.local_id]["has_source"] is True
    assert cards[image_task.local_id]["has_source"] is False


# -- history, re-run and export ------------------------------------------------------------------
async def test_history_pages_filters_reruns_and_exports(
    studio: Studio, ask: Any, samples: Samples, tmp_path: Path
) -> None:
    first = studio.enqueue({**repaint(samples), "prompt": "ink"})
    second = studio.enqueue(
        {"function": "image_reference", "prompt": "kite", "ref_images_url": [str(samples.image)]}
    )
    await asyncio.gather(first.wait(30), second.wait(30))

    page, _ = await ask(studio, "history", limit=1)
    assert page["total"] == 2
    assert [r["local_id"] for r in page["rows"]] == [second.local_id]  # newest first
    assert page["facets"]["function"] == ["image_reference", "video_repainting"]
    older, _ = await ask(studio, "history", limit=1, offset=1)
    assert [r["local_id"] for r in older["rows"]] == [first.local_id]
    only, _ = await ask(studio, "history", function="video_repainting")
    assert [r["local_id"] for r in only["rows"]] == [first.local_id]
    assert only["rows"][0]["request"]["prompt"] == "ink"
    assert only["rows"][0]["has_video"] is True
    assert "local_path" not in only["rows"][0]  # kernel paths stay in the kernel
    too_many, _ = await ask(studio, "history", limit=MAX_PAGE + 1)
    assert too_many["code"] == "bad_message"
    alone, _ = await ask(studio, "usage")  # one person's store: no class to show
    assert (alone["ok"], alone["people"]) == (True, None)

    again, _ = await ask(studio, "rerun", local_id=first.local_id)
    rerun = studio._cards.tasks[again["local_id"]]
    assert rerun.record.tags["rerun_of"] == first.local_id
    await rerun.wait(30)

    folder, _ = await ask(studio, "export", local_ids=[first.local_id, second.local_id])
    assert folder["download"] is None
    assert (Path(folder["path"]) / "manifest.json").is_file()
    zipped, _ = await ask(studio, "export", local_ids=[first.local_id], zip=True)
    data, offset = b"", 0
    while True:
        chunk, buffers = await ask(studio, "file", download=zipped["download"], offset=offset)
        data += buffers[0]
        offset += len(buffers[0])
        if chunk["last"]:
            break
    (tmp_path / "run.zip").write_bytes(data)
    names = zipfile.ZipFile(tmp_path / "run.zip").namelist()
    assert any(n.endswith("manifest.json") for n in names)
    assert any(n.endswith(".mp4") for n in names)
    nothing, _ = await ask(studio, "export")
    assert nothing["code"] == "bad_message"
    unknown, _ = await ask(studio, "file", download="nope", offset=0)
    assert unknown["code"] == "unknown_download"


# -- previews and fix hints ----------------------------------------------------------------------
async def test_a_mask_preview_changes_with_expand_ratio(
    studio: Studio, ask: Any, samples: Samples
) -> None:
    edit = {"function": "video_edit", "video_url": str(samples.video),
            "mask_image_url": str(samples.mask)}  # fmt: skip
    small, pngs = await ask(studio, "preview", request={**edit, "expand_ratio": 0.0})
    (facts,) = small["previews"]
    assert facts["preview"] == "mask"
    assert pngs[0].startswith(b"\x89PNG")
    assert facts["width"] <= 480
    assert "no prompt" not in facts["caption"]
    large, _ = await ask(studio, "preview", request={**edit, "expand_ratio": 0.6})
    assert large["previews"][0]["expanded_area"] > facts["expanded_area"]
    assert "by 0.6" in large["previews"][0]["caption"]
    wider = {"function": "video_outpainting", "video_url": str(samples.video), "left_scale": 2.0}
    outpaint, _ = await ask(studio, "preview", request=wider)
    assert outpaint["previews"][0]["output_size"][0] > outpaint["previews"][0]["video_size"][0]
    remote, _ = await ask(studio, "preview", request={**edit, "video_url": "https://x/v.mp4"})
    assert remote["previews"] == []
    thumb, (jpeg,) = await ask(studio, "thumbnail", ref=str(samples.video))
    assert (thumb["mime"], thumb["width"]) == ("image/jpeg", 320)
    assert jpeg.startswith(b"\xff\xd8")
    url, _ = await ask(studio, "thumbnail", ref="https://example.com/cat.png")
    assert url["code"] == "not_local"  # the browser shows URLs itself
    bad, _ = await ask(studio, "preview", request={**edit, "expand_ratio": 3})
    assert bad["ok"] is False
    assert set(bad["errors"]) == {"expand_ratio"}


async def test_media_problems_come_with_their_repair_helper(
    studio: Studio, ask: Any, samples: Samples, tmp_path: Path
) -> None:
    grey = make_image(tmp_path / "grey-mask.png", 480, 400)
    request = {"function": "video_edit", "prompt": "x", "video_url": str(samples.video),
               "mask_image_url": str(grey)}  # fmt: skip
    answer, _ = await ask(studio, "validate", request=request)
    # A mask of the wrong size is refused; grey pixels only warn (the service takes them).
    fixes = {p["fix"]: p for p in answer["problems"] + answer["warnings"] if p["fix"]}
    assert set(fixes) == {"binarize_mask", "scale_mask_to_video"}
    assert fixes["binarize_mask"]["severity"] == "warning"
    assert fixes["scale_mask_to_video"]["severity"] == "error"
    assert fixes["binarize_mask"]["field"] == "mask_image_url"
    assert fixes["binarize_mask"]["message"].startswith("Mask image should be pure black")
    assert fixes["binarize_mask"]["call"] == f"vace_studio.media.binarize_mask({str(grey)!r})"
    assert fixes["scale_mask_to_video"]["call"] == (
        f"vace_studio.media.scale_mask_to_video({str(grey)!r}, {str(samples.video)!r})"
    )


def test_preview_fields_name_real_fields_and_captions_read_well() -> None:
    from vace_studio.requests import request_schema

    defs = request_schema()["$defs"]
    properties = {d["properties"]["function"]["const"]: d["properties"] for d in defs.values()
                  if "function" in d.get("properties", {})}  # fmt: skip
    for function, fields in PREVIEW_FIELDS.items():
        assert set(fields) <= set(properties[function]), function
    assert caption({"preview": "control", "frames_shown": [1, 9], "control_condition": "depth"})
    assert caption({"preview": "outpainting", "video_size": [320, 240], "canvas_size": [640, 240],
                    "output_size": [1280, 480]}).startswith("Source 320×240")  # fmt: skip
    assert caption({"preview": "unknown"}) == ""
