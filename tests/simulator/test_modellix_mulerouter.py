"""The simulator's Modellix and MuleRouter protocols over real HTTP: shapes of success, polls,
errors, Modellix media files, and the shared ``/api/v1/tasks/{id}`` told apart by id format."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import owner_client, owner_headers, sim_config
from vace_studio.simulator import FaultConfig, SimulatorHandle, serve
from vace_studio.simulator.render.samples import decode_video
from vace_studio.simulator.samples import FileServer, Samples, make_image

MODELLIX_SUBMIT = "/api/v1/alibaba/wan2.1-vace-plus/async"
MULE = "/vendors/alibaba/v1/wan2.1-vace-plus/generation"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def http(simulator: SimulatorHandle) -> Iterator[httpx.Client]:
    """A client of the shared simulator (Modellix and MuleRouter are unlimited by default)."""
    headers = owner_headers(simulator, "mx")
    with httpx.Client(base_url=simulator.base_url, headers=headers) as c:
        yield c


@pytest.fixture(scope="module")
def video_url(file_server: FileServer, media: Samples) -> str:
    """The sample video, served over http like a provider's input."""
    return file_server.url(media.video)


def request(video_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "function": "video_repainting",
        "prompt": "in watercolour",
        "video_url": video_url,
        "control_condition": "depth",
        **extra,
    }


def poll_until(get: Any, done: set[str], timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = get()
        status = body["data"]["status"] if "data" in body else body["task_info"]["status"]
        if status in done:
            return body
        time.sleep(0.05)
    raise AssertionError("the task did not finish")


# -- Modellix ------------------------------------------------------------------------------------


def test_modellix_submit_and_poll(
    http: httpx.Client, simulator: SimulatorHandle, video_url: str
) -> None:
    response = http.post(MODELLIX_SUBMIT, json=request(video_url))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 0
    assert body["message"] == "success"
    data = body["data"]
    task_id = data["task_id"]
    assert re.fullmatch(r"task-[0-9a-f]{24}", task_id)
    assert data["status"] == "pending"
    assert data["get_result"] == {
        "method": "GET",
        "url": f"{simulator.base_url}/api/v1/tasks/{task_id}",
    }
    done = poll_until(lambda: http.get(f"/api/v1/tasks/{task_id}").json(), {"success", "failed"})
    assert done["code"] == 0
    result = done["data"]
    assert result["status"] == "success"
    assert result["task_id"] == task_id
    assert ISO.match(result["created_at"])
    assert ISO.match(result["updated_at"])
    [resource] = result["result"]["resources"]
    assert resource["type"] == "video"
    assert resource["format"] == "mp4"
    assert (resource["width"], resource["height"]) == (320, 240)
    video = decode_video(http.get(resource["url"]).content)
    assert (video.codec, video.fps, len(video.frames)) == ("h264", 30, 150)
    assert (video.width, video.height) == (320, 240)


def test_modellix_errors_are_code_and_message(
    http: httpx.Client, simulator: SimulatorHandle
) -> None:
    invalid = http.post(MODELLIX_SUBMIT, json={"function": "video_repainting", "prompt": "p"})
    assert invalid.status_code == 400
    assert invalid.json()["code"] == 400
    assert "video_url" in invalid.json()["message"]
    missing = http.get("/api/v1/tasks/task-" + "0123456789abcdef01234567")
    assert missing.status_code == 404
    assert missing.json()["code"] == 404
    anonymous = httpx.post(f"{simulator.base_url}{MODELLIX_SUBMIT}", json={})
    assert anonymous.status_code == 401
    assert set(anonymous.json()) == {"code", "message"}


def test_modellix_and_dashscope_ids_do_not_cross(http: httpx.Client, video_url: str) -> None:
    task_id = http.post(MODELLIX_SUBMIT, json=request(video_url)).json()["data"]["task_id"]
    # A DashScope-shaped id on the shared path is a DashScope poll: UNKNOWN, never this task.
    as_dashscope = http.get("/api/v1/tasks/" + task_id.replace("task-", "")).json()
    assert as_dashscope["output"]["task_status"] == "UNKNOWN"
    cancel = http.post(f"/api/v1/tasks/{task_id}/cancel")
    assert cancel.status_code == 400  # DashScope's route never sees Modellix tasks


def test_modellix_failed_task_is_bare(http: httpx.Client, file_server: FileServer) -> None:
    bad = request(file_server.base_url + "/missing.mp4")
    task_id = http.post(MODELLIX_SUBMIT, json=bad).json()["data"]["task_id"]
    done = poll_until(lambda: http.get(f"/api/v1/tasks/{task_id}").json(), {"success", "failed"})
    # Modellix documents that ``data.error`` is no longer used: a failed task says only this.
    assert done == {
        "code": 0,
        "message": "success",
        "data": {"status": "failed", "task_id": task_id},
    }


def test_modellix_media_upload_serve_and_delete(
    http: httpx.Client, media: Samples, tmp_path: Path
) -> None:
    jpeg = make_image(tmp_path / "ref.jpg")
    for path, kind in ((media.image, "image/png"), (jpeg, "image/jpeg")):
        with path.open("rb") as f:
            response = http.post("/api/v1/media/files", files={"file": (path.name, f)})
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert set(data) == {"file_id", "filename", "size", "type", "url", "created_at"}
        assert data["type"] == kind
        assert data["size"] == path.stat().st_size
        assert httpx.get(data["url"]).content == path.read_bytes()  # public, like a CDN URL
    # An uploaded image works as a task input.
    body = {
        "function": "image_reference",
        "prompt": "p",
        "ref_images_url": [data["url"]],
        "size": "960*960",  # a smaller render than the 1280*720 default
    }
    task_id = http.post(MODELLIX_SUBMIT, json=body).json()["data"]["task_id"]
    done = poll_until(lambda: http.get(f"/api/v1/tasks/{task_id}").json(), {"success", "failed"})
    assert done["data"]["status"] == "success", done
    deleted = http.delete(f"/api/v1/media/files/{data['file_id']}")
    assert deleted.json()["data"]["deleted"] is True
    assert httpx.get(data["url"]).status_code == 404
    assert http.delete(f"/api/v1/media/files/{data['file_id']}").status_code == 404


def test_modellix_media_accepts_images_only(http: httpx.Client, media: Samples) -> None:
    with media.video.open("rb") as f:
        response = http.post("/api/v1/media/files", files={"file": ("clip.mp4", f)})
    assert response.status_code == 400
    assert "Unsupported media type" in response.json()["message"]


def test_modellix_media_is_size_capped() -> None:
    with serve(sim_config(max_media_bytes=1000)) as sim:
        response = httpx.post(
            f"{sim.base_url}/api/v1/media/files",
            headers=owner_headers(sim),
            files={"file": ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 200_000)},
        )
        assert response.status_code == 413
        assert response.json()["code"] == 413
        assert sim.stats().rejected == {"modellix:too_large": 1}


def test_modellix_quota_when_configured_sends_retry_after(media: Samples) -> None:
    from vace_studio.simulator import QuotaConfig

    config = sim_config(
        queue_seconds=5,
        quotas={"modellix": QuotaConfig(max_unfinished=1)},
    )
    body = {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)}
    with (
        serve(config) as sim,
        owner_client(sim, "q") as http,
    ):
        assert http.post(MODELLIX_SUBMIT, json=body).status_code == 200
        refused = http.post(MODELLIX_SUBMIT, json=body)
        assert refused.status_code == 429
        assert refused.json()["code"] == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert int(refused.headers["X-RateLimit-Reset"]) > time.time()


# -- MuleRouter ----------------------------------------------------------------------------------


def test_mulerouter_submit_is_202_with_task_info(http: httpx.Client, video_url: str) -> None:
    response = http.post(MULE, json={"model": "wan2.1-vace-plus", **request(video_url)})
    assert response.status_code == 202
    info = response.json()["task_info"]
    assert info["status"] == "pending"
    assert re.fullmatch(r"[0-9a-f-]{36}", info["id"])
    assert ISO.match(info["created_at"])
    assert info["created_at"] == info["updated_at"]
    pending = http.get(f"{MULE}/{info['id']}").json()
    assert "videos" not in pending
    done = poll_until(lambda: http.get(f"{MULE}/{info['id']}").json(), {"completed", "failed"})
    assert done["task_info"]["status"] == "completed"
    [url] = done["videos"]
    assert http.get(url).headers["content-type"] == "video/mp4"


def test_mulerouter_accepts_its_documented_extras_and_legacy_path(
    http: httpx.Client, video_url: str
) -> None:
    body = {
        "model": "wan2.1-vace-plus",
        "negative_prompt": "blurry",
        "safety_filter": True,
        **request(video_url),
    }
    legacy = "/vendors/alibaba/v1/wan2/video/edit"
    response = http.post(legacy, json=body)
    assert response.status_code == 202
    assert http.get(f"{legacy}/{response.json()['task_info']['id']}").status_code == 200


def test_mulerouter_errors(http: httpx.Client, simulator: SimulatorHandle, video_url: str) -> None:
    no_model = http.post(MULE, json=request(video_url))
    assert no_model.status_code == 400
    assert "model" in no_model.json()["detail"]
    invalid = http.post(
        MULE, json={"model": "wan2.1-vace-plus", "function": "video_edit", "prompt": "p"}
    )
    assert invalid.status_code == 400
    assert set(invalid.json()) == {"code", "title", "detail"}
    assert http.get(f"{MULE}/00000000-0000-0000-0000-000000000000").status_code == 404
    assert httpx.get(f"{simulator.base_url}{MULE}/x").status_code == 401


def test_mulerouter_failed_task_has_error_object(
    http: httpx.Client, simulator: SimulatorHandle, video_url: str
) -> None:
    simulator.set_faults(task_failure_rate=1.0, providers=frozenset({"mulerouter"}))
    try:
        response = http.post(MULE, json={"model": "wan2.1-vace-plus", **request(video_url)})
    finally:
        simulator.set_faults(FaultConfig())
    task_id = response.json()["task_info"]["id"]
    done = poll_until(lambda: http.get(f"{MULE}/{task_id}").json(), {"completed", "failed"})
    error = done["task_info"]["error"]
    assert done["task_info"]["status"] == "failed"
    assert "videos" not in done
    # The documented shape: a generic title, the service's reason inside ``detail``.
    assert error == {
        "code": 3001,
        "title": "Task Execution Error",
        "detail": f"Video edit failed: {FaultConfig().task_failure_message}",
    }
