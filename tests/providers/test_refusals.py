"""Refusals classified by meaning, the DashScope list window, and normalised provider times."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from vace_studio.providers import (
    REFUSALS,
    DashScope,
    ErrorKind,
    Modellix,
    MuleRouter,
    ThrottledError,
    fix_for,
)


def _body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        ("PrepaidBillOverdue", "The prepaid bill is overdue.", ErrorKind.BALANCE),
        ("PostpaidBillOverdue", "The postpaid bill is overdue.", ErrorKind.BALANCE),
        ("CommodityNotPurchased", "Commodity has not purchased yet.", ErrorKind.ENTITLEMENT),
        ("Throttling.AllocationQuota", "Free allocated quota exceeded.", ErrorKind.QUOTA),
        ("Throttling.RateQuota", "Requests rate limit exceeded.", ErrorKind.THROTTLED),
        ("Throttling", "Requests throttling triggered.", ErrorKind.THROTTLED),
    ],
)
def test_dashscope_429s_are_told_apart_by_code_and_message(
    code: str, message: str, kind: ErrorKind
) -> None:
    error = DashScope().error(429, {}, _body(code=code, message=message, request_id="r"))
    assert error.kind is kind
    assert error.code == code
    assert error.message == message  # verbatim
    assert (kind in REFUSALS) == (fix_for(kind) or "").endswith("resume submissions.")


def test_an_allocation_quota_429_that_does_not_say_which_is_a_bounded_throttle() -> None:
    # The allocation (rate) limit and the spent free quota share a code; only "free" tells.
    error = DashScope().error(
        429, {}, _body(code="Throttling.AllocationQuota", message="Allocated quota exceeded.")
    )
    assert isinstance(error, ThrottledError)
    assert error.may_be_quota


def test_gateway_429s_for_spent_quotas_are_not_throttles() -> None:
    modellix = Modellix().error(429, {}, _body(code=429, message="quota exceeded"))
    assert modellix.kind is ErrorKind.QUOTA
    mule = MuleRouter().error(429, {}, _body(detail="daily spend limit exceeded"))
    assert mule.kind is ErrorKind.QUOTA
    rate = MuleRouter().error(429, {"Retry-After": "3"}, _body(detail="rate limit exceeded"))
    assert rate.kind is ErrorKind.THROTTLED
    assert not rate.may_be_quota
    assert rate.retry_after == 3.0
    silent = Modellix().error(429, {}, b"")
    assert silent.kind is ErrorKind.THROTTLED
    assert silent.may_be_quota  # a bare 429 from a gateway may be either: never loop on it


def test_the_list_window_is_written_in_china_standard_time_and_capped_at_24_hours() -> None:
    adapter = DashScope()
    start = datetime(2026, 11, 30, 1, 0, 0, tzinfo=UTC).timestamp()
    spec = adapter.list_between(start, start + 3600)
    assert spec.params is not None
    assert spec.params["start_time"] == "20261130090000"  # 01:00 UTC is 09:00 UTC+8
    assert spec.params["end_time"] == "20261130100000"
    assert spec.params["model_name"] == "wan2.1-vace-plus"
    adapter.list_between(start, start + 24 * 3600)  # exactly a day is allowed
    with pytest.raises(ValueError, match="24 hours"):
        adapter.list_between(start, start + 24 * 3600 + 1)


def test_task_times_are_normalised_from_the_services_zone() -> None:
    body = _body(
        request_id="r",
        output={
            "task_id": "t1",
            "task_status": "SUCCEEDED",
            "video_url": "https://x.invalid/v.mp4",
            "submit_time": "2026-11-30 09:00:00.000",
            "end_time": "2026-11-30 09:05:00.500",
        },
    )
    state = DashScope().parse_poll("t1", 200, {}, body)
    assert state.created_at == datetime(2026, 11, 30, 1, 0, 0, tzinfo=UTC).timestamp()
    assert state.ended_at == datetime(2026, 11, 30, 1, 5, 0, 500000, tzinfo=UTC).timestamp()
    listed = DashScope().parse_list(
        200, {}, _body(data=[{"task_id": "t2", "status": "RUNNING", "gmt_create": 1764464400000}])
    )
    assert listed[0].created_at == 1764464400.0
    assert listed[0].ended_at is None


def test_a_modellix_failure_without_a_reason_says_so() -> None:
    body = _body(code=0, message="success", data={"status": "failed", "task_id": "task-1"})
    state = Modellix().parse_poll("task-1", 200, {}, body)
    assert state.error_code is None
    assert state.error_message == "failed, no reason given by Modellix"


def test_alibabas_allocation_message_forwarded_by_a_gateway_is_a_bounded_throttle() -> None:
    message = "Allocated quota exceeded, please increase your quota limit."
    error = Modellix().error(429, {}, _body(code=429, message=message))
    assert isinstance(error, ThrottledError)
    assert error.may_be_quota
    spent = Modellix().error(429, {}, _body(code=429, message="Free allocated quota exceeded."))
    assert spent.kind is ErrorKind.QUOTA
