"""Every custom message kind, as the browser sends it, answered exactly once (errors included)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, KitePng
from vace_studio import Studio
from vace_studio.widget.commands import Message, Reply, command, handlers_of
from vace_studio.widget.file_uploads import FileUploads, UploadRefusedError


def request(image: Path | str, prompt: str = "a red kite") -> dict[str, Any]:
    return {"function": "image_reference", "prompt": prompt, "ref_images_url": [str(image)]}


# -- dispatch --------------------------------------------------------------------------------
async def test_unknown_kinds_and_crashes_are_answered_and_id_less_messages_ignored(
    studio: Studio, ask: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer, _ = await ask(studio, "teleport")
    assert answer["ok"] is False
    assert answer["code"] == "unknown_kind"
    assert "hello" in answer["error"]

    def boom(*_: Any) -> Any:
        raise RuntimeError("kaput")

    monkeypatch.setitem(studio._commands.handlers, "hello", boom)
    answer, _ = await ask(studio, "hello")
    assert answer == {"id": answer["id"], "ok": False, "error": "RuntimeError: kaput",
                      "code": "internal_error"}  # fmt: skip

    before = len(studio.comm.sent)
    studio._handle_custom_msg({"kind": "hello"}, [])  # no id: not a request
    studio._handle_custom_msg(["not", "a", "dict"], [])
    assert len(studio.comm.sent) == before


def test_every_kind_has_one_declared_handler_and_one_line_in_the_protocol_doc(
    studio: Studio,
) -> None:
    doc = (ROOT / "docs" / "protocol.md").read_text()
    section = doc.split("### Every kind", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE))
    assert documented == set(studio._commands.handlers)

    class Twice:
        @command("hello")
        def one(self, message: Message) -> Reply:
            return {}

    with pytest.raises(TypeError, match="two handlers for message kind 'hello'"):
        handlers_of(Twice(), Twice())


# -- validate and submit ---------------------------------------------------------------------
async def test_validate_gives_pydantic_errors_by_field_and_the_cost(
    studio: Studio, ask: Any, kite_png: KitePng
) -> None:
    bad, _ = await ask(studio, "validate", request=request("www.example.com/kite.png", ""))
    assert bad["ok"] is False
    assert bad["code"] == "invalid_request"
    assert set(bad["errors"]) == {"prompt", "ref_images_url"}
    assert "must start with https://" in bad["errors"]["ref_images_url"]

    good, _ = await ask(studio, "validate", request=request(kite_png.image))
    assert good == {"id": good["id"], "ok": True, "cost": 0.0, "simulated": True, "warnings": []}
    assert studio.tasks == []  # validating records nothing

    odd, _ = await ask(studio, "validate", request="not an object")
    assert odd["ok"] is False
    assert odd["code"] == "bad_message"


async def test_submit_queues_and_answers_the_local_id(
    studio: Studio, ask: Any, kite_png: KitePng
) -> None:
    answer, _ = await ask(studio, "submit", request=request(kite_png.image))
    assert answer["ok"] is True
    assert answer["task_id"] is None
    (task,) = studio.tasks
    assert answer["local_id"] == task.local_id
    bad, _ = await ask(studio, "submit", request=request(kite_png.image, prompt=""))
    assert bad["errors"] == {"prompt": bad["errors"]["prompt"]}
    assert len(studio.tasks) == 1
    await task.wait(30)


async def test_retry_submits_the_same_request_as_a_new_task(
    studio: Studio, ask: Any, kite_png: KitePng
) -> None:
    first = studio.enqueue(request(kite_png.image))
    answer, _ = await ask(studio, "retry", local_id=first.local_id)
    second = studio._cards.tasks[answer["local_id"]]
    assert second is not first
    assert second.request == first.request
    assert second.record.tags == {"retry_of": first.local_id}
    missing, _ = await ask(studio, "retry", local_id="nope")
    assert missing["code"] == "unknown_task"
    await asyncio.gather(first.wait(30), second.wait(30))


async def test_cancel_a_waiting_task(studio: Studio, ask: Any, kite_png: KitePng) -> None:
    studio.client.scheduler.pause_submissions(30)
    task = studio.enqueue(request(kite_png.image))
    answer, _ = await ask(studio, "cancel", local_id=task.local_id)
    assert answer["stopped"] is True
    assert answer["status"] == "canceled"


# -- uploads ---------------------------------------------------------------------------------
async def upload(
    studio: Studio, ask: Any, data: bytes, *, name: str = "kite.png", chunk: int = 1000
) -> dict[str, Any]:
    upload_id = f"u{time.monotonic_ns()}"
    answer: dict[str, Any] = {}
    for offset in range(0, max(len(data), 1), chunk):
        part = data[offset : offset + chunk]
        answer, _ = await ask(
            studio, "upload", buffers=[part], upload=upload_id, field="ref_images_url", index=0,
            name=name, type="image/png", size=len(data), offset=offset,
            last=offset + chunk >= len(data),
        )  # fmt: skip
        assert answer["ok"], answer
    return answer


async def test_a_chunked_upload_is_saved_by_content_hash_under_the_home(
    studio: Studio, ask: Any, kite_png: KitePng
) -> None:
    answer = await upload(studio, ask, kite_png.png_bytes)
    ref = Path(answer["ref"])
    assert ref.read_bytes() == kite_png.png_bytes  # noqa: ASYNC240 — a small local file
    assert ref.name == hashlib.sha256(kite_png.png_bytes).hexdigest() + ".png"
    assert ref.parent == studio.client.paths.home / "inputs"
    again = await upload(studio, ask, kite_png.png_bytes, chunk=333)
    assert again["ref"] == answer["ref"]  # stored once
    assert not list((ref.parent / ".partial").iterdir())
    checked, _ = await ask(studio, "validate", request=request(ref))
    assert checked["ok"] is True  # the saved path is a valid reference


async def test_broken_uploads_are_refused_and_cleaned_up(studio: Studio, ask: Any) -> None:
    base = {"field": "f", "index": 0, "name": "a.png", "type": "image/png", "size": 10}
    answer, _ = await ask(studio, "upload", buffers=[b"12345"], upload="u1", offset=0, **base)
    assert answer == {"id": answer["id"], "ok": True, "received": 5}
    skipped, _ = await ask(studio, "upload", buffers=[b"xx"], upload="u1", offset=7, **base)
    assert skipped["ok"] is False
    assert "expected byte 5" in skipped["error"]
    partial = studio.client.paths.home / "inputs" / ".partial"
    assert not list(partial.iterdir())  # the broken upload's partial file is gone
    late, _ = await ask(studio, "upload", buffers=[b"xx"], upload="u1", offset=5, **base)
    assert "pick the file again" in late["error"]
    bad_id, _ = await ask(studio, "upload", buffers=[b"x"], upload="../x", offset=0, **base)
    assert bad_id["ok"] is False
    too_much, _ = await ask(
        studio, "upload", buffers=[b"x" * 11], upload="u2", offset=0, last=True, **base
    )
    assert "more data than the announced 10 bytes" in too_much["error"]


def test_abandoned_partial_uploads_expire(tmp_path: Path) -> None:
    uploads = FileUploads(tmp_path, ttl=60)
    uploads.receive({"upload": "a", "size": 10, "offset": 0, "name": "x.png"}, [b"123"])
    stale = tmp_path / ".partial" / "old-kernel.part"
    stale.write_bytes(b"left over")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    uploads.expire()
    assert not stale.exists()
    assert (tmp_path / ".partial" / "a.part").exists()
    uploads._open["a"].touched -= 120  # idle for two minutes
    uploads.expire()
    assert not (tmp_path / ".partial" / "a.part").exists()
    with pytest.raises(UploadRefusedError, match="200 MiB"):
        uploads.receive({"upload": "b", "size": 300 * 2**20, "offset": 0}, [b"1"])


# -- videos ----------------------------------------------------------------------------------
async def test_video_bytes_arrive_in_chunks_of_the_configured_size(
    studio: Studio, ask: Any, kite_png: KitePng
) -> None:
    studio.video_chunk_bytes = 40_000
    task = studio.enqueue(request(kite_png.image))
    early, _ = await ask(studio, "video", local_id=task.local_id, offset=0)
    assert early["ok"] is False
    assert early["code"] == "no_video"
    await task.wait(30)
    video = Path(task.record.local_path or "")
    expected = video.read_bytes()  # noqa: ASYNC240 — a small local file
    got, offset, answers = b"", 0, 0
    while True:
        answer, buffers = await ask(studio, "video", local_id=task.local_id, offset=offset)
        answers += 1
        assert answer["mime"] == "video/mp4"
        assert answer["size"] == len(expected)
        assert len(buffers) == 1
        assert len(buffers[0]) <= 40_000
        got += buffers[0]
        offset += len(buffers[0])
        if answer["last"]:
            break
    assert got == expected
    assert answers == -(-len(expected) // 40_000)
    beyond, _ = await ask(studio, "video", local_id=task.local_id, offset=len(expected) + 1)
    assert beyond["code"] == "bad_offset"
    video.unlink()  # noqa: ASYNC240
    gone, _ = await ask(studio, "video", local_id=task.local_id, offset=0)
    assert gone["code"] == "video_missing"
    stranger, _ = await ask(studio, "video", local_id="../../etc/passwd", offset=0)
    assert stranger["code"] == "unknown_task"


# -- the key ---------------------------------------------------------------------------------
async def test_a_key_switches_to_the_chosen_provider_and_is_never_sent_back(
    studio: Studio, ask: Any
) -> None:
    key = "sk-test-0123456789abcdef"
    empty, _ = await ask(studio, "set_key", key="  ", provider="dashscope:intl")
    assert empty["ok"] is False
    assert "empty" in empty["error"]
    odd, _ = await ask(studio, "set_key", key=key, provider="nowhere")
    assert odd["ok"] is False
    assert key not in json.dumps(odd)

    old = studio.client
    answer, _ = await ask(studio, "set_key", key=key, provider="dashscope:cn")
    assert answer == {"id": answer["id"], "ok": True, "has_key": True, "provider": "dashscope"}
    assert studio.client is not old
    assert studio.client.settings.region == "cn"
    assert studio.client.paths.home == old.paths.home  # same store and cache
    assert (studio.provider, studio.region, studio.simulated, studio.has_key) == (
        "dashscope", "cn", False, True,
    )  # fmt: skip
    assert studio.client.has_key

    same, _ = await ask(studio, "set_key", key=key + "-2", provider="dashscope:cn")
    assert same["ok"] is True
    assert studio.client.settings.region == "cn"

    everything = json.dumps(studio.comm.sent, default=str)
    assert key not in everything  # not in any trait sync nor any answer
    assert key not in json.dumps(studio.get_state(), default=str)
    assert key not in repr(studio.client)
    assert key not in repr(studio.client.settings)
    await old.aclose()


async def test_error_texts_never_carry_a_key(studio: Studio, ask: Any, monkeypatch: Any) -> None:
    key = "sk-scrub-me-42"
    await ask(studio, "set_key", key=key)  # the simulator's own key: kept on the same client

    def leak(*_: Any) -> Any:
        raise RuntimeError(f"something echoed {key}")

    monkeypatch.setitem(studio._commands.handlers, "hello", leak)
    answer, _ = await ask(studio, "hello")
    assert key not in answer["error"]
    assert "***" in answer["error"]
