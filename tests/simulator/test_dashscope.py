"""The simulator's DashScope protocol over real HTTP: submit, poll, cancel, list, errors and
input resolution, with the real renderer behind it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.helpers import owner_client, owner_headers, sim_config
from vace_studio.simulator import SimulatorHandle, serve
from vace_studio.simulator.render.samples import decode_video
from vace_studio.simulator.samples import FileServer, Samples

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
ASYNC = {"X-DashScope-Async": "enable"}
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with serve(sim_config(queue_seconds=0.15, run_seconds=0.15, quotas={})) as handle:
        yield handle


@pytest.fixture
def http(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    with owner_client(sim, "ds") as c:
        yield c


@pytest.fixture(scope="module")
def video_url(file_server: FileServer, media: Samples) -> str:
    """The sample video, served over http like a provider's input."""
    return file_server.url(media.video)


def outpaint(video_url: str, **parameters: Any) -> dict[str, Any]:
    return {
        "model": "wan2.1-vace-plus",
        "input": {
            "function": "video_outpainting",
            "prompt": "a wider view",
            "video_url": video_url,
        },
        "parameters": {"top_scale": 1.5, **parameters},
    }


def submit(http: httpx.Client, body: dict[str, Any], **headers: str) -> httpx.Response:
    return http.post(SUBMIT, json=body, headers={**ASYNC, **headers})


def wait(http: httpx.Client, task_id: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = http.get(f"/api/v1/tasks/{task_id}").json()
        if body["output"]["task_status"] not in ("PENDING", "RUNNING"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} did not finish")


def test_submit_answers_a_pending_task(http: httpx.Client, video_url: str) -> None:
    response = submit(http, outpaint(video_url))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"output", "request_id"}
    assert body["output"]["task_status"] == "PENDING"
    assert re.fullmatch(r"[0-9a-f-]{36}", body["output"]["task_id"])


def test_a_task_goes_pending_running_succeeded(http: httpx.Client, video_url: str) -> None:
    task_id = submit(http, outpaint(video_url, seed=1)).json()["output"]["task_id"]
    seen = [http.get(f"/api/v1/tasks/{task_id}").json()["output"]["task_status"]]
    done = wait(http, task_id)
    seen.append(done["output"]["task_status"])
    assert seen == ["PENDING", "SUCCEEDED"]
    output = done["output"]
    for key in ("submit_time", "scheduled_time", "end_time"):
        assert STAMP.match(output[key]), output[key]
    assert output["submit_time"] <= output["scheduled_time"] <= output["end_time"]
    assert output["orig_prompt"] == "a wider view"
    assert "actual_prompt" in output  # prompt_extend defaults to on
    assert done["usage"] == {"video_duration": 5, "video_count": 1, "video_ratio": "standard"}
    assert re.search(r"\.mp4\?Expires=\d+&OSSAccessKeyId=\w+&Signature=", output["video_url"])
    video = http.get(output["video_url"])
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    decoded = decode_video(video.content)
    assert (decoded.codec, decoded.fps, len(decoded.frames)) == ("h264", 30, 150)
    assert (decoded.width, decoded.height) == (320, 360)  # 320×240 with top_scale 1.5


def test_running_is_reported_between_queue_and_end(http: httpx.Client, video_url: str) -> None:
    task_id = submit(http, outpaint(video_url, seed=2)).json()["output"]["task_id"]
    statuses = set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = http.get(f"/api/v1/tasks/{task_id}").json()["output"]["task_status"]
        statuses.add(status)
        if status == "SUCCEEDED":
            break
        time.sleep(0.02)
    assert statuses == {"PENDING", "RUNNING", "SUCCEEDED"}


def test_prompt_extend_off_means_no_actual_prompt(http: httpx.Client, video_url: str) -> None:
    task_id = submit(http, outpaint(video_url, prompt_extend=False)).json()["output"]["task_id"]
    assert "actual_prompt" not in wait(http, task_id)["output"]


@pytest.mark.parametrize("model", ["wan2.1-vace-plus", "wanx2.1-vace-plus"])
def test_both_region_model_ids_are_accepted(http: httpx.Client, video_url: str, model: str) -> None:
    assert submit(http, {**outpaint(video_url), "model": model}).status_code == 200


def test_sdk_extend_prompt_key_is_ignored(http: httpx.Client, video_url: str) -> None:
    body = outpaint(video_url)
    body["input"]["extend_prompt"] = True
    assert submit(http, body).status_code == 200


def test_a_long_prompt_is_truncated_like_the_service(http: httpx.Client, video_url: str) -> None:
    body = outpaint(video_url)
    body["input"]["prompt"] = "x" * 900
    task_id = submit(http, body).json()["output"]["task_id"]
    assert wait(http, task_id)["output"]["orig_prompt"] == "x" * 800


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "request_id"}
    assert body["code"] == code
    message: str = body["message"]
    return message


def test_synchronous_calls_are_refused(http: httpx.Client, video_url: str) -> None:
    response = http.post(SUBMIT, json=outpaint(video_url))
    message = _error(response, 403, "AccessDenied")
    assert message == "current user api does not support synchronous calls"


def test_unknown_model_is_404(http: httpx.Client, video_url: str) -> None:
    response = submit(http, {**outpaint(video_url), "model": "wan2.2-vace"})
    _error(response, 404, "ModelNotFound")


def test_missing_model_and_input(http: httpx.Client) -> None:
    _error(submit(http, {"input": {"prompt": "p"}}), 400, "BadRequest.EmptyModel")
    _error(submit(http, {"model": "wan2.1-vace-plus"}), 400, "BadRequest.EmptyInput")


def test_invalid_request_names_field_rule_and_value(http: httpx.Client, video_url: str) -> None:
    message = _error(submit(http, outpaint(video_url, top_scale=2.5)), 400, "InvalidParameter")
    assert "top_scale" in message
    assert "2.5" in message


def test_a_field_in_the_wrong_object_is_refused(http: httpx.Client, video_url: str) -> None:
    body = outpaint(video_url)
    body["input"]["top_scale"] = body["parameters"].pop("top_scale")
    message = _error(submit(http, body), 400, "InvalidParameter")
    assert message.startswith("top_scale: belongs in parameters")


def test_bad_json_is_invalid_parameter(http: httpx.Client) -> None:
    response = http.post(
        SUBMIT, content=b"{nope", headers={**ASYNC, "content-type": "application/json"}
    )
    _error(response, 400, "InvalidParameter")


def test_missing_key_is_invalid_api_key(sim: SimulatorHandle) -> None:
    response = httpx.get(f"{sim.base_url}/api/v1/tasks/whatever")
    assert _error(response, 401, "InvalidApiKey") == "No API-key provided."


def test_unknown_key_is_refused_when_keys_are_configured() -> None:
    with serve(sim_config(api_keys={"good"})) as sim:
        bad = httpx.get(f"{sim.base_url}/api/v1/tasks/x", headers={"Authorization": "Bearer bad"})
        assert _error(bad, 401, "InvalidApiKey") == "Invalid API-key provided."
        good = httpx.get(f"{sim.base_url}/api/v1/tasks/x", headers={"Authorization": "Bearer good"})
        assert good.status_code == 200
        assert sim.stats().rejected == {"dashscope:auth": 1}


def test_unknown_task_is_200_unknown(http: httpx.Client) -> None:
    body = http.get("/api/v1/tasks/00000000-0000-0000-0000-000000000000").json()
    assert body["output"] == {
        "task_id": "00000000-0000-0000-0000-000000000000",
        "task_status": "UNKNOWN",
    }


def test_another_account_cannot_see_a_task(
    http: httpx.Client, sim: SimulatorHandle, video_url: str
) -> None:
    task_id = submit(http, outpaint(video_url)).json()["output"]["task_id"]
    other = httpx.get(f"{sim.base_url}/api/v1/tasks/{task_id}", headers=owner_headers(sim, "other"))
    assert other.json()["output"]["task_status"] == "UNKNOWN"


def test_cancel_only_while_pending(video_url: str) -> None:
    config = sim_config(queue_seconds=30, run_seconds=0.1, quotas={})
    with (
        serve(config) as sim,
        owner_client(sim, "c") as http,
    ):
        task_id = submit(http, outpaint(video_url)).json()["output"]["task_id"]
        canceled = http.post(f"/api/v1/tasks/{task_id}/cancel")
        assert canceled.status_code == 200
        assert set(canceled.json()) == {"request_id"}
        assert http.get(f"/api/v1/tasks/{task_id}").json()["output"]["task_status"] == "CANCELED"
        again = http.post(f"/api/v1/tasks/{task_id}/cancel")
        assert "PENDING" in _error(again, 400, "UnsupportedOperation")
        missing = http.post("/api/v1/tasks/00000000-0000-0000-0000-000000000000/cancel")
        _error(missing, 400, "UnsupportedOperation")


def test_a_running_task_cannot_be_canceled(http: httpx.Client, video_url: str) -> None:
    task_id = submit(http, outpaint(video_url, seed=3)).json()["output"]["task_id"]
    wait(http, task_id)
    _error(http.post(f"/api/v1/tasks/{task_id}/cancel"), 400, "UnsupportedOperation")


def test_list_pages_and_filters(video_url: str) -> None:
    config = sim_config(queue_seconds=0.05, run_seconds=0.05, quotas={}, list_lag_seconds=0)
    with (
        serve(config) as sim,
        owner_client(sim, "lister") as http,
    ):
        ids = [
            submit(http, outpaint(video_url, seed=i)).json()["output"]["task_id"] for i in range(3)
        ]
        for task_id in ids:
            wait(http, task_id)
        first = http.get("/api/v1/tasks", params={"page_no": 1, "page_size": 2}).json()
        second = http.get("/api/v1/tasks", params={"page_no": 2, "page_size": 2}).json()
        assert first["total"] == 3
        assert first["total_page"] == 2
        listed = [item["task_id"] for item in first["data"] + second["data"]]
        assert sorted(listed) == sorted(ids)
        assert first["data"][0]["status"] == "SUCCEEDED"
        none = http.get("/api/v1/tasks", params={"status": "FAILED"}).json()
        assert none["data"] == []
        assert none["total"] == 0
        future = http.get("/api/v1/tasks", params={"start_time": "20990101000000"})
        _error(future, 400, "InvalidParameter")  # a range that ends before it starts
        bad = http.get("/api/v1/tasks", params={"page_size": "0"})
        _error(bad, 400, "InvalidParameter")


def test_unreachable_input_fails_the_task_like_the_service(http: httpx.Client) -> None:
    body = {
        "model": "wan2.1-vace-plus",
        "input": {
            "function": "video_outpainting",
            "prompt": "p",
            "video_url": "https://example.com/clip.mp4",
        },
    }
    output = wait(http, submit(http, body).json()["output"]["task_id"])["output"]
    assert output["task_status"] == "FAILED"
    assert output["code"].startswith("InvalidParameter")
    assert "Unable to download the media resource" in output["message"]
    assert "https://example.com/clip.mp4" in output["message"]


def test_a_missing_loopback_file_fails_the_task(
    http: httpx.Client, file_server: FileServer
) -> None:
    body = {
        "model": "wan2.1-vace-plus",
        "input": {
            "function": "video_outpainting",
            "prompt": "p",
            "video_url": file_server.base_url + "/no.mp4",
        },
    }
    output = wait(http, submit(http, body).json()["output"]["task_id"])["output"]
    assert output["task_status"] == "FAILED"
    assert "HTTP 404" in output["message"]


def test_local_paths_and_file_urls_resolve(http: httpx.Client, media: Samples) -> None:
    for ref in (str(media.video), media.video.as_uri()):
        body = {
            "model": "wan2.1-vace-plus",
            "input": {"function": "video_outpainting", "prompt": "local", "video_url": ref},
        }
        output = wait(http, submit(http, body).json()["output"]["task_id"])["output"]
        assert output["task_status"] == "SUCCEEDED", output
