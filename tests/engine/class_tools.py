"""What the classroom tests share: a fast renderer (the simulator's real one costs a second of
CPU per video, and these tests are about queueing), requests that are each distinct, a student's
kernel as a separate process, and workers in-process (fast timing, an account of the simulator
per test) or as the real CLI."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.helpers import FAST_POLLS, FAST_RECONCILE, FAST_RETRY
from vace_studio.engine.settings import key_env
from vace_studio.engine.worker import Worker
from vace_studio.simulator import SimulatorHandle

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42" + bytes(16)
STUDENT = Path(__file__).with_name("class_student.py")


def fast_render(
    request: Mapping[str, Any], inputs: Mapping[str, str], *, out_path_or_file: Path
) -> None:
    """A tiny file that passes the engine's MP4 checks, different for every request."""
    digest = hashlib.sha256(json.dumps(dict(request), sort_keys=True).encode()).digest()
    Path(out_path_or_file).write_bytes(MP4_HEAD + digest)


def cell(image_url: str, person: str, index: int) -> dict[str, Any]:
    """One distinct, valid request (distinct: the simulator counts a repeated one as a
    duplicate)."""
    return {
        "function": "image_reference",
        "prompt": f"{person}'s cube number {index}",
        "ref_images_url": [image_url],
        "size": "960*960",
        "seed": index,
    }


def keyless_env(**extra: str) -> dict[str, str]:
    """This environment without any provider key (what a student's kernel gets)."""
    env = {k: v for k, v in os.environ.items() if k not in set(key_env().values())}
    env.update(extra)
    return env


def start_student(spec: dict[str, Any], log: Path) -> subprocess.Popen[str]:
    """A student's kernel as its own process (see ``class_student.py``); its report is the
    last line of stdout."""
    with log.open("w") as errors:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, str(STUDENT), json.dumps(spec)],
            env=keyless_env(),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )


def start_worker(
    db: str, base_url: str, key: str, home: Path, log: Path, *, lease: float = 1.5
) -> subprocess.Popen[str]:
    """``vace-studio worker`` as its own process, with the key in its environment only."""
    command = [
        sys.executable, "-m", "vace_studio.cli", "--home", str(home), "worker", "--db", db,
        "--provider", "dashscope", "--base-url", base_url, "--heartbeat", str(lease / 5),
        "--lease", str(lease), "--expected-seconds", "0.6", "--list-lag", "2",
    ]  # fmt: skip
    env = keyless_env(DASHSCOPE_API_KEY=key)
    with log.open("w") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)


@asynccontextmanager
async def running_worker(
    db: str, sim: SimulatorHandle, account: str, home: Path, **options: Any
) -> AsyncIterator[Worker]:
    worker = Worker(
        db, "dashscope", api_key=sim.key(account), base_url=sim.base_url, home=home,
        poll_policy=FAST_POLLS, retry=FAST_RETRY, reconcile=FAST_RECONCILE, heartbeat=0.2,
        lease=1.0, look_every=0.05, **options,
    )  # fmt: skip
    job = asyncio.create_task(worker.run())
    # Registered as it starts; the account row is the store's, no event of ours says it.
    while worker.queue.account() is None and not job.done():  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    try:
        yield worker
    finally:
        worker.stop()
        await job
        worker.close()
