"""Every parse_* function meets arbitrary input with a result or a ProviderError, nothing else.

Three generators: raw bytes, arbitrary JSON, and JSON built from the keys the adapters look for
(so the fuzz reaches past the first ``isinstance`` check into the nested readers).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vace_studio.providers import (
    DashScope,
    Modellix,
    MuleRouter,
    ProviderError,
    TaskState,
    UploadPolicy,
)

Parse = Callable[[int, Mapping[str, str], bytes], object]

_ds, _mx, _mr = DashScope(), Modellix(), MuleRouter()

PARSERS: dict[str, tuple[Parse, type | tuple[type, ...]]] = {
    "dashscope.submit": (_ds.parse_submit, str),
    "dashscope.poll": (lambda s, h, b: _ds.parse_poll("t", s, h, b), TaskState),
    "dashscope.cancel": (_ds.parse_cancel, type(None)),
    "dashscope.list": (_ds.parse_list, list),
    "dashscope.upload_policy": (_ds.parse_upload_policy, UploadPolicy),
    "modellix.submit": (_mx.parse_submit, str),
    "modellix.poll": (lambda s, h, b: _mx.parse_poll("t", s, h, b), TaskState),
    "modellix.cancel": (_mx.parse_cancel, type(None)),
    "modellix.media_upload": (_mx.parse_media_upload, str),
    "mulerouter.submit": (_mr.parse_submit, str),
    "mulerouter.poll": (lambda s, h, b: _mr.parse_poll("t", s, h, b), TaskState),
    "mulerouter.cancel": (_mr.parse_cancel, type(None)),
}

KEYS = [
    "output",
    "data",
    "task_info",
    "usage",
    "result",
    "resources",
    "error",
    "videos",
    "task_id",
    "task_status",
    "status",
    "id",
    "code",
    "message",
    "detail",
    "title",
    "video_url",
    "url",
    "type",
    "request_id",
    "submit_time",
    "end_time",
    "created_at",
    "video_duration",
    "video_count",
    "video_ratio",
    "error_code",
    "error_message",
    "upload_host",
    "upload_dir",
    "policy",
    "signature",
    "oss_access_key_id",
    "x_oss_object_acl",
    "x_oss_forbid_overwrite",
    "expire_in_seconds",
]
STATUS_WORDS = [
    "PENDING",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "UNKNOWN",
    "pending",
    "success",
    "completed",
    "failed",
    "processing",
    "t",
    "video",
    "DataInspectionFailed",
    "Throttling.RateQuota",
    "",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(STATUS_WORDS)
)
any_json = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
shaped_json = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=30,
)
statuses = st.sampled_from(
    [200, 201, 202, 204, 400, 401, 402, 403, 404, 409, 423, 429, 451, 500, 502, 503]
) | st.integers(min_value=100, max_value=599)
header_values = st.text(max_size=40) | st.sampled_from(
    ["5", "-3", "1e309", "nan", "Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 99 Foo 0000", "99999999999"]
)
headers = st.dictionaries(
    st.sampled_from(
        ["Retry-After", "retry-after", "X-RateLimit-Reset", "Date", "X-Request-Id", "Content-Type"]
    ),
    header_values,
    max_size=4,
)


def _check(name: str, status: int, head: Mapping[str, str], raw: bytes) -> None:
    parse, expected = PARSERS[name]
    error: ProviderError | None = None
    try:
        result = parse(status, head, raw)
    except ProviderError as caught:
        error = caught
    if error is not None:
        # The error must render, carry a kind, and never dump an unbounded body.
        assert str(error)
        assert error.kind is not None
        assert len(error.message) < 2_000
    else:
        assert isinstance(result, expected)
        assert 200 <= status <= 299, "a non-2xx response must raise"


FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
names = pytest.mark.parametrize("name", sorted(PARSERS))


@names
@FUZZ
@given(status=statuses, head=headers, raw=st.binary(max_size=300))
def test_arbitrary_bytes(name: str, status: int, head: dict[str, str], raw: bytes) -> None:
    _check(name, status, head, raw)


@names
@FUZZ
@given(status=statuses, head=headers, value=any_json)
def test_arbitrary_json(name: str, status: int, head: dict[str, str], value: Any) -> None:
    _check(name, status, head, json.dumps(value).encode())


@names
@settings(FUZZ, max_examples=150)
@given(status=st.sampled_from([200, 202]) | statuses, head=headers, value=shaped_json)
def test_shaped_json(name: str, status: int, head: dict[str, str], value: Any) -> None:
    _check(name, status, head, json.dumps(value).encode())


@names
@settings(FUZZ, max_examples=40)
@given(value=shaped_json)
def test_wrapped_in_the_expected_envelope(name: str, value: Any) -> None:
    # One level deeper: each provider's envelope around shaped content.
    for wrapped in (
        {"output": value},
        {"code": 0, "data": value},
        {"task_info": value},
        {"data": value},
    ):
        _check(name, 200, {}, json.dumps(wrapped).encode())


# Documented success bodies (task id "t"), mutated below so the fuzz reaches the deep readers.
_DS_POLL = {
    "request_id": "r",
    "output": {
        "task_id": "t",
        "task_status": "SUCCEEDED",
        "submit_time": "2025-05-15 16:14:44.723",
        "video_url": "https://x/v.mp4",
        "code": "DataInspectionFailed",
        "message": "m",
    },
    "usage": {"video_duration": 5, "video_ratio": "standard", "video_count": 1},
}
_MX_POLL = {
    "code": 0,
    "message": "success",
    "data": {
        "status": "success",
        "task_id": "t",
        "created_at": "2026-01-01",
        "error": {"code": "X", "message": "m"},
        "result": {"resources": [{"url": "https://f/v.mp4", "type": "video"}, "https://f/2"]},
    },
}
_MR_POLL = {
    "task_info": {
        "id": "t",
        "status": "completed",
        "created_at": "2025-08-01",
        "error": {"code": 3001, "title": "T", "detail": "DataInspectionFailed: d"},
    },
    "videos": ["https://m/v.mp4", "https://m/w.mp4"],
}
_POLICY_KEYS = (
    "upload_host",
    "upload_dir",
    "policy",
    "signature",
    "oss_access_key_id",
    "x_oss_object_acl",
    "x_oss_forbid_overwrite",
)
_POLICY = {
    "data": dict.fromkeys(_POLICY_KEYS, "v") | {"expire_in_seconds": 300, "max_file_size_mb": 100}
}
EXAMPLES: dict[str, Any] = {
    "dashscope.submit": {"output": {"task_id": "t", "task_status": "PENDING"}, "request_id": "r"},
    "dashscope.poll": _DS_POLL,
    "dashscope.cancel": {"request_id": "r"},
    "dashscope.list": {"data": [_DS_POLL["output"], {"task_id": "u", "status": "RUNNING"}]},
    "dashscope.upload_policy": _POLICY,
    "modellix.submit": {"code": 0, "data": {"status": "pending", "task_id": "t"}},
    "modellix.poll": _MX_POLL,
    "modellix.cancel": {"code": 0},
    "modellix.media_upload": {"code": 0, "data": {"url": "https://f/i.png", "file_id": "f"}},
    "mulerouter.submit": {"task_info": {"id": "t", "status": "pending"}},
    "mulerouter.poll": _MR_POLL,
    "mulerouter.cancel": {},
}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, example: Any) -> Any:
    """``example`` with one to three values replaced by arbitrary JSON, or removed."""
    value = copy.deepcopy(example)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(value)
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        node = value
        for step in parents:
            node = node[step]
        if draw(st.booleans()) and isinstance(node, dict):
            del node[last]
        else:
            node[last] = draw(any_json)
    return value


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_documented_examples_parse(name: str) -> None:
    parse, expected = PARSERS[name]
    assert isinstance(parse(200, {}, json.dumps(EXAMPLES[name]).encode()), expected)


@names
@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_mutated_documented_examples(name: str, data: st.DataObject) -> None:
    value = data.draw(mutated(EXAMPLES[name]))
    _check(name, 200, {}, json.dumps(value).encode())


def test_example_budget() -> None:
    # Parsers x (120 bytes + 120 JSON + 150 shaped + 40 x 4 envelopes + 150 mutants) parses per
    # run; with the engine-level hostile server (tests/engine/test_fuzz_answers.py, ~2,800) the
    # provider answers fuzzed per run are over 10,000.
    budget = len(PARSERS) * (120 + 120 + 150 + 40 * 4 + 150)
    print(f"\nprovider answers fuzzed at the adapters: {budget}")
    assert budget >= 7_200
