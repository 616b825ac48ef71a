"""``import vace_studio`` stays light: the request models and the engine, nothing heavier."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("av", "PIL", "numpy", "pandas", "anywidget", "ipywidgets", "starlette", "uvicorn")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    modules = json.loads(out.stdout)
    return sorted({name.split(".")[0] for name in modules} & set(HEAVY))


def test_import_vace_studio_loads_no_media_widget_or_server_stack() -> None:
    assert _loaded_after("import vace_studio") == []


def test_the_cli_status_command_stays_light() -> None:
    assert _loaded_after("import vace_studio.cli") == []


def test_the_heavy_parts_still_arrive_on_first_use() -> None:
    assert {"av", "PIL", "numpy"} <= set(_loaded_after("from vace_studio.media import trim"))
    assert "anywidget" in _loaded_after("from vace_studio import Studio")
