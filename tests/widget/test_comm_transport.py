"""The kernel's end of the transport (widget/comm_transport.py): the probe, and requests and
answers as base64 text when a host drops binary buffers."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from tests.helpers import KitePng
from vace_studio.widget import Studio
from vace_studio.widget.comm_transport import PROBE, TEXT_BUFFER_BYTES, CommTransport
from vace_studio.widget.commands import Message
from vace_studio.widget.videos import read_chunk


async def test_the_probe_says_whether_its_buffer_arrived_and_sends_it_back(
    studio: Studio, ask: Any
) -> None:
    intact, back = await ask(studio, "probe", buffers=[PROBE])
    assert intact["up"] is True
    assert back == [PROBE]
    dropped, _ = await ask(studio, "probe")  # Colab: no buffers
    assert dropped["up"] is False
    mangled, _ = await ask(studio, "probe", buffers=[base64.b64encode(PROBE)])
    assert mangled["up"] is False


async def test_a_text_upload_arrives_whole_and_its_answer_is_text(
    studio: Studio, ask: Any, kite_png: KitePng
) -> None:
    data = kite_png.png_bytes
    answer, buffers = await ask(
        studio, "upload", wire="b64", b64=[base64.b64encode(data).decode()], upload="t1",
        field="ref_images_url", index=0, name="kite.png", type="image/png", size=len(data),
        offset=0, last=True,
    )  # fmt: skip
    assert answer["ok"] is True, answer
    assert Path(answer["ref"]).read_bytes() == data  # noqa: ASYNC240 (a test, a small file)
    assert "b64" not in answer  # no bytes in this answer
    assert buffers == []
    thumb, thumb_buffers = await ask(studio, "thumbnail", wire="b64", b64=[], ref=answer["ref"])
    assert thumb["ok"] is True
    assert thumb_buffers == []  # the JPEG came as text
    assert base64.b64decode(thumb["b64"][0])[:2] == b"\xff\xd8"
    assert studio._transport.mode == "text"


def test_text_requests_get_chunks_of_at_most_the_text_size(tmp_path: Path) -> None:
    path = tmp_path / "big.mp4"
    path.write_bytes(PROBE * (TEXT_BUFFER_BYTES // 128))  # 2 MiB
    handled: list[Any] = []
    transport = CommTransport(send=lambda content, buffers: None)
    transport.receive({"id": "a", "kind": "video", "wire": "b64", "b64": []}, [],
                 lambda *args: handled.append(args))  # fmt: skip
    transport.receive({"id": "b", "kind": "video"}, [], lambda *args: handled.append(args))
    text, binary = (Message(content, buffers, limit) for content, buffers, limit in handled)
    preferred = 4 * 1024 * 1024
    _, data = read_chunk(path, 0, text.chunk_bytes(preferred))
    assert len(data) == TEXT_BUFFER_BYTES
    _, data = read_chunk(path, 0, binary.chunk_bytes(preferred))
    assert len(data) == 2 * TEXT_BUFFER_BYTES


def test_a_bad_base64_request_is_answered_bad_message() -> None:
    sent: list[tuple[dict[str, Any], Any]] = []
    handled: list[Any] = []
    transport = CommTransport(send=lambda content, buffers: sent.append((content, buffers)))
    transport.receive(
        {"id": "x-1", "kind": "upload", "wire": "b64", "b64": ["not base64!"]},
        [],
        lambda *args: handled.append(args),
    )
    assert handled == []
    assert sent == [
        ({"id": "x-1", "ok": False, "error": sent[0][0]["error"], "code": "bad_message"}, None)
    ]
    assert "b64" in sent[0][0]["error"]


def test_answers_go_the_way_their_request_came() -> None:
    sent: list[tuple[dict[str, Any], Any]] = []
    transport = CommTransport(send=lambda content, buffers: sent.append((content, buffers)))
    transport.receive({"id": "a", "kind": "video", "wire": "b64", "b64": []}, [], lambda *a: None)
    transport.receive({"id": "b", "kind": "video"}, [], lambda *a: None)
    transport.send({"id": "a", "ok": True}, [b"\x00\x01"])
    transport.send({"id": "b", "ok": True}, [b"\x00\x01"])
    assert sent[0] == ({"id": "a", "ok": True, "b64": ["AAE="]}, None)
    assert sent[1] == ({"id": "b", "ok": True}, [b"\x00\x01"])
