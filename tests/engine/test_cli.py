"""The `vace-studio` command line, run as a real process against the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def _cli(
    *args: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vace_studio.cli", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_submit_wait_status_and_history(
    requests_for: Any, simulator: Any, media: dict[str, Path], file_server: str, tmp_path: Path
) -> None:
    request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    home = tmp_path / "home"
    env = {"DASHSCOPE_API_KEY": simulator.key("cli")}

    submitted = _cli(
        "submit",
        str(path),
        "--wait",
        "--provider",
        "dashscope",
        "--base-url",
        simulator.base_url,
        home=home,
        env=env,
    )
    assert submitted.returncode == 0, submitted.stderr
    first, final = (json.loads(line) for line in submitted.stdout.strip().splitlines())
    assert first["task_id"]
    assert final["status"] == "succeeded"
    assert Path(final["local_path"]).is_file()

    status = _cli("status", first["task_id"], home=home)
    assert status.returncode == 0
    assert json.loads(status.stdout)["status"] == "succeeded"

    history = _cli("history", home=home)
    assert history.returncode == 0
    header, row = history.stdout.strip().splitlines()
    assert header.split()[:4] == ["local_id", "task_id", "function", "status"]
    assert "video_outpainting" in row
    assert "succeeded" in row
    assert env["DASHSCOPE_API_KEY"] not in submitted.stdout + submitted.stderr + status.stdout


def test_invalid_request_file_is_refused_before_anything_is_sent(
    simulator: Any, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "function": "video_outpainting",
                "prompt": "p",
                "video_url": "https://example.com/v.mp4",
                "left_scale": 3,
            }
        )
    )
    before = simulator.stats().submits.get("dashscope", 0)
    result = _cli(
        "submit",
        str(path),
        "--provider",
        "dashscope",
        "--base-url",
        simulator.base_url,
        home=tmp_path / "home",
        env={"DASHSCOPE_API_KEY": simulator.key("cli")},
    )
    assert result.returncode == 2
    assert "left_scale: must be between 1.0 and 2.0 (got 3)" in result.stderr
    assert simulator.stats().submits.get("dashscope", 0) == before


def test_unknown_task_id_is_reported(tmp_path: Path) -> None:
    result = _cli("status", "no-such-task", home=tmp_path)
    assert result.returncode == 1
    assert "no task with id no-such-task" in result.stderr


# -- an uncertain submit, a held queue ---------------------------------------------------------
def _modellix(
    simulator: Any, request: dict[str, Any], tmp_path: Path, *args: str, home: Path
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    return _cli(
        "submit", str(path), "--provider", "modellix", "--base-url", simulator.base_url, *args,
        home=home, env={"MODELLIX_API_KEY": simulator.key("cli-modellix")},
    )  # fmt: skip


def _lost_submit(
    simulator: Any, request: dict[str, Any], tmp_path: Path, home: Path
) -> tuple[dict[str, Any], str]:
    """Submit to Modellix with the answer dropped after the task was created: exit 3."""
    before = {t["id"] for t in simulator.tasks()}
    simulator.set_faults(drop_after_rate=1.0, routes=frozenset({"submit"}))
    try:
        lost = _modellix(simulator, request, tmp_path, home=home)
    finally:
        simulator.set_faults()
    assert lost.returncode == 3, lost.stderr
    line = json.loads(lost.stdout.strip().splitlines()[-1])
    assert line["status"] == "uncertain"
    assert line["task_id"] is None
    assert "https://modellix.ai/" in line["advice"]
    assert "uncertain:" in lost.stderr
    assert f"vace-studio adopt {line['local_id']} TASK_ID" in lost.stderr
    (created,) = [t["id"] for t in simulator.tasks() if t["id"] not in before]
    return line, created


def test_lost_submit_exits_3_with_advice_then_adopt_finishes_it(
    requests_for: Any, simulator: Any, media: Any, file_server: Any, tmp_path: Path
) -> None:
    request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
    home = tmp_path / "home"
    line, created = _lost_submit(simulator, request, tmp_path, home)

    wrong = _cli("adopt", "no-such-local-id", created, home=home)
    assert wrong.returncode == 2
    assert "no task no-such-local-id" in wrong.stderr

    adopted = _cli(
        "adopt", line["local_id"], created, "--wait", home=home,
        env={"MODELLIX_API_KEY": simulator.key("cli-modellix")},
    )  # fmt: skip
    assert adopted.returncode == 0, adopted.stderr
    first, final = (json.loads(out) for out in adopted.stdout.strip().splitlines())
    assert first["task_id"] == created
    assert final["status"] == "succeeded"
    assert Path(final["local_path"]).is_file()

    again = _cli("adopt", line["local_id"], created, home=home)
    assert again.returncode == 2  # it is settled: nothing to adopt any more
    assert len([t for t in simulator.tasks() if t["id"] == created]) == 1


def test_resubmit_creates_one_new_task_that_replaces_the_lost_one(
    requests_for: Any, simulator: Any, media: Any, file_server: Any, tmp_path: Path
) -> None:
    request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
    home = tmp_path / "home"
    line, created = _lost_submit(simulator, request, tmp_path, home)
    before = {t["id"] for t in simulator.tasks()}

    again = _cli(
        "resubmit",
        line["local_id"],
        home=home,
        env={"MODELLIX_API_KEY": simulator.key("cli-modellix")},
    )
    assert again.returncode == 0, again.stderr
    new = json.loads(again.stdout.strip().splitlines()[-1])
    assert new["replaces"] == line["local_id"]
    assert new["task_id"]
    assert new["task_id"] != created
    assert {t["id"] for t in simulator.tasks()} - before == {new["task_id"]}
    old = json.loads(_cli("status", line["local_id"], home=home).stdout)
    assert old["status"] == "replaced"
    assert old["replaced_by"] == new["local_id"]


def test_a_billing_refusal_exits_1_with_the_code_and_the_fix(
    requests_for: Any, simulator: Any, media: Any, file_server: Any, tmp_path: Path
) -> None:
    request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
    simulator.set_faults(billing={"modellix": "quota_exceeded"})
    try:
        refused = _modellix(simulator, request, tmp_path, home=tmp_path / "home")
    finally:
        simulator.set_faults()
    assert refused.returncode == 1, refused.stderr
    line = json.loads(refused.stdout.strip().splitlines()[-1])
    assert line["status"] == "failed"
    assert line["advice"]
    assert "failed: " in refused.stderr
