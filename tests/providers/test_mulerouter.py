"""MuleRouter adapter: flat body + model, 202 task_info, videos[], lenient errors (no sockets)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vace_studio.providers import (
    ErrorKind,
    InvalidInputError,
    MuleRouter,
    MuleRouterFields,
    ProtocolError,
    ProviderError,
    TaskStatus,
    make_provider,
)
from vace_studio.requests import ImageReference, VideoEdit, VideoOutpainting, VideoRepainting

IMG = "https://example.com/img/{}.png"
VID = "https://example.com/vid/{}.mp4"
CREATE = "https://api.mulerouter.ai/vendors/alibaba/v1/wan2.1-vace-plus/generation"
TASK_ID = "0b7c1a2e-5a5e-4c4e-9e0a-6a0f1c2d3e4f"


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture
def mr() -> MuleRouter:
    return MuleRouter()


EDIT = VideoEdit(
    prompt="hat",
    video_url=VID.format(1),
    ref_images_url=[IMG.format(1)],
    mask_image_url=IMG.format("m"),
    mask_type="tracking",
    expand_mode="original",
    size="1280*720",
    seed=1,
)


def test_submit_documented_names(mr: MuleRouter) -> None:
    spec = mr.submit_request(EDIT)
    assert (spec.method, spec.url) == ("POST", CREATE)
    assert spec.json == {"model": "wan2.1-vace-plus", **EDIT.api_fields()}
    assert not any(k.lower() == "authorization" for k in spec.headers)


def test_submit_with_cli_field_names() -> None:
    fields = MuleRouterFields(
        ref_images_field="images", size_separator="x", expand_mode_original="orginal"
    )
    mr = make_provider("mulerouter", fields=fields)
    spec = mr.submit_request(EDIT)
    assert spec.json is not None
    assert spec.json["images"] == [IMG.format(1)]
    assert "ref_images_url" not in spec.json
    assert spec.json["size"] == "1280x720"
    assert spec.json["expand_mode"] == "orginal"
    assert spec.json["mask_image_url"] == IMG.format("m")


def test_strength_sent_watermark_refused(mr: MuleRouter) -> None:
    request = VideoRepainting(
        prompt="r", video_url=VID.format(1), control_condition="posebody", strength=0.3
    )
    spec = mr.submit_request(request)
    assert spec.json is not None
    assert spec.json["strength"] == 0.3
    with pytest.raises(
        InvalidInputError, match=r"^\[mulerouter\] watermark: MuleRouter does not take this field"
    ):
        mr.submit_request(VideoOutpainting(prompt="w", video_url=VID.format(1), watermark=True))


def test_local_and_oss_media_refused(mr: MuleRouter, tmp_path: Any) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(b"\x00")
    with pytest.raises(InvalidInputError, match="video_url: a local file"):
        mr.submit_request(VideoOutpainting(prompt="p", video_url=str(video)))
    with pytest.raises(InvalidInputError, match=r"ref_images_url\[0\]: oss://"):
        mr.submit_request(ImageReference(prompt="p", ref_images_url=["oss://b/i.png"]))


def test_base_url_override_keeps_paths() -> None:
    mr = make_provider("mulerouter", base_url="http://127.0.0.1:8123/")
    root = "http://127.0.0.1:8123/vendors/alibaba/v1/wan2.1-vace-plus/generation"
    assert mr.submit_request(EDIT).url == root
    assert mr.poll_request(TASK_ID).url == f"{root}/{TASK_ID}"
    assert mr.cancel_request(TASK_ID) is None


def test_provider_facts(mr: MuleRouter) -> None:
    assert (mr.name, mr.model, mr.base_url) == (
        "mulerouter",
        "wan2.1-vace-plus",
        "https://api.mulerouter.ai",
    )
    assert (mr.price_per_second, mr.result_ttl_seconds) == (None, None)
    assert mr.limits.submits_per_second is None


SUBMIT_OK = {
    "task_info": {
        "id": TASK_ID,
        "status": "pending",
        "created_at": "2025-08-01T10:00:00.000Z",
        "updated_at": "2025-08-01T10:00:00.000Z",
    }
}

POLL_OK: dict[str, Any] = {
    "task_info": {
        "id": TASK_ID,
        "status": "completed",
        "created_at": "2025-08-01T10:00:00.000Z",
        "updated_at": "2025-08-01T10:03:10.000Z",
    },
    "videos": [f"https://mulerouter.muleusercontent.com/public/{TASK_ID}/output.mp4"],
}

POLL_FAILED = {
    "task_info": {
        "id": TASK_ID,
        "status": "failed",
        "created_at": "2025-08-01T10:00:00.000Z",
        "updated_at": "2025-08-01T10:01:00.000Z",
        "error": {"code": 3001, "title": "Generation failed", "detail": "Input video is too long"},
    }
}


def test_parse_submit_202(mr: MuleRouter) -> None:
    assert mr.parse_submit(202, {}, body(SUBMIT_OK)) == TASK_ID


def test_parse_poll_completed(mr: MuleRouter) -> None:
    state = mr.parse_poll(TASK_ID, 200, {}, body(POLL_OK))
    assert state.status is TaskStatus.SUCCEEDED
    assert state.provider_status == "completed"
    assert state.video_url == POLL_OK["videos"][0]
    assert state.times == {
        "created_at": "2025-08-01T10:00:00.000Z",
        "updated_at": "2025-08-01T10:03:10.000Z",
    }


def test_parse_poll_failed_error_object(mr: MuleRouter) -> None:
    state = mr.parse_poll(TASK_ID, 200, {}, body(POLL_FAILED))
    assert state.status is TaskStatus.FAILED
    assert state.error_code == "3001"
    assert state.error_message == "Input video is too long"
    assert state.extra["error_title"] == "Generation failed"
    assert state.error_kind is None


def test_failed_task_with_alibaba_code_is_classified(mr: MuleRouter) -> None:
    payload = {
        "task_info": {
            "id": "t",
            "status": "failed",
            "error": {
                "code": 3001,
                "title": "Failed",
                "detail": "DataInspectionFailed: input blocked",
            },
        }
    }
    state = mr.parse_poll("t", 200, {}, body(payload))
    assert state.error_kind is ErrorKind.MODERATION


@pytest.mark.parametrize(
    ("provider_status", "expected"),
    [
        ("pending", TaskStatus.QUEUED),
        ("queued", TaskStatus.QUEUED),
        ("processing", TaskStatus.RUNNING),
        ("running", TaskStatus.RUNNING),
        ("completed", TaskStatus.SUCCEEDED),
        ("succeeded", TaskStatus.SUCCEEDED),
        ("failed", TaskStatus.FAILED),
        ("weird", TaskStatus.UNKNOWN),
    ],
)
def test_status_mapping(mr: MuleRouter, provider_status: str, expected: TaskStatus) -> None:
    payload: dict[str, Any] = {"task_info": {"id": "t", "status": provider_status}}
    if expected is TaskStatus.SUCCEEDED:
        payload["videos"] = ["https://m/v.mp4"]
    assert mr.parse_poll("t", 200, {}, body(payload)).status is expected


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ErrorKind.INVALID_INPUT),
        (401, ErrorKind.AUTH),
        (402, ErrorKind.BALANCE),
        (403, ErrorKind.FORBIDDEN),
        (404, ErrorKind.NOT_FOUND),
        (405, ErrorKind.PROTOCOL),
        (409, ErrorKind.INVALID_INPUT),
        (423, ErrorKind.FORBIDDEN),
        (429, ErrorKind.THROTTLED),
        (451, ErrorKind.MODERATION),
        (500, ErrorKind.SERVER),
        (502, ErrorKind.SERVER),
        (503, ErrorKind.SERVER),
    ],
)
@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        ({"detail": "Insufficient balance"}, None, "Insufficient balance"),
        ({"error": "Rate limit exceeded", "message": "ignored"}, None, "Rate limit exceeded"),
        ({"message": "Task already exists", "code": "conflict"}, "conflict", "Task already exists"),
        (
            {"task_info": {"error": {"code": 3001, "title": "Locked", "detail": "Account locked"}}},
            "3001",
            "Account locked",
        ),
        ({"task_info": {"error": {"code": 1, "title": "Only a title"}}}, "1", "Only a title"),
        (
            {"detail": [{"loc": ["body", "prompt"], "msg": "field required"}], "message": "Bad"},
            None,
            "Bad",
        ),
    ],
)
def test_http_errors_parsed_leniently(
    mr: MuleRouter, status: int, kind: ErrorKind, payload: Any, code: str | None, message: str
) -> None:
    if status == 429 and message == "Insufficient balance":
        kind = ErrorKind.BALANCE  # a 429 that says "balance" is a billing refusal, not a throttle
    with pytest.raises(ProviderError) as caught:
        mr.parse_submit(status, {}, body(payload))
    error = caught.value
    assert (error.kind, error.http_status, error.code, error.message) == (
        kind,
        status,
        code,
        message,
    )


def test_429_retry_after(mr: MuleRouter) -> None:
    with pytest.raises(ProviderError) as caught:
        mr.parse_poll("t", 429, {"Retry-After": "20"}, body({"detail": "Rate limit exceeded"}))
    assert caught.value.kind is ErrorKind.THROTTLED
    assert caught.value.retry_after == 20.0
    assert str(caught.value) == "[mulerouter] Rate limit exceeded (HTTP 429)"
    # A spent daily limit also comes as 429; it is not a throttle (providers.md §0).
    with pytest.raises(ProviderError) as caught:
        mr.parse_poll("t", 429, {"Retry-After": "20"}, body({"detail": "Daily spend limit"}))
    assert caught.value.kind is ErrorKind.QUOTA


def test_protocol_errors(mr: MuleRouter) -> None:
    with pytest.raises(ProtocolError, match=r"task_info\.id"):
        mr.parse_submit(202, {}, body({"task_info": {"status": "pending"}}))
    with pytest.raises(ProtocolError, match="videos"):
        mr.parse_poll("t", 200, {}, body({"task_info": {"id": "t", "status": "completed"}}))
    with pytest.raises(ProtocolError):
        mr.parse_poll("t", 200, {}, body({"videos": []}))
    with pytest.raises(ProtocolError):
        mr.parse_poll("t", 200, {}, body({"task_info": {"id": "u", "status": "pending"}}))


def test_integer_task_id_is_text(mr: MuleRouter) -> None:
    assert mr.parse_submit(202, {}, body({"task_info": {"id": 123, "status": "pending"}})) == "123"
