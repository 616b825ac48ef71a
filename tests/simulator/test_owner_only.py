"""A second local user: on a shared machine anyone can reach the simulator's loopback port, but
without its per-process secret every route is refused, guessed task ids serve nothing, local files
outside the owner's folders are never read, and signed links end at their expiry."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import ASYNC, owner_client, sim_config
from vace_studio.simulator import SimulatorHandle, serve
from vace_studio.simulator.render.samples import decode_video
from vace_studio.simulator.samples import Samples

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
MODELLIX = "/api/v1/alibaba/wan2.1-vace-plus/async"
MULE = "/vendors/alibaba/v1/wan2.1-vace-plus/generation"
HOSTNAME = Path("/etc/hostname")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    with serve(sim_config(queue_seconds=0.05, run_seconds=0.05, quotas={})) as handle:
        yield handle


def outpaint(video: str) -> dict[str, Any]:
    return {
        "model": "wan2.1-vace-plus",
        "input": {"function": "video_outpainting", "prompt": "p", "video_url": video},
        "parameters": {"left_scale": 1.5},
    }


def finish(http: httpx.Client, task_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        output: dict[str, Any] = http.get(f"/api/v1/tasks/{task_id}").json()["output"]
        if output["task_status"] not in ("PENDING", "RUNNING"):
            return output
        time.sleep(0.03)
    raise AssertionError("the task did not finish")


def finished_task(sim: SimulatorHandle, media: Samples) -> tuple[str, str]:
    """(task id, signed result URL) of a task the owner ran."""
    with owner_client(sim, "owner", **ASYNC) as http:
        task_id = http.post(SUBMIT, json=outpaint(str(media.video))).json()["output"]["task_id"]
        output = finish(http, task_id)
    assert output["task_status"] == "SUCCEEDED", output
    return task_id, str(output["video_url"])


GUESSES = ["", "Bearer x", "Bearer simulator-key", "Bearer sk-0123456789abcdef", "Basic eA=="]


@pytest.mark.parametrize("authorization", GUESSES)
def test_without_the_secret_every_route_is_refused(
    sim: SimulatorHandle, media: Samples, authorization: str
) -> None:
    task_id, video_url = finished_task(sim, media)
    media_id = "file-" + "0" * 24
    headers = {"Authorization": authorization, "X-DashScope-Async": "enable"}
    with httpx.Client(base_url=sim.base_url, headers=headers) as stranger:
        provider_routes = [
            stranger.post(SUBMIT, json=outpaint(str(media.video))),
            stranger.get(f"/api/v1/tasks/{task_id}"),
            stranger.get("/api/v1/tasks"),
            stranger.post(f"/api/v1/tasks/{task_id}/cancel"),
            stranger.get("/api/v1/uploads", params={"action": "getPolicy", "model": "m"}),
            stranger.post(MODELLIX, json={"function": "video_outpainting", "prompt": "p"}),
            stranger.get("/api/v1/tasks/task-" + "0" * 24),
            stranger.post("/api/v1/media/files", files={"file": ("a.png", b"\x89PNG\r\n\x1a\n")}),
            stranger.delete(f"/api/v1/media/files/{media_id}"),
            stranger.post(MULE, json={"model": "wan2.1-vace-plus", "prompt": "p"}),
            stranger.get(f"{MULE}/{task_id}"),
        ]
        # The providers' documented auth errors: DashScope InvalidApiKey, Modellix and
        # MuleRouter a 401 in their own shapes.
        assert [r.status_code for r in provider_routes] == [401] * len(provider_routes)
        assert provider_routes[0].json()["code"] == "InvalidApiKey"
        assert provider_routes[5].json()["code"] == 401
        assert provider_routes[9].json()["title"] == "Unauthorized"
        # Links the owner was not given: an OSS post without a signed policy, a result without
        # its signature, a media file without one.
        unsigned_result = video_url.split("?", 1)[0]
        links = [
            stranger.post("/oss/upload", files={"file": ("a.mp4", b"x")}, data={"key": "k"}),
            stranger.get(unsigned_result),
            stranger.get(f"/media/{media_id}/a.png"),
        ]
        assert [r.status_code for r in links] == [403] * len(links)
        for path in ("health", "stats", "tasks", "faults"):
            assert stranger.get(f"/_simulator/{path}").status_code == 401, path
        for path, body in (("faults", {"throttle_rate": 1}), ("reset", {}), ("clock", {})):
            assert stranger.post(f"/_simulator/{path}", json=body).status_code == 401, path
        wrong = stranger.get("/_simulator/tasks", headers={"X-Simulator-Secret": "guess"})
        assert wrong.status_code == 401
    # Nothing the stranger sent created, cancelled or changed anything.
    assert [t["id"] for t in sim.tasks() if t["status"] != "succeeded"] == []
    assert sim.faults.throttle_rate == 0
    with owner_client(sim, "owner") as owner:
        assert owner.get(f"/api/v1/tasks/{task_id}").json()["output"]["task_status"] == "SUCCEEDED"
        assert owner.get("/_simulator/health").json() == {"ok": True}
    secret_header = {"X-Simulator-Secret": sim.secret}
    assert httpx.get(f"{sim.base_url}/_simulator/health", headers=secret_header).status_code == 200


def test_a_guessed_or_foreign_task_id_serves_nothing(sim: SimulatorHandle, media: Samples) -> None:
    task_id, _ = finished_task(sim, media)
    with owner_client(sim, "someone-else", **ASYNC) as other:
        for guess in (task_id, "00000000-0000-0000-0000-000000000000", "../../etc/hostname"):
            answer = other.get(f"/api/v1/tasks/{guess}")
            assert answer.status_code in (200, 404)
            assert "video_url" not in answer.text
            assert other.get(f"{MULE}/{guess}").status_code == 404
        assert other.post(f"/api/v1/tasks/{task_id}/cancel").status_code == 400
        assert other.get("/api/v1/tasks").json()["data"] == []


@pytest.mark.parametrize(
    "reference",
    [HOSTNAME.as_uri(), str(HOSTNAME), "/etc/../etc/hostname", "file://localhost/etc/passwd"],
)
def test_a_local_file_outside_the_owners_folders_is_never_read(
    sim: SimulatorHandle, reference: str
) -> None:
    with owner_client(sim, "owner", **ASYNC) as http:
        body = outpaint(reference)
        answer = http.post(SUBMIT, json=body)
        assert answer.status_code == 200, answer.text
        output = finish(http, answer.json()["output"]["task_id"])
    # Failed the way the service fails an input URL it cannot download; no result exists.
    assert output["task_status"] == "FAILED"
    assert output["code"] == "InvalidParameter.DataInspection"
    assert "video_url" not in output
    if HOSTNAME.is_file():
        assert HOSTNAME.read_text().strip() not in output["message"]


def test_a_link_out_of_the_folders_is_not_followed(
    sim: SimulatorHandle, media: Samples, tmp_path: Path
) -> None:
    """A symlink inside a permitted folder pointing outside it is refused; the same file reached
    through the permitted folder itself works (resolve first, then check containment)."""
    link = tmp_path / "innocent.mp4"
    link.symlink_to(HOSTNAME)
    inside = tmp_path / "copy.mp4"
    inside.symlink_to(media.video)
    with owner_client(sim, "owner", **ASYNC) as http:
        refused = finish(
            http, http.post(SUBMIT, json=outpaint(str(link))).json()["output"]["task_id"]
        )
        allowed = finish(
            http, http.post(SUBMIT, json=outpaint(str(inside))).json()["output"]["task_id"]
        )
    assert refused["task_status"] == "FAILED"
    assert allowed["task_status"] == "SUCCEEDED"
    with httpx.Client() as plain:
        video = plain.get(allowed["video_url"])
    assert video.status_code == 200
    assert decode_video(video.content).frames  # a real video of the permitted input


def test_a_signed_result_link_ends_at_its_expiry_and_with_a_tampered_signature(
    media: Samples,
) -> None:
    config = sim_config(queue_seconds=0.05, run_seconds=0.05, quotas={}, result_ttl=60)
    with serve(config) as sim:
        _, video_url = finished_task(sim, media)
        assert httpx.get(video_url).status_code == 200
        base, _, query = video_url.partition("?")
        params = dict(part.split("=", 1) for part in query.split("&"))
        tampered = {**params, "Signature": "A" + params["Signature"][1:]}
        if tampered["Signature"] == params["Signature"]:
            tampered["Signature"] = "B" + params["Signature"][1:]
        stretched = {**params, "Expires": str(int(params["Expires"]) + 3600)}
        for changed in (tampered, stretched):
            link = base + "?" + "&".join(f"{k}={v}" for k, v in changed.items())
            answer = httpx.get(link)
            assert answer.status_code == 403
            assert b"SignatureDoesNotMatch" in answer.content
        sim.advance_clock(61)
        expired = httpx.get(video_url)
        assert expired.status_code == 403
        assert b"AccessDenied" in expired.content
