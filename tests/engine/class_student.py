"""One student's kernel for the classroom tests, run as its own process with no key:

    python class_student.py '{"db": ..., "person": ..., "home": ..., "bursts": [...]}'

Each burst is ``{"at": seconds after start, "requests": [...], "group": id or null}``. It enqueues
the bursts on time, waits for every task, and prints one JSON line: per task its status, whether
its video arrived in this kernel's cache, and the places in line and ETAs its card showed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from vace_studio.engine import Client, Task


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    client = Client(store=spec["db"], person=spec["person"], home=spec["home"], announce=False)
    seen: dict[str, list[tuple[int, float | None]]] = {}

    def watch(task: Task) -> None:
        if task.position is not None:
            seen.setdefault(task.local_id, []).append((task.position, task.eta))

    tasks: list[Task] = []
    start = time.monotonic()
    for burst in spec["bursts"]:
        await asyncio.sleep(max(0.0, burst["at"] - (time.monotonic() - start)))
        for request in burst["requests"]:
            task = client.enqueue(request, group_id=burst.get("group"))
            task.observe(watch)
            tasks.append(task)
    out = []
    for task in tasks:
        result = await task.wait(spec.get("timeout", 120))
        video = result.video_path
        out.append(
            {
                "local_id": task.local_id,
                "status": result.status,
                "video": bool(video and video.is_file() and video.read_bytes()[4:8] == b"ftyp"),
                "places": seen.get(task.local_id, []),
            }
        )
    await client.aclose()
    client.store.close()
    return {"person": spec["person"], "tasks": out}


if __name__ == "__main__":
    report = asyncio.run(main(json.loads(sys.argv[1])))
    print(json.dumps(report), flush=True)
