"""Modellix adapter: flat body, envelopes, resources, HTTP errors (no sockets)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vace_studio.providers import (
    ErrorKind,
    InvalidInputError,
    Modellix,
    ProtocolError,
    ProviderError,
    TaskStatus,
    make_provider,
)
from vace_studio.requests import (
    ImageReference,
    VaceRequest,
    VideoEdit,
    VideoExtension,
    VideoOutpainting,
    VideoRepainting,
)

IMG = "https://example.com/img/{}.png"
VID = "https://example.com/vid/{}.mp4"


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture
def mx() -> Modellix:
    return Modellix()


REQUESTS: list[VaceRequest] = [
    ImageReference(
        prompt="a cat and a dog",
        ref_images_url=[IMG.format(1), IMG.format(2)],
        obj_or_bg=["obj", "bg"],
        size="720*1280",
        duration=5,
        prompt_extend=True,
        seed=7,
    ),
    VideoRepainting(prompt="robot", video_url=VID.format(1), control_condition="scribble"),
    VideoEdit(
        prompt="hat",
        video_url=VID.format(1),
        mask_image_url=IMG.format("m"),
        mask_frame_id=2,
        mask_type="tracking",
        expand_ratio=0.2,
        expand_mode="original",
    ),
    VideoExtension(prompt="on", first_clip_url=VID.format(2), last_frame_url=IMG.format(3)),
    VideoOutpainting(prompt="wide", video_url=VID.format(1), left_scale=1.5, right_scale=1.5),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.function)
def test_submit_is_flat_api_fields(mx: Modellix, request_: VaceRequest) -> None:
    spec = mx.submit_request(request_)
    assert spec.method == "POST"
    assert spec.url == "https://api.modellix.ai/api/v1/alibaba/wan2.1-vace-plus/async"
    assert spec.json == request_.api_fields()
    assert "model" not in spec.json
    assert spec.headers["Content-Type"] == "application/json"
    assert not any(k.lower() == "authorization" for k in spec.headers)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (
            VideoRepainting(
                prompt="r", video_url=VID.format(1), control_condition="depth", strength=0.4
            ),
            "strength",
        ),
        (VideoOutpainting(prompt="w", video_url=VID.format(1), watermark=False), "watermark"),
        (
            VideoOutpainting(prompt="w", video_url=VID.format(1), negative_prompt="dark"),
            "negative_prompt",
        ),
        (
            VideoOutpainting(prompt="w", video_url=VID.format(1), safety_filter=True),
            "safety_filter",
        ),
    ],
)
def test_undocumented_fields_refused_by_name(
    mx: Modellix, request_: VaceRequest, field: str
) -> None:
    with pytest.raises(
        InvalidInputError, match=rf"^\[modellix\] {field}: Modellix does not take this field"
    ) as caught:
        mx.submit_request(request_)
    assert caught.value.http_status is None


def test_local_and_oss_media_refused(mx: Modellix, tmp_path: Any) -> None:
    image = tmp_path / "ref.png"
    image.write_bytes(b"\x00")
    with pytest.raises(InvalidInputError, match=r"ref_images_url\[0\]: a local file"):
        mx.submit_request(ImageReference(prompt="p", ref_images_url=[str(image)]))
    with pytest.raises(InvalidInputError, match="video_url: oss:// URLs"):
        mx.submit_request(VideoOutpainting(prompt="p", video_url="oss://b/v.mp4"))


def test_base_url_override_and_other_specs() -> None:
    mx = make_provider("modellix", base_url="http://127.0.0.1:8123")
    assert mx.base_url == "http://127.0.0.1:8123"
    submit = mx.submit_request(REQUESTS[1])
    assert submit.url == "http://127.0.0.1:8123/api/v1/alibaba/wan2.1-vace-plus/async"
    poll = mx.poll_request("task-abc123")
    assert (poll.method, poll.url) == ("GET", "http://127.0.0.1:8123/api/v1/tasks/task-abc123")
    assert mx.cancel_request("task-abc123") is None
    assert isinstance(mx, Modellix)
    assert mx.media_upload_url() == "http://127.0.0.1:8123/api/v1/media/files"


def test_provider_facts(mx: Modellix) -> None:
    assert mx.name == "modellix"
    assert mx.model == "wan2.1-vace-plus"
    assert mx.price_per_second is None
    assert mx.result_ttl_seconds == 7 * 86_400
    assert (mx.limits.submits_per_second, mx.limits.max_concurrent) == (None, None)
    assert mx.limits.polls_per_second is None


SUBMIT_OK = {
    "code": 0,
    "message": "success",
    "data": {
        "status": "pending",
        "task_id": "task-abc123",
        "model_id": "model-123",
        "get_result": {"method": "GET", "url": "https://api.modellix.ai/api/v1/tasks/task-abc123"},
    },
}

POLL_OK = {
    "code": 0,
    "message": "success",
    "data": {
        "status": "success",
        "task_id": "task-abc123",
        "model_id": "model-123",
        "result": {
            "resources": [
                {"url": "https://file.modellix.ai/out/cover.jpg", "type": "image"},
                {
                    "url": "https://file.modellix.ai/out/video.mp4",
                    "type": "video",
                    "width": 1280,
                    "height": 720,
                    "format": "mp4",
                },
            ]
        },
    },
}


def test_parse_submit_documented_example(mx: Modellix) -> None:
    assert mx.parse_submit(200, {}, body(SUBMIT_OK)) == "task-abc123"


def test_parse_poll_documented_example(mx: Modellix) -> None:
    state = mx.parse_poll("task-abc123", 200, {}, body(POLL_OK))
    assert state.status is TaskStatus.SUCCEEDED
    assert state.provider_status == "success"
    assert state.video_url == "https://file.modellix.ai/out/video.mp4"
    assert state.extra["model_id"] == "model-123"


def test_resources_fallback_and_untyped(mx: Modellix) -> None:
    data = {
        "status": "completed",
        "task_id": "t",
        "resources": [{"url": "https://file.modellix.ai/v.mp4"}],
    }
    state = mx.parse_poll("t", 200, {}, body({"code": 0, "data": data}))
    assert state.status is TaskStatus.SUCCEEDED
    assert state.video_url == "https://file.modellix.ai/v.mp4"


@pytest.mark.parametrize(
    ("provider_status", "expected"),
    [
        ("pending", TaskStatus.QUEUED),
        ("processing", TaskStatus.RUNNING),
        ("success", TaskStatus.SUCCEEDED),
        ("completed", TaskStatus.SUCCEEDED),
        ("succeeded", TaskStatus.SUCCEEDED),
        ("failed", TaskStatus.FAILED),
        ("error", TaskStatus.FAILED),
        ("canceled", TaskStatus.CANCELED),
        ("cancelled", TaskStatus.CANCELED),
        ("mystery", TaskStatus.UNKNOWN),
    ],
)
def test_status_mapping(mx: Modellix, provider_status: str, expected: TaskStatus) -> None:
    data: dict[str, Any] = {"status": provider_status, "task_id": "t"}
    if expected is TaskStatus.SUCCEEDED:
        data["result"] = {"resources": [{"url": "https://f/v.mp4", "type": "video"}]}
    state = mx.parse_poll("t", 200, {}, body({"code": 0, "message": "success", "data": data}))
    assert state.status is expected
    assert state.provider_status == provider_status


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (
            {"error": {"code": "DataInspectionFailed", "message": "blocked"}},
            "DataInspectionFailed",
            "blocked",
        ),
        ({"error": "generation failed"}, None, "generation failed"),
        ({"error_code": 3001, "error_message": "bad input"}, "3001", "bad input"),
        # The documented bare failure: no reason, and the message says so.
        ({}, None, "failed, no reason given by Modellix"),
    ],
)
def test_failed_task_error_shapes(
    mx: Modellix, data: dict[str, Any], code: str | None, message: str | None
) -> None:
    payload = {"code": 0, "data": {"status": "failed", "task_id": "t", **data}}
    state = mx.parse_poll("t", 200, {}, body(payload))
    assert state.status is TaskStatus.FAILED
    assert (state.error_code, state.error_message) == (code, message)
    if code == "DataInspectionFailed":
        assert state.error_kind is ErrorKind.MODERATION


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ErrorKind.INVALID_INPUT),
        (401, ErrorKind.AUTH),
        (402, ErrorKind.BALANCE),
        (404, ErrorKind.NOT_FOUND),
        (429, ErrorKind.THROTTLED),
        (500, ErrorKind.SERVER),
        (503, ErrorKind.SERVER),
    ],
)
@pytest.mark.parametrize("where", ["submit", "poll", "cancel", "media"])
def test_http_errors(mx: Modellix, status: int, kind: ErrorKind, where: str) -> None:
    payload = {"code": status, "message": f"Documented failure {status}: détail"}
    parsers = {
        "submit": mx.parse_submit,
        "poll": lambda s, h, b: mx.parse_poll("t", s, h, b),
        "cancel": mx.parse_cancel,
        "media": mx.parse_media_upload,
    }
    with pytest.raises(ProviderError) as caught:
        parsers[where](status, {}, body(payload))
    error = caught.value
    assert error.kind is kind
    assert error.http_status == status
    assert error.code == str(status)
    assert error.message == f"Documented failure {status}: détail"
    assert str(error) == f"[modellix] {status}: Documented failure {status}: détail (HTTP {status})"


def test_message_only_error_body(mx: Modellix) -> None:
    with pytest.raises(ProviderError) as caught:
        mx.parse_submit(402, {}, body({"message": "Insufficient balance"}))
    assert (caught.value.kind, caught.value.code) == (ErrorKind.BALANCE, None)
    assert str(caught.value) == "[modellix] Insufficient balance (HTTP 402)"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "12"}, 12.0),
        ({"x-ratelimit-reset": "3"}, 3.0),
        ({"X-RateLimit-Reset": "1700000030", "Date": "Tue, 14 Nov 2023 22:13:20 GMT"}, 30.0),
        (
            {
                "Retry-After": "Tue, 14 Nov 2023 22:13:25 GMT",
                "Date": "Tue, 14 Nov 2023 22:13:20 GMT",
            },
            5.0,
        ),
        ({}, None),
    ],
)
def test_429_retry_after(mx: Modellix, headers: dict[str, str], expected: float | None) -> None:
    with pytest.raises(ProviderError) as caught:
        mx.parse_submit(429, headers, body({"code": 429, "message": "Too many requests"}))
    assert caught.value.kind is ErrorKind.THROTTLED
    assert caught.value.retry_after == (pytest.approx(expected) if expected is not None else None)


def test_nonzero_envelope_code_on_200_is_an_error(mx: Modellix) -> None:
    with pytest.raises(ProviderError) as caught:
        mx.parse_submit(200, {}, body({"code": 401, "message": "Invalid API key"}))
    assert caught.value.kind is ErrorKind.AUTH
    with pytest.raises(ProtocolError):
        mx.parse_submit(200, {}, body({"code": 0, "message": "success"}))


def test_poll_protocol_errors(mx: Modellix) -> None:
    with pytest.raises(ProtocolError, match="video"):
        mx.parse_poll(
            "t", 200, {}, body({"code": 0, "data": {"status": "success", "task_id": "t"}})
        )
    with pytest.raises(ProtocolError):
        mx.parse_poll(
            "t", 200, {}, body({"code": 0, "data": {"status": "pending", "task_id": "u"}})
        )
    with pytest.raises(ProtocolError):
        mx.parse_poll("t", 200, {}, body({"code": 0, "data": {"task_id": "t"}}))


def test_media_upload(mx: Modellix) -> None:
    payload = {
        "code": 0,
        "message": "success",
        "data": {
            "file_id": "f-1",
            "filename": "cat.png",
            "size": 1234,
            "type": "image/png",
            "url": "https://file.modellix.ai/media/cat.png",
            "created_at": "2026-01-01T00:00:00Z",
        },
    }
    assert mx.parse_media_upload(200, {}, body(payload)) == "https://file.modellix.ai/media/cat.png"
    with pytest.raises(ProtocolError, match=r"data\.url"):
        mx.parse_media_upload(200, {}, body({"code": 0, "data": {"file_id": "f"}}))
