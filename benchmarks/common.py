"""What every benchmark shares: percentiles, machine facts and saving results as JSON."""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }


def save(name: str, result: dict[str, Any]) -> Path:
    """Write ``result`` (plus machine facts and a timestamp) to ``results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine()}
    payload.update(result)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"saved {path}")
    return path


def launch_chromium(playwright: Any, folder: Path, viewport: dict[str, int]) -> Any:
    """Debian's Chromium, headless, in a fresh profile under ``folder`` (as the browser tests
    start it: no downloaded browser, no background traffic on this closed network)."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update"]  # fmt: skip
    return playwright.chromium.launch_persistent_context(
        str(folder / "profile"), executable_path=chromium, headless=True, args=args,
        env={**os.environ, "XDG_CONFIG_HOME": str(folder / "profile")}, viewport=viewport,
    )  # fmt: skip
