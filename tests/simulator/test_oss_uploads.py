"""DashScope temporary uploads on the simulator: the upload policy, the OSS form post, and
``oss://`` inputs resolved only with ``X-DashScope-OssResourceResolve: enable``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import owner_client, sim_config
from vace_studio.simulator import SimulatorHandle, serve
from vace_studio.simulator.samples import Samples

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
ASYNC = {"X-DashScope-Async": "enable"}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with serve(sim_config(queue_seconds=0.1, run_seconds=0.1, quotas={})) as handle:
        yield handle


@pytest.fixture
def http(sim: SimulatorHandle) -> Iterator[httpx.Client]:
    with owner_client(sim, "oss") as c:
        yield c


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


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    message: str = body["message"]
    return message


def upload(http: httpx.Client, path: Path, model: str = "wan2.1-vace-plus") -> str:
    """What the SDK does: get a policy, post the OSS form, return the oss:// URL."""
    policy = http.get("/api/v1/uploads", params={"action": "getPolicy", "model": model})
    assert policy.status_code == 200, policy.text
    data = policy.json()["data"]
    key = f"{data['upload_dir']}/{path.name}"
    form = {
        "OSSAccessKeyId": data["oss_access_key_id"],
        "Signature": data["signature"],
        "policy": data["policy"],
        "key": key,
        "x-oss-object-acl": data["x_oss_object_acl"],
        "x-oss-forbid-overwrite": data["x_oss_forbid_overwrite"],
        "success_action_status": "200",
        "x-oss-content-type": "video/mp4",
    }
    with path.open("rb") as f:
        posted = httpx.post(data["upload_host"], data=form, files={"file": f})
    assert posted.status_code == 200, posted.text
    return f"oss://{key}"


def test_upload_policy_shape(http: httpx.Client, sim: SimulatorHandle) -> None:
    data = http.get("/api/v1/uploads", params={"action": "getPolicy", "model": "m"}).json()["data"]
    assert set(data) >= {
        "upload_host", "upload_dir", "policy", "signature", "oss_access_key_id",
        "x_oss_object_acl", "x_oss_forbid_overwrite", "expire_in_seconds", "max_file_size_mb",
    }  # fmt: skip
    assert data["upload_host"] == f"{sim.base_url}/oss/upload"
    assert data["max_file_size_mb"] == 100


def test_an_oss_upload_resolves_only_with_the_resolve_header(
    http: httpx.Client, media: Samples
) -> None:
    url = upload(http, media.video)
    body = {
        "model": "wan2.1-vace-plus",
        "input": {"function": "video_outpainting", "prompt": "oss", "video_url": url},
    }
    refused = submit(http, body)
    assert "X-DashScope-OssResourceResolve" in _error(refused, 400, "InvalidParameter")
    accepted = submit(http, body, **{"X-DashScope-OssResourceResolve": "enable"})
    output = wait(http, accepted.json()["output"]["task_id"])["output"]
    assert output["task_status"] == "SUCCEEDED"


def test_an_upload_is_bound_to_its_model_and_account(
    http: httpx.Client, sim: SimulatorHandle, media: Samples
) -> None:
    url = upload(http, media.video, model="wanx2.1-vace-plus")
    resolve = {**ASYNC, "X-DashScope-OssResourceResolve": "enable"}
    body = {
        "model": "wan2.1-vace-plus",
        "input": {"function": "video_outpainting", "prompt": "oss", "video_url": url},
    }
    output = wait(http, http.post(SUBMIT, json=body, headers=resolve).json()["output"]["task_id"])
    assert output["output"]["task_status"] == "FAILED"
    assert "uploaded for model wanx2.1-vace-plus" in output["output"]["message"]
    with owner_client(sim, "other") as other:
        body["model"] = "wanx2.1-vace-plus"
        task = other.post(SUBMIT, json=body, headers=resolve).json()["output"]["task_id"]
        assert wait(other, task)["output"]["task_status"] == "FAILED"


def test_oss_form_checks_signature_key_and_overwrite(http: httpx.Client, media: Samples) -> None:
    data = http.get("/api/v1/uploads", params={"action": "getPolicy", "model": "m"}).json()["data"]
    form = {
        "OSSAccessKeyId": data["oss_access_key_id"],
        "Signature": data["signature"],
        "policy": data["policy"],
        "key": f"{data['upload_dir']}/a.png",
        "x-oss-forbid-overwrite": "true",
        "success_action_status": "200",
    }
    content = media.image.read_bytes()

    def post(**changes: str) -> httpx.Response:
        return httpx.post(data["upload_host"], data={**form, **changes}, files={"file": content})

    forged = post(Signature="AAAA")
    assert forged.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in forged.content
    outside = post(key="dashscope-instant/elsewhere/a.png")
    assert outside.status_code == 400
    assert b"<Code>InvalidKey</Code>" in outside.content
    assert post().status_code == 200
    again = post()
    assert again.status_code == 409
    assert b"FileAlreadyExists" in again.content


def test_get_policy_needs_action_and_model(http: httpx.Client) -> None:
    _error(http.get("/api/v1/uploads", params={"model": "m"}), 400, "InvalidParameter")
    _error(
        http.get("/api/v1/uploads", params={"action": "getPolicy"}), 400, "BadRequest.EmptyModel"
    )
