"""Experiment fixtures beyond the shared ones in ``tests/conftest.py``: a cheap request to sweep
over. ``KEY`` is the key ``make_client`` uses, for tests that start their own processes."""

from __future__ import annotations

from typing import Any

import pytest

from vace_studio.simulator.samples import FileServer, Samples

from ..conftest import FAST_POLLS, FAST_RETRY, TEST_KEY

__all__ = ["FAST_POLLS", "FAST_RETRY", "KEY"]

KEY = TEST_KEY


@pytest.fixture
def base_request(media: Samples, file_server: FileServer) -> dict[str, Any]:
    """A cheap valid request to sweep over (no prompt: the sweeps vary it)."""
    return {
        "function": "video_outpainting",
        "video_url": file_server.url(media.video),
        "left_scale": 1.5,
    }
