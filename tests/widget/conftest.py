"""Fixtures for the widget tests: a recording comm, a studio on a quick simulator of its own
(``studio_simulator``), and a reference image (``kite_png``). The browser tests, which drive the
widget in JupyterLab, have their own fixtures in ``tests/browser/conftest.py``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import comm
import pytest
from comm.base_comm import BaseComm

from tests.helpers import STUDIO_POLLS, STUDIO_RETRY, KitePng, write_png
from vace_studio.engine import Client
from vace_studio.simulator import SimulatorConfig, SimulatorHandle, serve
from vace_studio.widget import Studio


# -- a comm that records what the kernel would send -----------------------------------------
class RecordingComm(BaseComm):
    """Stands in for ipykernel's comm: keeps every message the widget publishes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sent: list[dict[str, Any]] = []
        super().__init__(*args, **kwargs)

    def publish_msg(
        self,
        msg_type: str,
        data: Any = None,
        metadata: Any = None,
        buffers: Any = None,
        **keys: Any,
    ) -> None:
        self.sent.append(
            {"msg_type": msg_type, "data": data, "buffers": [bytes(b) for b in buffers or []]}
        )

    # Helpers for tests -----------------------------------------------------------------
    def custom(self) -> list[tuple[dict[str, Any], list[bytes]]]:
        """The custom messages sent so far: (content, buffers)."""
        return [
            (m["data"]["content"], m["buffers"])
            for m in self.sent
            if m["msg_type"] == "comm_msg" and m["data"].get("method") == "custom"
        ]

    def pushes(self, kind: str) -> list[dict[str, Any]]:
        return [c for c, _ in self.custom() if c.get("kind") == kind and "id" not in c]

    def answer(self, request_id: str) -> tuple[dict[str, Any], list[bytes]] | None:
        for content, buffers in self.custom():
            if content.get("id") == request_id:
                return content, buffers
        return None


@pytest.fixture(autouse=True)
def recording_comms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", RecordingComm)


def comm_of(studio: Studio) -> RecordingComm:
    assert isinstance(studio.comm, RecordingComm)
    return studio.comm


_ids = iter(range(1, 1_000_000))


@pytest.fixture
def ask() -> Any:
    """``await ask(studio, kind, **payload)``: a browser request and its answer."""
    return _ask


async def _ask(
    studio: Studio,
    kind: str,
    buffers: list[bytes] | None = None,
    **payload: Any,
) -> tuple[dict[str, Any], list[bytes]]:
    """Send a request as the browser does and wait (up to 10 s) for its answer."""
    timeout = 10.0
    request_id = f"t-{next(_ids)}"
    studio._handle_custom_msg({"id": request_id, "kind": kind, **payload}, buffers or [])
    deadline = time.monotonic() + timeout
    while (found := comm_of(studio).answer(request_id)) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"no answer to {kind} within {timeout} s")
        await asyncio.sleep(0.01)
    return found


# -- a reference image and a quick simulator ---------------------------------------------------
@pytest.fixture(scope="session")
def kite_png(tmp_path_factory: pytest.TempPathFactory) -> KitePng:
    """A 640×480 PNG reference image, as a file and as the bytes a browser would upload."""
    root = tmp_path_factory.mktemp("kite")
    return KitePng(image=write_png(root / "kite.png"), png_bytes=(root / "kite.png").read_bytes())


@pytest.fixture(scope="session")
def studio_simulator() -> Iterator[SimulatorHandle]:
    """One simulator for every widget test, on a quicker clock than the root ``simulator``."""
    with serve(SimulatorConfig(queue_seconds=0.05, run_seconds=0.15)) as handle:
        yield handle


@pytest.fixture
async def studio(studio_simulator: SimulatorHandle, tmp_path: Path) -> AsyncIterator[Studio]:
    client = Client(
        "simulator",
        api_key=studio_simulator.key(),
        base_url=studio_simulator.base_url,
        home=tmp_path / "home",
        poll_policy=STUDIO_POLLS,
        retry=STUDIO_RETRY,
    )
    widget = Studio(client=client)
    yield widget
    widget.close()
    await client.aclose()
