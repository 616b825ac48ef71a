"""The server itself: start/stop, the CLI, introspection, the render cache, and safety (loopback,
size caps, no path traversal, only its own files)."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import ASYNC, owner_client, owner_headers, sim_config
from vace_studio.simulator import SimulatorHandle, serve
from vace_studio.simulator.cli import add_cli, config_from_args, run_cli
from vace_studio.simulator.samples import Samples, make_mask

SUBMIT = "/api/v1/services/aigc/video-generation/video-synthesis"
MULE = "/vendors/alibaba/v1/wan2.1-vace-plus/generation"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorHandle]:
    config = sim_config(
        queue_seconds=0.05, run_seconds=0.05, quotas={}, max_body_bytes=4096, max_upload_bytes=2048
    )
    with serve(config) as handle:
        yield handle


def outpaint(video: str) -> dict[str, Any]:
    return {
        "model": "wan2.1-vace-plus",
        "input": {"function": "video_outpainting", "prompt": "p", "video_url": video},
    }


def finish(http: httpx.Client, task_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        output: dict[str, Any] = http.get(f"/api/v1/tasks/{task_id}").json()["output"]
        if output["task_status"] not in ("PENDING", "RUNNING"):
            return output
        time.sleep(0.03)
    raise AssertionError("the task did not finish")


# -- lifecycle --------------------------------------------------------------------------------


def test_serve_binds_loopback_on_a_free_port_and_stops_cleanly() -> None:
    handle = serve()
    assert handle.host == "127.0.0.1"
    assert handle.port > 0
    assert handle.base_url == f"http://127.0.0.1:{handle.port}"
    owner = {"X-Simulator-Secret": handle.secret}
    assert httpx.get(handle.base_url + "/_simulator/health", headers=owner).json() == {"ok": True}
    data_dir = handle.data_dir
    assert data_dir.is_dir()
    handle.stop()
    handle.stop()  # idempotent
    assert not handle.running
    assert not data_dir.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(handle.base_url + "/_simulator/health")


def test_a_busy_port_is_an_error(sim: SimulatorHandle) -> None:
    with pytest.raises(OSError, match="in use"):
        serve(port=sim.port)


def test_introspection_counts_and_resets(sim: SimulatorHandle, media: Samples) -> None:
    sim.reset()
    with owner_client(sim, "server", **ASYNC) as http:
        for _ in range(2):
            answer = http.post(SUBMIT, json=outpaint(str(media.video)))
            task_id = answer.json()["output"]["task_id"]
        finish(http, task_id)
        stats = http.get("/_simulator/stats").json()
        assert stats["submits"] == {"dashscope": 2}
        assert stats["tasks_created"] == {"dashscope": 2}
        assert stats["duplicate_submits"] == 1
        assert list(stats["fingerprints"].values()) == [2]
        assert stats["polls"]["dashscope"] >= 1
        tasks = http.get("/_simulator/tasks").json()["tasks"]
        assert [t["function"] for t in tasks] == ["video_outpainting"] * 2
        assert sim.secret not in str(stats) + str(tasks)  # accounts are hashes, never keys
        assert http.post("/_simulator/reset").json() == {"ok": True}
        assert http.get("/_simulator/stats").json()["tasks_created"] == {}
        assert http.get(f"/api/v1/tasks/{task_id}").json()["output"]["task_status"] == "UNKNOWN"
        moved = http.post("/_simulator/clock", json={"advance": 60}).json()["now"]
        assert moved == pytest.approx(time.time() + 60, abs=5)
        assert http.post("/_simulator/clock", json={"advance": -1}).status_code == 400
    sim.reset()


def test_identical_tasks_render_once(media: Samples) -> None:
    """The real renderer behind a content-addressed cache: five identical tasks, one render."""
    with serve(sim_config(queue_seconds=0.05, run_seconds=0.05, quotas={})) as real:
        flat = {"function": "video_outpainting", "prompt": "once", "video_url": str(media.video)}
        with owner_client(real) as http:
            answers = [
                http.post(MULE, json={"model": "wan2.1-vace-plus", **flat}) for _ in range(5)
            ]
            ids = [answer.json()["task_info"]["id"] for answer in answers]
            videos = set()
            for task_id in ids:
                deadline = time.monotonic() + 60
                while (body := http.get(f"{MULE}/{task_id}").json())["task_info"]["status"] in (
                    "pending",
                    "processing",
                ):
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
                videos.add(http.get(body["videos"][0]).content)
        stats = real.stats()
        assert stats.renders == 1
        assert stats.render_cache_hits == 4
        assert len(videos) == 1


def test_unusable_inputs_fail_with_the_renderer_message(
    sim: SimulatorHandle, media: Samples, tmp_path: Path
) -> None:
    # An image where a video belongs: the renderer cannot decode it.
    undecodable = outpaint(str(media.image))
    # A 640×480 mask for a 320×240 video: the renderer refuses to guess how it lines up.
    mismatched = {
        "model": "wan2.1-vace-plus",
        "input": {
            "function": "video_edit",
            "prompt": "p",
            "video_url": str(media.video),
            "mask_image_url": str(make_mask(tmp_path / "big-mask.png", 640, 480)),
        },
    }
    with owner_client(sim, "server", **ASYNC) as http:
        for body, field in ((undecodable, "video_url"), (mismatched, "mask_image_url")):
            output = finish(http, http.post(SUBMIT, json=body).json()["output"]["task_id"])
            assert output["task_status"] == "FAILED"
            assert output["code"] == "InvalidParameter"
            assert field in output["message"], output["message"]
            assert "video_url" not in output


# -- CLI --------------------------------------------------------------------------------------


def test_add_cli_and_config_from_args() -> None:
    parser = argparse.ArgumentParser(prog="vace-studio")
    sub = parser.add_subparsers(dest="command")
    add_cli(sub)
    args = parser.parse_args(
        ["simulator", "--port", "0", "--queue-seconds", "0.5", "--run-seconds", "2",
         "--api-key", "a", "--api-key", "b", "--no-quotas", "--faults", '{"throttle_rate": 0.1}']
    )  # fmt: skip
    assert args.run is run_cli
    assert args.host == "127.0.0.1"
    config = config_from_args(args)
    assert (config.queue_seconds, config.run_seconds) == (0.5, 2.0)
    assert config.api_keys == frozenset({"a", "b"})
    assert dict(config.quotas) == {}
    assert config.faults.throttle_rate == 0.1
    assert config.allow_local_files
    exposed = config_from_args(parser.parse_args(["simulator", "--host", "0.0.0.0"]))
    assert not exposed.allow_local_files
    assert run_cli(parser.parse_args(["simulator", "--faults", '{"bad": 1}'])) == 2


def test_python_dash_m_serves_until_terminated() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    child = subprocess.Popen(
        [sys.executable, "-m", "vace_studio.simulator", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.strip() == f"simulator listening on http://127.0.0.1:{port}"
        printed = [child.stdout.readline().strip() for _ in range(4)]
        [secret] = [line.split()[-1] for line in printed if line.startswith("secret:")]
        health = f"http://127.0.0.1:{port}/_simulator/health"
        assert httpx.get(health).status_code == 401  # printed once, for its owner only
        assert httpx.get(health, headers={"X-Simulator-Secret": secret}).status_code == 200
    finally:
        child.terminate()
        _, err = child.communicate(timeout=20)
    assert child.returncode == 0, err


# -- safety -----------------------------------------------------------------------------------


def raw_get(sim: SimulatorHandle, target: str) -> int:
    """Send a request line exactly as written (no client-side path normalisation)."""
    with socket.create_connection((sim.host, sim.port), timeout=5) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        status_line = conn.makefile("rb").readline()
    return int(status_line.split()[1])


@pytest.mark.parametrize(
    "target",
    [
        "/results/../../etc/passwd",
        "/results/%2e%2e/%2e%2e/etc/passwd",
        "/results/..%2F..%2Fetc/passwd.mp4?Expires=9999999999&Signature=x",
        "/media/file-000000000000000000000000/..%2F..%2Fetc%2Fpasswd",
        "/media/../../etc/passwd",
        "/oss/upload/../../etc/passwd",
        "/results/" + "0" * 40 + "/..%2Fx.mp4?Expires=9999999999&Signature=x",
    ],
)
def test_no_path_traversal(sim: SimulatorHandle, target: str) -> None:
    assert raw_get(sim, target) in (400, 403, 404, 405)


def test_only_its_own_files_are_served(sim: SimulatorHandle) -> None:
    forged = f"{sim.base_url}/results/{'a' * 40}/x.mp4?Expires=9999999999&Signature=abc"
    assert httpx.get(forged).status_code == 403
    # Media links are signed too: an unsigned one is refused before anything is looked up.
    assert httpx.get(f"{sim.base_url}/media/file-{'0' * 24}/ref.png").status_code == 403
    assert httpx.get(f"{sim.base_url}/nothing/here").status_code == 404


def test_json_bodies_are_capped(sim: SimulatorHandle) -> None:
    big = {"model": "wan2.1-vace-plus", "input": {"prompt": "x" * 10_000}}
    with owner_client(sim, "server", **ASYNC) as http:
        declared = http.post(SUBMIT, json=big)
        assert declared.status_code == 413
        assert declared.json()["code"] == "RequestTooLarge"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            yield b'{"model": "wan2.1-vace-plus", "input": {"prompt": "'
            yield b"x" * 10_000
            yield b'"}}'

        streamed = http.post(SUBMIT, content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        mule = http.post(MULE, json=big)
        assert mule.status_code == 413
        assert "detail" in mule.json()


def test_uploads_are_capped_oss_style(sim: SimulatorHandle) -> None:
    with owner_client(sim, "server", **ASYNC) as http:
        params = {"action": "getPolicy", "model": "wan2.1-vace-plus"}
        policy = http.get("/api/v1/uploads", params=params).json()["data"]
    form = {
        "OSSAccessKeyId": policy["oss_access_key_id"],
        "Signature": policy["signature"],
        "policy": policy["policy"],
        "key": f"{policy['upload_dir']}/big.bin",
        "success_action_status": "200",
    }
    response = httpx.post(policy["upload_host"], data=form, files={"file": b"0" * 200_000})
    assert response.status_code == 400
    assert b"<Code>EntityTooLarge</Code>" in response.content


def test_local_files_can_be_refused(media: Samples) -> None:
    config = sim_config(
        queue_seconds=0.05,
        run_seconds=0.05,
        allow_local_files=False,
    )
    with (
        serve(config) as strict,
        httpx.Client(
            base_url=strict.base_url, headers=owner_headers(strict, "server", **ASYNC)
        ) as http,
    ):
        task_id = http.post(SUBMIT, json=outpaint(str(media.video))).json()["output"]["task_id"]
        output = finish(http, task_id)
        assert output["task_status"] == "FAILED"
        assert "not allowed" in output["message"]
