"""DashScope's quotas per API key, and expiry of result URLs, task ids and uploads."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.helpers import ASYNC, owner_client, sim_config
from vace_studio.simulator import QuotaConfig, SimulatorHandle, serve
from vace_studio.simulator.samples import Samples

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
MULE = "/vendors/alibaba/v1/wan2.1-vace-plus/generation"


def body(media: Samples, seed: int = 0) -> dict[str, Any]:
    return {
        "model": "wan2.1-vace-plus",
        "input": {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)},
        "parameters": {"seed": seed},
    }


def client(sim: SimulatorHandle, account: str) -> httpx.Client:
    return owner_client(sim, account, **ASYNC)


def wait_status(
    http: httpx.Client, task_id: str, wanted: str, timeout: float = 10
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        output: dict[str, Any] = http.get(f"/api/v1/tasks/{task_id}").json()["output"]
        if output["task_status"] == wanted:
            return output
        time.sleep(0.06)  # stays under 20 polls/s
    raise AssertionError(f"task {task_id} never became {wanted}")


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    with serve(sim_config(queue_seconds=0.2, run_seconds=0.2)) as handle:
        yield handle


def test_two_submits_per_second_then_rate_quota(media: Samples) -> None:
    config = sim_config(queue_seconds=5, quotas={"dashscope": QuotaConfig(submits_per_second=2)})
    with serve(config) as fast, client(fast, "rate") as http:
        codes = [http.post(SUBMIT, json=body(media, i)).status_code for i in range(3)]
        assert codes == [200, 200, 429]
        refused = http.post(SUBMIT, json=body(media))
        assert refused.json()["code"] == "Throttling.RateQuota"
        assert "Retry-After" not in refused.headers  # DashScope documents none
        time.sleep(1.05)
        assert http.post(SUBMIT, json=body(media)).status_code == 200
        assert fast.stats().rejected == {"dashscope:quota": 2}


def test_two_unfinished_tasks_then_allocation_quota(media: Samples) -> None:
    config = sim_config(
        queue_seconds=0.4,
        run_seconds=0.1,
        quotas={"dashscope": QuotaConfig(max_unfinished=2)},  # no rate limit: isolate this one
    )
    with serve(config) as alloc, client(alloc, "alloc") as http:
        ids = [http.post(SUBMIT, json=body(media, i)).json()["output"]["task_id"] for i in (1, 2)]
        third = http.post(SUBMIT, json=body(media, 3))
        assert third.status_code == 429
        assert third.json()["code"] == "Throttling.AllocationQuota"
        for task_id in ids:
            wait_status(http, task_id, "SUCCEEDED")
        assert http.post(SUBMIT, json=body(media, 3)).status_code == 200
        assert alloc.stats().peak_unfinished == {next(iter(alloc.stats().peak_unfinished)): 2}


def test_quotas_are_per_key(sim: SimulatorHandle, media: Samples) -> None:
    with client(sim, "a") as a, client(sim, "b") as b:
        for http in (a, b, a, b):
            assert http.post(SUBMIT, json=body(media)).status_code == 200
    assert sorted(sim.stats().peak_unfinished.values()) == [2, 2]


def test_twenty_polls_per_second(sim: SimulatorHandle, media: Samples) -> None:
    with client(sim, "poller") as http:
        codes = [http.get("/api/v1/tasks/x").status_code for _ in range(21)]
        assert codes.count(200) == 20
        assert codes[-1] == 429
        refused = http.get("/api/v1/tasks/x").json()
        assert refused["code"] == "Throttling.RateQuota"
        assert sim.stats().polls == {"dashscope": 20}
    with client(sim, "another") as other:
        assert other.get("/api/v1/tasks/x").status_code == 200


def test_other_providers_are_unlimited_by_default(sim: SimulatorHandle, media: Samples) -> None:
    flat = {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)}
    with client(sim, "mule") as http:
        codes = [
            http.post(MULE, json={"model": "wan2.1-vace-plus", **flat}).status_code
            for _ in range(5)
        ]
    assert codes == [202] * 5


# -- expiry ---------------------------------------------------------------------------------------


def test_result_url_expires_after_result_ttl(sim: SimulatorHandle, media: Samples) -> None:
    with client(sim, "expiry") as http:
        task_id = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
        url = wait_status(http, task_id, "SUCCEEDED")["video_url"]
        expires = int(httpx.URL(url).params["Expires"])
        assert expires == pytest.approx(time.time() + 24 * 3600, abs=30)
        whole = http.get(url).content
        ranged = http.get(url, headers={"Range": "bytes=10-19"})
        assert ranged.status_code == 206
        assert ranged.headers["content-range"] == f"bytes 10-19/{len(whole)}"
        assert ranged.content == whole[10:20]
        forged = http.get(url.replace("Expires=", "Expires=9"))
        assert forged.status_code == 403
        assert b"SignatureDoesNotMatch" in forged.content
        sim.advance_clock(24 * 3600 + 5)
        expired = http.get(url)
        assert expired.status_code == 403
        assert expired.headers["content-type"] == "application/xml"
        assert b"<Code>AccessDenied</Code>" in expired.content
        assert b"Request has expired" in expired.content


def test_task_ids_are_forgotten_after_task_ttl(media: Samples) -> None:
    config = sim_config(queue_seconds=0.05, run_seconds=0.05, quotas={})
    with serve(config) as sim, client(sim, "ttl") as http:
        ds = http.post(SUBMIT, json=body(media)).json()["output"]["task_id"]
        flat = {"function": "video_outpainting", "prompt": "p", "video_url": str(media.video)}
        mx = http.post("/api/v1/alibaba/wan2.1-vace-plus/async", json=flat).json()["data"]
        mule = http.post(MULE, json={"model": "wan2.1-vace-plus", **flat}).json()["task_info"]
        wait_status(http, ds, "SUCCEEDED")
        assert http.get(f"/api/v1/tasks/{mx['task_id']}").status_code == 200
        sim.advance_clock(24 * 3600)
        assert http.get(f"/api/v1/tasks/{ds}").json()["output"]["task_status"] == "UNKNOWN"
        assert http.get(f"/api/v1/tasks/{mx['task_id']}").status_code == 404
        assert http.get(f"{MULE}/{mule['id']}").status_code == 404
        listed = http.get("/api/v1/tasks").json()
        assert listed["total"] == 0


def test_uploads_expire_after_48_hours(media: Samples) -> None:
    config = sim_config(queue_seconds=0.05, run_seconds=0.05, quotas={})
    with serve(config) as sim, client(sim, "up") as http:
        data = http.get(
            "/api/v1/uploads", params={"action": "getPolicy", "model": "wan2.1-vace-plus"}
        )
        policy = data.json()["data"]
        key = f"{policy['upload_dir']}/source.mp4"
        form = {
            "OSSAccessKeyId": policy["oss_access_key_id"],
            "Signature": policy["signature"],
            "policy": policy["policy"],
            "key": key,
            "success_action_status": "200",
        }
        posted = httpx.post(policy["upload_host"], data=form, files={"file": b"\x00" * 10})
        assert posted.status_code == 200
        sim.advance_clock(48 * 3600 + 1)
        late = body(media)
        late["input"]["video_url"] = f"oss://{key}"
        resolve = {"X-DashScope-OssResourceResolve": "enable"}
        task_id = http.post(SUBMIT, json=late, headers=resolve).json()["output"]["task_id"]
        output = wait_status(http, task_id, "FAILED")
        assert "expired" in output["message"]
        # The policy itself lasted 300 s.
        again = httpx.post(
            policy["upload_host"], data={**form, "key": key + "2"}, files={"file": b"1"}
        )
        assert again.status_code == 403
