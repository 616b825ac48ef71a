"""Experiment fixtures beyond the shared ones in ``tests/conftest.py``: a cheap request to sweep
over."""

from __future__ import annotations

from typing import Any

import pytest

from vace_studio.simulator.samples import FileServer, Samples


@pytest.fixture
def base_request(media: Samples, file_server: FileServer) -> dict[str, Any]:
    """A cheap valid request to sweep over (no prompt: the sweeps vary it)."""
    return {
        "function": "video_outpainting",
        "video_url": file_server.url(media.video),
        "left_scale": 1.5,
    }
