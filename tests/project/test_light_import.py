"""``import vace_studio`` stays light: the engine, nothing heavier; the request models, and the
pydantic machinery they build, arrive when a request is first checked or a model first named."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("av", "PIL", "numpy", "pandas", "anywidget", "ipywidgets", "starlette", "uvicorn")
# ``import pydantic`` alone is cheap (its names load on access); building a model is not.
MODEL_MACHINERY = ("pydantic.main", "pydantic_core", "vace_studio.requests.base")


def _modules_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return set(json.loads(out.stdout))


def _loaded_after(code: str) -> list[str]:
    return sorted({name.split(".")[0] for name in _modules_after(code)} & set(HEAVY))


def test_import_vace_studio_loads_no_media_widget_or_server_stack() -> None:
    assert _loaded_after("import vace_studio") == []


def test_the_cli_status_command_stays_light() -> None:
    assert _loaded_after("import vace_studio.cli") == []
    assert _modules_after("import vace_studio.cli") & set(MODEL_MACHINERY) == set()


def test_the_heavy_parts_still_arrive_on_first_use() -> None:
    assert {"av", "PIL", "numpy"} <= set(_loaded_after("from vace_studio.media import trim"))
    assert "anywidget" in _loaded_after("from vace_studio import Studio")


def test_the_request_models_load_on_first_use() -> None:
    assert _modules_after("import vace_studio") & set(MODEL_MACHINERY) == set()
    named = _modules_after("import vace_studio\nvace_studio.VideoEdit")
    assert set(MODEL_MACHINERY) <= named
    # A client checks a request with the models, whichever name it was imported by.
    checked = _modules_after(
        "from vace_studio.requests import validate_request\n"
        "validate_request({'function': 'image_reference', 'prompt': 'a cube',"
        " 'ref_images_url': ['https://example.com/a.png']})"
    )
    assert set(MODEL_MACHINERY) <= checked
