"""The wheel people install carries the front-end bundle, and the layers import only downward."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "src" / "vace_studio"


def test_wheel_contains_the_js_bundle(tmp_path: Path) -> None:
    if not (PACKAGE / "static" / "widget.js").is_file():
        pytest.fail("the bundle is missing: `make` builds it before the tests run")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("vace_studio-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "vace_studio/static/widget.js" in names
    assert "vace_studio/requests/models.py" in names
    assert not any(name.startswith(("js/", "tests/")) for name in names)


# Which top-level parts of the package each layer may import (besides itself).
ALLOWED = {
    "requests": set(),
    "imaging": set(),
    "providers": {"requests"},
    "simulator": {"requests", "imaging"},
    # simulator: only to start it embedded; media: checks and in-memory inputs
    "engine": {"requests", "providers", "simulator", "media"},
    "media": {"requests", "imaging"},
    "widget": {"requests", "providers", "engine", "imaging", "media", "experiments"},
    "experiments": {"requests", "providers", "engine"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("vace_studio.")
        ):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("vace_studio."):
                    found.add(alias.name.split(".")[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layers_import_only_downward(layer: str) -> None:
    folder = PACKAGE / layer
    if not folder.exists():
        pytest.skip(f"{layer} does not exist yet")
    for path in folder.rglob("*.py"):
        # `_version` and `_lazy` are leaf helpers of the package itself, below every layer.
        wrong = _imports(path) - ALLOWED[layer] - {layer, "_version", "_lazy"}
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_engine_touches_the_simulator_only_to_start_it() -> None:
    users = [p.name for p in (PACKAGE / "engine").rglob("*.py") if "simulator" in _imports(p)]
    assert users == ["embedded_simulator.py"]
