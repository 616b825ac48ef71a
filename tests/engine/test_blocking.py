"""Blocking helpers for notebook cells and scripts, each in a fresh interpreter (nest-asyncio
patches asyncio process-wide, so it must never leak into the test process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys, json
    from vace_studio.engine import Client, PollPolicy

    def client():
        return Client("dashscope", api_key=sys.argv[4], base_url=sys.argv[1], home=sys.argv[2],
                      poll_policy=PollPolicy(first_check=0.1, min_interval=0.05,
                                             default_expected=1.0))
    request = json.loads(sys.argv[3])

    # A plain script: no loop running.
    import nest_asyncio  # imported, not applied: importing vace_studio must not patch asyncio
    assert not getattr(asyncio, "_nest_patched", False)
    c = client()
    task = c.submit_sync(request)
    assert not getattr(asyncio, "_nest_patched", False), "patched without need"
    print("script", task.result(timeout=60).status, flush=True)

    # A notebook cell: a loop is running and the cell calls the blocking helper.
    async def cell():
        c2 = client()
        t = c2.enqueue({**request, "seed": 2})
        return t.result(timeout=60).status
    print("cell", asyncio.run(cell()), flush=True)
    print("patched", getattr(asyncio, "_nest_patched", False), flush=True)
    """
)


def test_result_blocks_in_scripts_and_inside_a_running_loop(
    requests_for: Any, simulator: Any, media: dict[str, Path], file_server: str, tmp_path: Path
) -> None:
    request = requests_for(media, lambda name: f"{file_server}/{name}")["video_outpainting"]
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            simulator.base_url,
            str(tmp_path),
            json.dumps(request),
            simulator.key("blocking"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")[:3]
    assert lines == ["script succeeded", "cell succeeded", "patched True"]
