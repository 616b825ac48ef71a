"""DashScope adapter: documented examples in, specs and task states out (no sockets)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import full_requests
from vace_studio.providers import (
    DashScope,
    ErrorKind,
    InvalidInputError,
    ProtocolError,
    ProviderError,
    TaskStatus,
    UploadPolicy,
    Usage,
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
def ds() -> DashScope:
    return DashScope()


# ---- placement: table 1.3, restated here on purpose (not imported from the adapter) ---------

INPUT = "input"
PARAMS = "parameters"
PLACEMENT = {
    "function": INPUT,
    "prompt": INPUT,
    "ref_images_url": INPUT,
    "video_url": INPUT,
    "mask_image_url": INPUT,
    "mask_video_url": INPUT,
    "mask_frame_id": INPUT,
    "first_frame_url": INPUT,
    "last_frame_url": INPUT,
    "first_clip_url": INPUT,
    "last_clip_url": INPUT,
    "obj_or_bg": PARAMS,
    "control_condition": PARAMS,
    "strength": PARAMS,
    "mask_type": PARAMS,
    "expand_ratio": PARAMS,
    "expand_mode": PARAMS,
    "top_scale": PARAMS,
    "bottom_scale": PARAMS,
    "left_scale": PARAMS,
    "right_scale": PARAMS,
    "size": PARAMS,
    "duration": PARAMS,
    "prompt_extend": PARAMS,
    "seed": PARAMS,
    "watermark": PARAMS,
}

FULL_REQUESTS = full_requests()


@pytest.mark.parametrize("label", sorted(FULL_REQUESTS))
def test_submit_places_every_field_as_table_1_3(ds: DashScope, label: str) -> None:
    request = FULL_REQUESTS[label]
    spec = ds.submit_request(request)
    assert spec.method == "POST"
    assert spec.url == (
        "https://dashscope-intl.aliyuncs.com/api/v1/services/aigc/video-generation/video-synthesis"
    )
    assert spec.json is not None
    assert set(spec.json) == {"model", "input", "parameters"}
    assert spec.json["model"] == "wan2.1-vace-plus"
    sent = request.api_fields()
    for field, value in sent.items():
        place = PLACEMENT[field]
        other = PARAMS if place == INPUT else INPUT
        assert spec.json[place][field] == value, f"{field} must be in {place}"
        assert field not in spec.json[other], f"{field} must not be in {other}"
    # Nothing invented, nothing lost.
    assert set(spec.json["input"]) | set(spec.json["parameters"]) == set(sent)


def test_every_request_field_has_a_documented_place() -> None:
    used = {field for request in FULL_REQUESTS.values() for field in request.api_fields()}
    assert used == set(PLACEMENT)


@pytest.mark.parametrize(
    ("field", "value"), [("negative_prompt", "blurry"), ("safety_filter", True)]
)
def test_fields_dashscope_does_not_document_are_refused_by_name(
    ds: DashScope, field: str, value: Any
) -> None:
    request = VideoOutpainting(prompt="w", video_url=VID.format(1), **{field: value})
    with pytest.raises(
        InvalidInputError, match=rf"^\[dashscope\] {field}: DashScope does not take this field"
    ) as caught:
        ds.submit_request(request)
    assert caught.value.http_status is None


def test_parameters_always_sent_even_empty(ds: DashScope) -> None:
    spec = ds.submit_request(VideoOutpainting(prompt="wider", video_url=VID.format(1)))
    assert spec.json is not None
    assert spec.json["parameters"] == {}
    assert spec.json["input"] == {
        "function": "video_outpainting",
        "prompt": "wider",
        "video_url": VID.format(1),
    }


def test_submit_headers_async_no_auth_no_oss(ds: DashScope) -> None:
    spec = ds.submit_request(FULL_REQUESTS["video_repainting"])
    assert spec.headers["X-DashScope-Async"] == "enable"
    assert spec.headers["Content-Type"] == "application/json"
    assert "X-DashScope-OssResourceResolve" not in spec.headers
    assert not any(k.lower() == "authorization" for k in spec.headers)
    assert "X-DashScope-WorkSpace" not in spec.headers


@pytest.mark.parametrize(
    "request_",
    [
        ImageReference(prompt="p", ref_images_url=["oss://dashscope-instant/abc/1.png"]),
        VideoEdit(prompt="p", video_url=VID.format(1), mask_image_url="OSS://bucket/m.png"),
        VideoExtension(prompt="p", first_clip_url="oss://bucket/clip.mp4"),
    ],
)
def test_oss_url_adds_resolve_header(ds: DashScope, request_: VaceRequest) -> None:
    assert ds.submit_request(request_).headers["X-DashScope-OssResourceResolve"] == "enable"


def test_workspace_header_on_every_request() -> None:
    ds = DashScope(workspace="ws-123")
    specs = [
        ds.submit_request(FULL_REQUESTS["video_outpainting"]),
        ds.poll_request("t1"),
        ds.cancel_request("t1"),
        ds.list_request(),
        ds.upload_policy_request(),
    ]
    for spec in specs:
        assert spec is not None
        assert spec.headers["X-DashScope-WorkSpace"] == "ws-123"


def test_local_file_refused_before_any_spec(ds: DashScope, tmp_path: Any) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00")
    request = VideoRepainting(prompt="p", video_url=str(video), control_condition="depth")
    with pytest.raises(InvalidInputError) as caught:
        ds.submit_request(request)
    assert caught.value.kind is ErrorKind.INVALID_INPUT
    assert caught.value.http_status is None
    assert str(caught.value).startswith("[dashscope] video_url: a local file")


def test_local_reference_image_named_with_index(ds: DashScope, tmp_path: Any) -> None:
    image = tmp_path / "ref.png"
    image.write_bytes(b"\x00")
    request = ImageReference(
        prompt="p", ref_images_url=[IMG.format(1), str(image)], obj_or_bg=["obj", "bg"]
    )
    with pytest.raises(InvalidInputError, match=r"ref_images_url\[1\]"):
        ds.submit_request(request)


def test_cn_region_model_host_and_price() -> None:
    ds = make_provider("dashscope", region="cn")
    assert ds.model == "wanx2.1-vace-plus"
    assert ds.base_url == "https://dashscope.aliyuncs.com"
    assert ds.price_per_second == pytest.approx(0.100347)
    spec = ds.submit_request(FULL_REQUESTS["video_outpainting"])
    assert spec.json is not None
    assert spec.json["model"] == "wanx2.1-vace-plus"
    assert spec.url.startswith("https://dashscope.aliyuncs.com/api/v1/")


def test_intl_limits_price_ttl(ds: DashScope) -> None:
    assert ds.name == "dashscope"
    assert ds.price_per_second == pytest.approx(0.10)
    assert ds.result_ttl_seconds == 86_400
    assert ds.limits.submits_per_second == 2
    assert ds.limits.max_concurrent == 2
    assert ds.limits.polls_per_second == 20


def test_unknown_region_refused() -> None:
    with pytest.raises(ValueError, match="region"):
        DashScope("us")


@pytest.mark.parametrize(
    "base",
    ["http://127.0.0.1:8123", "http://127.0.0.1:8123/", "http://127.0.0.1:8123/api/v1"],
)
def test_base_url_override_keeps_documented_paths(base: str) -> None:
    ds = make_provider("dashscope", base_url=base)
    assert ds.base_url == "http://127.0.0.1:8123"
    root = "http://127.0.0.1:8123/api/v1"
    submit = ds.submit_request(FULL_REQUESTS["video_outpainting"])
    assert submit.url == f"{root}/services/aigc/video-generation/video-synthesis"
    assert ds.poll_request("t-1").url == f"{root}/tasks/t-1"
    cancel = ds.cancel_request("t-1")
    assert cancel is not None
    assert cancel.url == f"{root}/tasks/t-1/cancel"


def test_poll_cancel_list_specs(ds: DashScope) -> None:
    poll = ds.poll_request("0385dc79-5ff8")
    assert (poll.method, poll.json, poll.params) == ("GET", None, None)
    assert poll.url == "https://dashscope-intl.aliyuncs.com/api/v1/tasks/0385dc79-5ff8"
    cancel = ds.cancel_request("0385dc79-5ff8")
    assert cancel is not None
    assert cancel.method == "POST"
    assert cancel.url.endswith("/api/v1/tasks/0385dc79-5ff8/cancel")
    listing = ds.list_request(
        2, 50, status="RUNNING", start_time="20250101000000", model_name="wan2.1-vace-plus"
    )
    assert listing.url == "https://dashscope-intl.aliyuncs.com/api/v1/tasks"
    assert listing.params == {
        "page_no": "2",
        "page_size": "50",
        "start_time": "20250101000000",
        "model_name": "wan2.1-vace-plus",
        "status": "RUNNING",
    }


def test_task_id_cannot_escape_the_path(ds: DashScope) -> None:
    assert ds.poll_request("../x?y").url.endswith("/api/v1/tasks/..%2Fx%3Fy")
    with pytest.raises(ValueError, match="task_id"):
        ds.poll_request("")


# ---- responses ---------------------------------------------------------------------------

SUBMIT_OK = {
    "output": {"task_id": "0385dc79-5ff8-4d82-bcb6-xxxxxx", "task_status": "PENDING"},
    "request_id": "4909100c-7b5a-9f92-bfe5-xxxxxx",
}

POLL_SUCCEEDED: dict[str, Any] = {
    "request_id": "851985d0-fbba-9d8d-a17a-xxxxxx",
    "output": {
        "task_id": "0385dc79-5ff8-4d82-bcb6-xxxxxx",
        "task_status": "SUCCEEDED",
        "submit_time": "2025-05-15 16:14:44.723",
        "scheduled_time": "2025-05-15 16:14:44.750",
        "end_time": "2025-05-15 16:20:09.389",
        "video_url": "https://dashscope-result-sh.oss-cn-shanghai.aliyuncs.com/x.mp4?Expires=1",
        "orig_prompt": "a cat",
        "actual_prompt": "a fluffy cat walking",
    },
    "usage": {"video_duration": 5, "video_ratio": "standard", "video_count": 1},
}

POLL_FAILED: dict[str, Any] = {
    "request_id": "e5d70b02-ebd3-98ce-9fe8-xxxxxx",
    "output": {
        "task_id": "86ecf553-d340-4e21-af6e-xxxxxx",
        "task_status": "FAILED",
        "code": "InvalidParameter",
        "message": "The size is not match the allowed size ['1280*720', '720*1280']",
    },
}


def test_parse_submit_documented_example(ds: DashScope) -> None:
    assert ds.parse_submit(200, {}, body(SUBMIT_OK)) == "0385dc79-5ff8-4d82-bcb6-xxxxxx"


def test_parse_poll_succeeded_documented_example(ds: DashScope) -> None:
    task_id = "0385dc79-5ff8-4d82-bcb6-xxxxxx"
    state = ds.parse_poll(task_id, 200, {}, body(POLL_SUCCEEDED))
    assert state.task_id == task_id
    assert state.status is TaskStatus.SUCCEEDED
    assert state.provider_status == "SUCCEEDED"
    assert state.video_url == POLL_SUCCEEDED["output"]["video_url"]
    assert state.usage == Usage(video_duration=5.0, video_count=1, video_ratio="standard")
    assert state.times == {
        "submit_time": "2025-05-15 16:14:44.723",
        "scheduled_time": "2025-05-15 16:14:44.750",
        "end_time": "2025-05-15 16:20:09.389",
    }
    assert state.extra["orig_prompt"] == "a cat"
    assert state.extra["actual_prompt"] == "a fluffy cat walking"
    assert state.extra["request_id"] == "851985d0-fbba-9d8d-a17a-xxxxxx"
    assert state.error_code is None
    assert state.error_kind is None


def test_parse_poll_failed_keeps_code_and_message_verbatim(ds: DashScope) -> None:
    task_id = "86ecf553-d340-4e21-af6e-xxxxxx"
    state = ds.parse_poll(task_id, 200, {}, body(POLL_FAILED))
    assert state.status is TaskStatus.FAILED
    assert state.error_code == "InvalidParameter"
    assert state.error_message == POLL_FAILED["output"]["message"]
    assert state.error_kind is ErrorKind.INVALID_INPUT
    assert state.video_url is None


def test_moderation_failure_is_a_state_not_an_exception(ds: DashScope) -> None:
    output = {
        "task_id": "t",
        "task_status": "FAILED",
        "code": "DataInspectionFailed",
        "message": "Output data may contain inappropriate content.",
    }
    state = ds.parse_poll("t", 200, {}, body({"output": output}))
    assert state.status is TaskStatus.FAILED
    assert state.error_kind is ErrorKind.MODERATION
    assert state.error_code == "DataInspectionFailed"
    assert state.error_message == "Output data may contain inappropriate content."


@pytest.mark.parametrize(
    ("provider_status", "expected"),
    [
        ("PENDING", TaskStatus.QUEUED),
        ("RUNNING", TaskStatus.RUNNING),
        ("SUSPENDED", TaskStatus.RUNNING),
        ("SUCCEEDED", TaskStatus.SUCCEEDED),
        ("FAILED", TaskStatus.FAILED),
        ("CANCELED", TaskStatus.CANCELED),
        ("CANCELLED", TaskStatus.CANCELED),
        ("UNKNOWN", TaskStatus.UNKNOWN),
        ("SOMETHING_NEW", TaskStatus.UNKNOWN),
    ],
)
def test_status_mapping(ds: DashScope, provider_status: str, expected: TaskStatus) -> None:
    output: dict[str, Any] = {"task_id": "t", "task_status": provider_status}
    if expected is TaskStatus.SUCCEEDED:
        output["video_url"] = "https://x/v.mp4"
    state = ds.parse_poll("t", 200, {}, body({"request_id": "r", "output": output}))
    assert state.status is expected
    assert state.provider_status == provider_status
    assert state.status.is_terminal == (expected not in (TaskStatus.QUEUED, TaskStatus.RUNNING))


def test_expired_task_is_unknown_and_terminal(ds: DashScope) -> None:
    payload = {"request_id": "r", "output": {"task_id": "old", "task_status": "UNKNOWN"}}
    state = ds.parse_poll("old", 200, {}, body(payload))
    assert state.status is TaskStatus.UNKNOWN
    assert state.status.is_terminal


def test_running_task_times_and_metrics(ds: DashScope) -> None:
    output = {
        "task_id": "t",
        "task_status": "RUNNING",
        "submit_time": "2025-05-15 16:14:44.723",
        "task_metrics": {"TOTAL": 1, "SUCCEEDED": 0, "FAILED": 0},
    }
    state = ds.parse_poll("t", 200, {}, body({"output": output}))
    assert state.status is TaskStatus.RUNNING
    assert state.times == {"submit_time": "2025-05-15 16:14:44.723"}
    assert state.extra["task_metrics"] == {"TOTAL": 1, "SUCCEEDED": 0, "FAILED": 0}
    assert state.usage is None


@pytest.mark.parametrize(
    "payload",
    [
        {"output": {"task_id": "t", "task_status": "SUCCEEDED"}},
        {"output": {"task_id": "other", "task_status": "RUNNING"}},
        {"output": {"task_id": "t"}},
        {"output": []},
        {"request_id": "r"},
        [1, 2],
    ],
)
def test_poll_unexpected_shapes_are_protocol_errors(ds: DashScope, payload: Any) -> None:
    with pytest.raises(ProtocolError) as caught:
        ds.parse_poll("t", 200, {}, body(payload))
    assert caught.value.kind is ErrorKind.PROTOCOL
    assert caught.value.http_status == 200


def test_non_json_success_quotes_body_truncated(ds: DashScope) -> None:
    html = b"<html>" + b"x" * 1000 + b"</html>"
    with pytest.raises(ProtocolError) as caught:
        ds.parse_submit(200, {}, html)
    assert "<html>xxx" in caught.value.message
    assert len(caught.value.message) < 400


# Table 1.5: every documented error code with its HTTP status.
ERRORS = [
    (400, "InvalidParameter", ErrorKind.INVALID_INPUT),
    (400, "DataInspectionFailed", ErrorKind.MODERATION),
    (400, "Arrearage", ErrorKind.BALANCE),
    (400, "InvalidURL", ErrorKind.INVALID_INPUT),
    (400, "BadRequest.EmptyInput", ErrorKind.INVALID_INPUT),
    (400, "BadRequest.EmptyParameters", ErrorKind.INVALID_INPUT),
    (400, "BadRequest.EmptyModel", ErrorKind.INVALID_INPUT),
    (401, "InvalidApiKey", ErrorKind.AUTH),
    (403, "AccessDenied", ErrorKind.FORBIDDEN),
    (404, "ModelNotFound", ErrorKind.NOT_FOUND),
    (429, "Throttling.RateQuota", ErrorKind.THROTTLED),
    (429, "Throttling.AllocationQuota", ErrorKind.THROTTLED),
    (500, "InternalError", ErrorKind.SERVER),
    (503, "ServiceUnavailable", ErrorKind.SERVER),
    (504, None, ErrorKind.SERVER),
]


@pytest.mark.parametrize(("status", "code", "kind"), ERRORS)
@pytest.mark.parametrize("where", ["submit", "poll", "cancel", "list", "upload_policy"])
def test_error_table(
    ds: DashScope, status: int, code: str | None, kind: ErrorKind, where: str
) -> None:
    message = f"Some message for {code} — kept verbatim."
    payload: dict[str, Any] = {"message": message, "request_id": "req-1"}
    if code is not None:
        payload["code"] = code
    parsers = {
        "submit": ds.parse_submit,
        "poll": lambda s, h, b: ds.parse_poll("t", s, h, b),
        "cancel": ds.parse_cancel,
        "list": ds.parse_list,
        "upload_policy": ds.parse_upload_policy,
    }
    with pytest.raises(ProviderError) as caught:
        parsers[where](status, {}, body(payload))
    error = caught.value
    assert error.kind is kind
    assert error.http_status == status
    assert error.code == code
    assert error.message == message
    assert error.request_id == "req-1"
    assert error.provider == "dashscope"
    shown = f"{code}: {message}" if code else message
    assert str(error) == f"[dashscope] {shown} (HTTP {status})"


def test_access_denied_suffix_and_missing_async_header(ds: DashScope) -> None:
    payload = {
        "code": "AccessDenied",
        "message": "current user api does not support synchronous calls",
    }
    with pytest.raises(ProviderError) as caught:
        ds.parse_submit(403, {}, body(payload))
    assert caught.value.kind is ErrorKind.FORBIDDEN
    payload = {"code": "AccessDenied.Unpurchased", "message": "Access to model denied."}
    with pytest.raises(ProviderError) as caught:
        ds.parse_submit(403, {}, body(payload))
    assert caught.value.kind is ErrorKind.ENTITLEMENT


def test_throttled_with_retry_after(ds: DashScope) -> None:
    payload = {"code": "Throttling.RateQuota", "message": "Requests rate limit exceeded"}
    with pytest.raises(ProviderError) as caught:
        ds.parse_submit(429, {"retry-after": "7"}, body(payload))
    assert caught.value.kind is ErrorKind.THROTTLED
    assert caught.value.retry_after == 7.0


def test_html_gateway_error_is_server_error_with_snippet(ds: DashScope) -> None:
    with pytest.raises(ProviderError) as caught:
        ds.parse_poll("t", 502, {}, b"<html><body>502 Bad Gateway</body></html>")
    assert caught.value.kind is ErrorKind.SERVER
    assert caught.value.code is None
    assert "502 Bad Gateway" in caught.value.message


def test_empty_error_body_uses_status_phrase(ds: DashScope) -> None:
    with pytest.raises(ProviderError) as caught:
        ds.parse_submit(401, {}, b"")
    assert caught.value.kind is ErrorKind.AUTH
    assert caught.value.message == "Unauthorized"


def test_error_code_in_a_2xx_body(ds: DashScope) -> None:
    payload = {"code": "Arrearage", "message": "Access denied, please make sure your account is "}
    with pytest.raises(ProviderError) as caught:
        ds.parse_submit(200, {}, body(payload))
    assert caught.value.kind is ErrorKind.BALANCE


def test_cancel_ok_and_not_pending(ds: DashScope) -> None:
    ds.parse_cancel(200, {}, body({"request_id": "r"}))  # accepted: returns, raises nothing
    ds.parse_cancel(204, {}, b"")  # an empty 2xx is accepted too
    refusal = {
        "request_id": "r",
        "code": "UnsupportedOperation",
        "message": "Failed to cancel the task, please confirm if the task is in PENDING status.",
    }
    with pytest.raises(ProviderError) as caught:
        ds.parse_cancel(400, {}, body(refusal))
    assert caught.value.code == "UnsupportedOperation"
    assert caught.value.kind is ErrorKind.INVALID_INPUT


def test_parse_list(ds: DashScope) -> None:
    payload = {
        "request_id": "r",
        "data": [
            {
                "task_id": "a",
                "status": "SUCCEEDED",
                "model_name": "wan2.1-vace-plus",
                "gmt_create": 1747296884000,
                "end_time": 1747297209000,
            },
            {"task_id": "b", "task_status": "PENDING"},
        ],
        "total": 2,
        "total_page": 1,
        "page_no": 1,
        "page_size": 10,
    }
    first, second = ds.parse_list(200, {}, body(payload))
    assert (first.task_id, first.status, first.provider_status) == (
        "a",
        TaskStatus.SUCCEEDED,
        "SUCCEEDED",
    )
    assert first.times == {"gmt_create": "1747296884000", "end_time": "1747297209000"}
    assert first.extra["model_name"] == "wan2.1-vace-plus"
    assert (second.task_id, second.status) == ("b", TaskStatus.QUEUED)
    with pytest.raises(ProtocolError):
        ds.parse_list(200, {}, body({"data": [{"status": "RUNNING"}]}))


# ---- temporary uploads (section 1.7) -------------------------------------------------------

POLICY: dict[str, Any] = {
    "request_id": "r",
    "data": {
        "policy": "eyJleHBpcmF0aW9uIjoi...",
        "signature": "g5K5G1x1dXXXXXXXX=",
        "upload_dir": "dashscope-instant/xxx/2025-07-18/xxx",
        "upload_host": "https://dashscope-file-xxx.oss-cn-beijing.aliyuncs.com",
        "expire_in_seconds": 300,
        "max_file_size_mb": 100,
        "capacity_limit_mb": 999999999,
        "oss_access_key_id": "LTAI5tXXXX",
        "x_oss_object_acl": "private",
        "x_oss_forbid_overwrite": "true",
    },
}


def test_upload_policy_request(ds: DashScope) -> None:
    spec = ds.upload_policy_request()
    assert spec.method == "GET"
    assert spec.url == "https://dashscope-intl.aliyuncs.com/api/v1/uploads"
    assert spec.params == {"action": "getPolicy", "model": "wan2.1-vace-plus"}
    cn = DashScope("cn", base_url="http://127.0.0.1:9").upload_policy_request()
    assert cn.url == "http://127.0.0.1:9/api/v1/uploads"
    assert cn.params == {"action": "getPolicy", "model": "wanx2.1-vace-plus"}


def test_parse_upload_policy_and_form(ds: DashScope) -> None:
    policy = ds.parse_upload_policy(200, {}, body(POLICY))
    assert policy == UploadPolicy(
        upload_host="https://dashscope-file-xxx.oss-cn-beijing.aliyuncs.com",
        upload_dir="dashscope-instant/xxx/2025-07-18/xxx",
        policy="eyJleHBpcmF0aW9uIjoi...",
        signature="g5K5G1x1dXXXXXXXX=",
        oss_access_key_id="LTAI5tXXXX",
        x_oss_object_acl="private",
        x_oss_forbid_overwrite="true",
        expire_in_seconds=300.0,
        max_file_size_mb=100.0,
    )
    url, fields, oss_url = ds.upload_form(policy, "/tmp/some dir/ab12.PNG")
    assert url == "https://dashscope-file-xxx.oss-cn-beijing.aliyuncs.com"
    key = "dashscope-instant/xxx/2025-07-18/xxx/ab12.PNG"
    assert list(fields.items()) == [
        ("OSSAccessKeyId", "LTAI5tXXXX"),
        ("Signature", "g5K5G1x1dXXXXXXXX="),
        ("policy", "eyJleHBpcmF0aW9uIjoi..."),
        ("key", key),
        ("x-oss-object-acl", "private"),
        ("x-oss-forbid-overwrite", "true"),
        ("success_action_status", "200"),
        ("x-oss-content-type", "image/png"),
    ]
    assert oss_url == f"oss://{key}"


def test_upload_policy_variants(ds: DashScope) -> None:
    data = dict(POLICY["data"])
    data["x_oss_forbid_overwrite"] = True
    policy = ds.parse_upload_policy(200, {}, body({"output": data}))
    assert policy.x_oss_forbid_overwrite == "true"
    assert ds.upload_form(policy, "clip.mp4")[1]["x-oss-content-type"] == "video/mp4"
    assert ds.upload_form(policy, "blob")[1]["x-oss-content-type"] == "application/octet-stream"
    del data["signature"]
    with pytest.raises(ProtocolError, match=r"data\.signature"):
        ds.parse_upload_policy(200, {}, body({"data": data}))
    with pytest.raises(ValueError, match="filename"):
        ds.upload_form(policy, "dir/")
