"""Which notebook host runs this kernel, and the one line that fixes it where one exists.

The widget works the same everywhere once it renders; what differs is whether it renders at all
(Colab needs its custom widget manager switched on) and how bytes travel (``widget/wire.py``
finds that out by itself, per view). Detection reads only what the host leaves in the process:
a module it imported or an environment variable it set; nothing is imported to find out.
"""

from __future__ import annotations

import os
import sys
from typing import Literal

Host = Literal["colab", "marimo", "vscode", "jupyter"]

COLAB_FIX = "from google.colab import output; output.enable_custom_widget_manager()"
"""Colab shows third-party widgets only with its custom widget manager on
(https://github.com/googlecolab/colabtools/issues/3501 and Colab's own error text)."""

HINTS: dict[Host, str] = {
    "colab": (f"In Colab, run this once, then run the cell again: `{COLAB_FIX}`"),
    "marimo": "In marimo, show the studio as the last expression of a cell: `studio`.",
    "vscode": (
        "In VS Code, install the Jupyter extension's widget support (ipywidgets 8) and reload "
        "the window if the studio stays blank."
    ),
    "jupyter": (
        "If you see this text instead of the studio, the widget's front end did not load: "
        "trust the notebook and run the cell again."
    ),
}
"""What to do when this static text shows instead of the live studio, by host."""


def detect_host() -> Host:
    """The host of this kernel: ``colab``, ``marimo``, ``vscode`` or ``jupyter`` (any other
    Jupyter front end: JupyterLab, Notebook 7, nbclient)."""
    if "google.colab" in sys.modules:
        return "colab"
    marimo = sys.modules.get("marimo")
    if marimo is not None:
        running = getattr(marimo, "running_in_notebook", None)
        if callable(running) and running():
            return "marimo"
    # VS Code's Jupyter extension starts kernels with these set (a VS Code terminal also sets
    # VSCODE_PID, but a kernel started from one is still a VS Code user).
    if "VSCODE_PID" in os.environ or os.environ.get("VSCODE_CWD"):
        return "vscode"
    return "jupyter"
