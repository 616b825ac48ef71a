"""Golden outputs of ``imaging.masks.expand`` for the painter's TypeScript port.

The painter draws the growth live in the browser (``js/src/tools/expand.ts``); these samples,
written by Python, are what ``js/test/tools/expand.test.ts`` compares the port with, so the
painter shows what the kernel's preview and the simulator will use. When ``expand`` changes on
purpose, regenerate them::

    VACE_WRITE_FIXTURES=1 .venv/bin/pytest tests/imaging/test_mask_golden.py
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from tests.helpers import JS_FIXTURES
from vace_studio.imaging import masks

GOLDEN = JS_FIXTURES / "tools" / "expand.json"
W, H = 48, 36


def _shapes() -> dict[str, np.ndarray]:
    yy, xx = np.mgrid[0:H, 0:W]
    box = np.zeros((H, W), bool)
    box[10:20, 12:30] = True
    ell = ((xx + 0.5 - 20) / 9) ** 2 + ((yy + 0.5 - 15) / 6) ** 2 <= 1
    ell_box = ell.copy()
    ell_box[25:33, 35:45] = True
    diagonal = np.abs(xx - yy) <= 1
    edge = np.zeros((H, W), bool)
    edge[0:6, 40:48] = True
    dot = np.zeros((H, W), bool)
    dot[17, 23] = True
    return {"box": box, "ellipse_and_box": ell_box, "diagonal": diagonal, "edge": edge,
            "dot": dot}  # fmt: skip


def _bits(mask: np.ndarray) -> str:
    return "".join("1" if v else "0" for v in mask.ravel())


def samples() -> dict[str, Any]:
    cases = []
    for name, mask in _shapes().items():
        for mode in masks.EXPAND_MODES:
            for ratio in (0.0, 0.05, 0.3, 1.0):
                grown = masks.expand(mask, ratio, mode)
                cases.append({"name": name, "mode": mode, "ratio": ratio,
                              "mask": _bits(mask), "expected": _bits(grown)})  # fmt: skip
    return {"width": W, "height": H, "cases": cases}


def test_golden_samples_for_the_painter_are_current() -> None:
    text = json.dumps(samples()) + "\n"
    if os.environ.get("VACE_WRITE_FIXTURES") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text)
    assert GOLDEN.is_file(), "regenerate with VACE_WRITE_FIXTURES=1 (see the module docstring)"
    assert GOLDEN.read_text() == text, "stale: VACE_WRITE_FIXTURES=1 .venv/bin/pytest " + __file__
