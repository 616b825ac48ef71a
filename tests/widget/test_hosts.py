"""Which host runs the kernel (widget/hosts.py), from what the host leaves in the process."""

from __future__ import annotations

import sys
import types

import pytest

from vace_studio.widget.hosts import COLAB_FIX, HINTS, detect_host


@pytest.fixture
def plain(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("VSCODE_PID", "VSCODE_CWD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.delitem(sys.modules, "marimo", raising=False)
    return monkeypatch


def test_jupyter_is_the_default(plain: pytest.MonkeyPatch) -> None:
    assert detect_host() == "jupyter"


def test_colab_is_known_by_its_module_and_gets_the_one_line_fix(
    plain: pytest.MonkeyPatch,
) -> None:
    plain.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert detect_host() == "colab"
    assert COLAB_FIX in HINTS["colab"]


def test_marimo_counts_only_inside_a_running_notebook(plain: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("marimo")
    fake.running_in_notebook = lambda: False  # type: ignore[attr-defined]
    plain.setitem(sys.modules, "marimo", fake)
    assert detect_host() == "jupyter"  # imported, e.g. by a script, is not running in it
    fake.running_in_notebook = lambda: True  # type: ignore[attr-defined]
    assert detect_host() == "marimo"


def test_vscode_is_known_by_its_environment(plain: pytest.MonkeyPatch) -> None:
    plain.setenv("VSCODE_PID", "1234")
    assert detect_host() == "vscode"
