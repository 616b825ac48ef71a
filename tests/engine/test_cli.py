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
    env = {"DASHSCOPE_API_KEY": "cli-key-123"}

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
    assert Path(final["video"]).is_file()

    status = _cli("status", first["task_id"], home=home)
    assert status.returncode == 0
    assert json.loads(status.stdout)["status"] == "succeeded"

    history = _cli("history", home=home)
    assert history.returncode == 0
    header, row = history.stdout.strip().splitlines()
    assert header.split()[:4] == ["id", "task_id", "function", "status"]
    assert "video_outpainting" in row
    assert "succeeded" in row
    assert "cli-key-123" not in submitted.stdout + submitted.stderr + status.stdout


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
        env={"DASHSCOPE_API_KEY": "k"},
    )
    assert result.returncode == 2
    assert "left_scale: must be between 1.0 and 2.0 (got 3)" in result.stderr
    assert simulator.stats().submits.get("dashscope", 0) == before


def test_unknown_task_id_is_reported(tmp_path: Path) -> None:
    result = _cli("status", "no-such-task", home=tmp_path)
    assert result.returncode == 1
    assert "no task with id no-such-task" in result.stderr
