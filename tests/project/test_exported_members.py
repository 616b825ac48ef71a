"""The public surface, pinned (like httpx's ``tests/test_exported_members.py``).

A rename, a new export or a leaked internal shows up here as a failing test, so it is a decision
someone made, not an accident. One name means one thing: ``enqueue`` returns a waiting task at
once, ``submit`` waits until the provider accepted (or refused) it, on ``Client`` and ``Studio``
alike; ``history`` is a pandas DataFrame wherever it appears.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import vace_studio

EXPORTS = [
    "Client",
    "ImageReference",
    "InvalidRequest",
    "Result",
    "Studio",
    "Sweep",
    "Task",
    "TaskFailed",
    "VideoEdit",
    "VideoExtension",
    "VideoOutpainting",
    "VideoRepainting",
    "__version__",
    "export_run",
    "history",
    "request_schema",
    "rerun",
    "sweep",
    "validate_request",
]

STUDIO = [
    "client",
    "enqueue",
    "history",
    "resume_submissions",
    "snapshot_html",
    "submit",
    "sweep",
    "tasks",
    "track",
]
"""What a notebook calls on a Studio (beyond the anywidget/ipywidgets machinery)."""


def test_the_package_exports_exactly_these() -> None:
    assert vace_studio.__all__ == EXPORTS
    for name in EXPORTS:
        assert getattr(vace_studio, name) is not None, name


def test_the_studio_adds_exactly_these_public_members() -> None:
    import anywidget

    from vace_studio import Studio

    inherited = set(dir(anywidget.AnyWidget))
    own = sorted(
        name
        for name in dir(Studio)
        if not name.startswith("_")
        and name not in inherited
        and not Studio.class_own_traits().get(name)
    )
    assert own == [*STUDIO, "video_chunk_bytes"]


def test_submit_and_enqueue_mean_the_same_on_client_and_studio() -> None:
    from vace_studio import Client, Studio

    for cls in (Client, Studio):
        assert inspect.iscoroutinefunction(cls.submit), cls
        assert not inspect.iscoroutinefunction(cls.enqueue), cls


CLIENT = [
    "aclose",
    "cache_bytes",
    "check",
    "close",
    "context",
    "endpoint",
    "estimate_cost",
    "enqueue",
    "has_key",
    "inspect",
    "lifecycle",
    "next_poll_delay",
    "observe_tasks",
    "owner",
    "paths",
    "person",
    "poll_policy",
    "provider",
    "provider_name",
    "records",
    "resume",
    "resume_submissions",
    "retry",
    "scheduler",
    "set_api_key",
    "settings",
    "shared",
    "simulated",
    "store",
    "submissions_held",
    "submit",
    "submit_sync",
    "task",
    "tasks",
    "timing",
    "transport",
    "uploads",
    "view",
]
"""What a script calls on a Client; ``records`` are store rows, never a DataFrame."""


def test_the_client_has_exactly_these_public_members(tmp_path: Path) -> None:
    from vace_studio import Client

    client = Client("dashscope", api_key="k-pinned", base_url="http://127.0.0.1:9", home=tmp_path)
    try:
        own = sorted(name for name in dir(client) if not name.startswith("_"))
        assert own == sorted(CLIENT)
        assert not hasattr(client, "history")
    finally:
        client.store.close()
