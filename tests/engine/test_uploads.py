"""Uploads of local files against the simulator's upload endpoints, and the checks before a
submit: DashScope temporary storage, Modellix media, user uploaders, remote probes."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from vace_studio.engine import Client, UploadError
from vace_studio.requests import InvalidRequest, validate_request

OSS_FIELDS = [
    "OSSAccessKeyId",
    "Signature",
    "policy",
    "key",
    "x-oss-object-acl",
    "x-oss-forbid-overwrite",
    "success_action_status",
    "x-oss-content-type",
    "file",
]


class Recorder:
    """Every HTTP request a client's shared httpx client sends (bodies read)."""

    def __init__(self, client: Client) -> None:
        self.seen: list[httpx.Request] = []
        client.transport.http.event_hooks["request"].append(self._record)

    async def _record(self, request: httpx.Request) -> None:
        await request.aread()
        self.seen.append(request)

    def where(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.seen if r.method == method and r.url.path == path]


def _form(request: httpx.Request) -> list[tuple[str, str]]:
    """(name, value) of each part of a multipart body, in order (file parts: their filename)."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    parts = []
    for chunk in request.content.split(b"--" + boundary)[1:-1]:
        head, _, body = chunk.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        filename = re.search(rb'filename="([^"]*)"', head)
        assert name
        value = filename.group(1) if filename else body[:-2]
        parts.append((name.group(1).decode(), value.decode(errors="replace")))
    return parts


def _edit(media: Any, **extra: Any) -> dict[str, Any]:
    return {
        "function": "video_edit",
        "prompt": "a red ball",
        "video_url": str(media.video),
        "mask_image_url": str(media.mask),
        **extra,
    }


async def test_dashscope_upload_flow_and_submit(
    media: Any, simulator: Any, make_client: Any
) -> None:
    client: Client = make_client(simulator)
    rec = Recorder(client)
    task = await client.submit(_edit(media))
    result = await task.wait(timeout=60)
    assert result.ok, result

    # 1. One credential for both files, asked for the model that will be called.
    (policy,) = rec.where("GET", "/api/v1/uploads")
    assert dict(policy.url.params) == {"action": "getPolicy", "model": "wan2.1-vace-plus"}
    assert policy.headers["authorization"] == f"Bearer {simulator.key()}"
    # 2. One multipart POST per file, the SDK's fields in its order, the file last, no key.
    posts = rec.where("POST", "/oss/upload")
    assert len(posts) == 2
    keys = []
    for post, content_type in zip(posts, ("video/mp4", "image/png"), strict=True):
        assert "authorization" not in post.headers
        form = _form(post)
        assert [name for name, _ in form] == OSS_FIELDS
        fields = dict(form)
        assert fields["success_action_status"] == "200"
        assert fields["x-oss-content-type"] == content_type
        assert re.fullmatch(r".+/[0-9a-f]{32}\.(mp4|png)", fields["key"])
        keys.append(fields["key"])
    # 3. The submit names oss:// URLs and asks DashScope to resolve them.
    (submit,) = rec.where("POST", "/api/v1/services/aigc/video-generation/video-synthesis")
    body = json.loads(submit.content)
    assert body["input"]["video_url"] == f"oss://{keys[0]}"
    assert body["input"]["mask_image_url"] == f"oss://{keys[1]}"
    assert submit.headers["x-dashscope-ossresourceresolve"] == "enable"
    # The store keeps what the user gave, not the temporary URL.
    assert client.store.select()[0].request["video_url"] == str(media.video)

    # Same content again: the cached oss:// URLs are reused, nothing is uploaded.
    rec.seen.clear()
    again = await client.submit(_edit(media, seed=2))
    assert (await again.wait(timeout=60)).ok
    assert not rec.where("GET", "/api/v1/uploads")
    assert not rec.where("POST", "/oss/upload")
    await client.aclose()


async def test_modellix_images_go_through_its_media_upload(
    media: Any, simulator: Any, make_client: Any
) -> None:
    client: Client = make_client(simulator, "modellix")
    rec = Recorder(client)
    request = {"function": "image_reference", "prompt": "p", "ref_images_url": [str(media.image)]}
    result = await (await client.submit(request)).wait(timeout=60)
    assert result.ok, result
    (upload,) = rec.where("POST", "/api/v1/media/files")
    assert upload.headers["authorization"].startswith("Bearer ")
    (submit,) = [r for r in rec.seen if r.url.path.endswith("/async")]
    assert json.loads(submit.content)["ref_images_url"][0].startswith("http")
    await client.aclose()


@pytest.mark.parametrize(
    ("provider", "function", "match"),
    [
        ("mulerouter", "video_outpainting", "mulerouter has no upload for local files"),
        ("modellix", "video_outpainting", "modellix has no upload for local videos"),
        ("modellix", "bmp_reference", "modellix's image upload takes PNG, JPEG or WebP, not BMP"),
    ],
)
def test_no_upload_route_fails_before_any_network_call(
    media: Any, gen: Any, make_client: Any, provider: str, function: str, match: str
) -> None:
    # An address nothing listens on: any network call would fail differently.
    client: Client = make_client("http://127.0.0.1:9", provider)
    if function == "bmp_reference":
        bmp = gen.image("ref.bmp", fmt="BMP")
        request = {"function": "image_reference", "prompt": "p", "ref_images_url": [str(bmp)]}
        field = "ref_images_url[0]"
    else:
        request = {"function": function, "prompt": "p", "video_url": str(media.video)}
        field = "video_url"
    with pytest.raises(UploadError) as caught:
        client.enqueue(request)
    message = str(caught.value)
    assert isinstance(caught.value, InvalidRequest)
    assert f"{field}: {match}" in message
    assert "Client(..., uploader=fn)" in message
    assert client.store.select() == []  # nothing recorded either


class ObjectUploader:
    """The protocol form: an object with ``upload(path) -> URL`` (async here)."""

    def __init__(self, served: Any) -> None:
        self.served = served
        self.calls: list[Path] = []

    async def upload(self, path: Path) -> str:
        self.calls.append(path)
        shutil.copy(path, self.served.root / path.name)
        return f"{self.served.url}/{path.name}"


async def test_a_user_uploader_serves_mulerouter(
    media: Any, served: Any, simulator: Any, make_client: Any
) -> None:
    calls: list[Path] = []

    def presign(path: Path) -> str:  # e.g. an S3 upload + presigned GET URL
        calls.append(path)
        shutil.copy(path, served.root / path.name)
        return f"{served.url}/{path.name}"

    client: Client = make_client(simulator, "mulerouter", uploader=presign)
    result = await (await client.submit(_edit(media))).wait(timeout=60)
    assert result.ok, result
    assert calls == [media.video, media.mask]

    uploader = ObjectUploader(served)
    other: Client = make_client(simulator, "mulerouter", uploader=uploader)
    request = {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)}
    assert (await (await other.submit(request)).wait(timeout=60)).ok
    assert uploader.calls == [media.video]
    await client.aclose()
    await other.aclose()


async def test_an_uploader_returning_no_url_fails_the_task_before_submit(
    media: Any, simulator: Any, make_client: Any
) -> None:
    client: Client = make_client(simulator, "mulerouter", uploader=lambda p: str(p))
    before = simulator.stats().submits.get("mulerouter", 0)
    result = await (await client.submit(_edit(media))).wait(timeout=30)
    assert result.status == "failed"
    assert result.error_code == "UploadError"
    assert "the uploader returned" in (result.error_message or "")
    assert simulator.stats().submits.get("mulerouter", 0) == before
    await client.aclose()


async def test_remote_inputs_are_probed_before_submit(
    gen: Any, served: Any, simulator: Any, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copy(gen.video("slow.mp4", fps=12), served.root / "slow.mp4")
    client: Client = make_client(simulator)
    before = simulator.stats().submits.get("dashscope", 0)
    slow = {"function": "video_outpainting", "prompt": "p", "video_url": f"{served.url}/slow.mp4"}
    result = await (await client.submit(slow)).wait(timeout=30)
    assert result.status == "failed"
    assert result.error_code == "InvalidRequest"
    assert "video_url: must be at least 16 fps" in (result.error_message or "")
    assert simulator.stats().submits.get("dashscope", 0) == before  # never sent

    # Unreachable: a warning, and the provider gets to try (and here fails to download it).
    missing = {**slow, "video_url": f"{served.url}/gone.mp4"}
    with caplog.at_level(logging.WARNING, logger="vace_studio"):
        result = await (await client.submit(missing)).wait(timeout=30)
    assert "video_url: could not be checked before submitting (HTTP 404" in caplog.text
    assert simulator.stats().submits.get("dashscope", 0) == before + 1
    assert result.status == "failed"
    assert result.error_code != "InvalidRequest"
    await client.aclose()


async def test_media_checks_can_be_turned_off(gen: Any, simulator: Any, make_client: Any) -> None:
    client: Client = make_client(simulator)
    slow = {"function": "video_outpainting", "prompt": "p"}
    slow["video_url"] = str(gen.video("slow.mp4", fps=12, size=(64, 48)))
    with pytest.raises(InvalidRequest, match="video_url: must be at least 16 fps"):
        client.enqueue(slow)
    client.uploads.check_media = False
    before = simulator.stats().submits.get("dashscope", 0)
    result = await (await client.submit(slow)).wait(timeout=60)
    # Sent: the provider judges (and the simulator, like the service, refuses under 16 fps).
    assert simulator.stats().submits.get("dashscope", 0) == before + 1
    assert result.status == "failed"
    assert result.error_code != "InvalidRequest"
    assert client.uploads.check(validate_request(slow)) == []
    await client.aclose()


async def test_what_the_service_trims_is_sent_with_warnings(
    gen: Any, served: Any, simulator: Any, make_client: Any
) -> None:
    client: Client = make_client(simulator)
    long = {"function": "video_outpainting", "prompt": "p"}
    long["video_url"] = str(gen.video("long.mp4", seconds=6, size=(64, 48)))
    model = validate_request(long)
    (warning,) = client.uploads.check(model)  # at enqueue: local files, no network
    assert (warning.field, warning.rule, warning.severity) == (
        "video_url",
        "video_seconds",
        "warning",
    )
    assert warning.fix == "trim"
    # Before the submit: the same file, now probed with the remote URLs, and uploaded.
    prepared, warnings = await client.uploads.prepare(model)
    assert prepared.video_url.startswith("oss://")  # type: ignore[attr-defined]
    assert [(w.field, w.rule) for w in warnings] == [("video_url", "video_seconds")]
    shutil.copy(long["video_url"], served.root / "long.mp4")
    remote = validate_request({**long, "video_url": f"{served.url}/long.mp4"})
    assert client.uploads.check(remote) == []  # remote URLs wait for the probe
    same, warnings = await client.uploads.prepare(remote)
    assert same == remote
    (warning,) = warnings
    assert (warning.rule, warning.severity, warning.fix) == ("video_seconds", "warning", "trim")
    # The service uses the first 5 s; so does the simulator.
    result = await (await client.submit(long)).wait(timeout=60)
    assert result.ok, result
    await client.aclose()


def test_an_error_carries_the_other_warnings(gen: Any, make_client: Any) -> None:
    client: Client = make_client("http://127.0.0.1:9")
    request = {
        "function": "video_edit",
        "prompt": "p" * 900,
        "video_url": str(gen.video("v.mp4", size=(320, 240))),
        "mask_image_url": str(gen.mask("m.png", size=(640, 480), soft=True)),
    }
    with pytest.raises(InvalidRequest) as caught:
        client.uploads.check(validate_request(request))
    assert [(p.rule, p.severity) for p in caught.value.problems] == [("mask_size", "error")]
    assert [(w.rule, w.fix) for w in caught.value.warnings] == [
        ("prompt_truncated", None),
        ("mask_pure", "binarize_mask"),
    ]


async def test_local_files_named_in_chinese_are_uploaded_under_plain_names(
    media: Any, tmp_path: Path, served: Any, simulator: Any, make_client: Any
) -> None:
    named = tmp_path / "视频.mp4"
    shutil.copy(media.video, named)
    request = {"function": "video_outpainting", "prompt": "p", "video_url": str(named)}
    # DashScope: the storage key is the content hash.
    client: Client = make_client(simulator)
    rec = Recorder(client)
    assert (await (await client.submit(request)).wait(timeout=60)).ok
    (post,) = rec.where("POST", "/oss/upload")
    form = dict(_form(post))
    assert re.fullmatch(r".+/[0-9a-f]{32}\.mp4", form["key"])
    assert form["file"].isascii()
    # A user uploader is handed the same content under a generated name.
    calls: list[Path] = []

    def presign(path: Path) -> str:
        calls.append(path)
        shutil.copy(path, served.root / path.name)
        return f"{served.url}/{path.name}"

    other: Client = make_client(simulator, "mulerouter", uploader=presign)
    assert (await (await other.submit(request)).wait(timeout=60)).ok
    (given,) = calls
    assert given.name.isascii()
    assert re.fullmatch(r"[0-9a-f]{32}\.mp4", given.name)
    assert given.read_bytes() == named.read_bytes()
    await client.aclose()
    await other.aclose()


async def test_an_uploader_returning_a_chinese_url_fails_before_submit(
    media: Any, simulator: Any, make_client: Any
) -> None:
    client: Client = make_client(
        simulator,
        "mulerouter",
        uploader=lambda p: f"https://cdn.example.com/视频/{p.name}",
    )
    before = simulator.stats().submits.get("mulerouter", 0)
    request = {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)}
    result = await (await client.submit(request)).wait(timeout=30)
    assert result.status == "failed"
    assert result.error_code == "UploadError"
    assert "without Chinese characters" in (result.error_message or "")
    assert simulator.stats().submits.get("mulerouter", 0) == before
    await client.aclose()
