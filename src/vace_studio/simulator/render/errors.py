"""The error a render raises when a task's inputs cannot be used."""

from __future__ import annotations


class RenderError(Exception):
    """A task input the renderer cannot use; the simulator fails the task with it.

    ``code`` is a DashScope error code (``"InvalidParameter"`` for every input problem, as the
    service reports them) and ``message`` says which field, which rule and which value.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def invalid(message: str) -> RenderError:
    """Shorthand for ``RenderError("InvalidParameter", message)``."""
    return RenderError("InvalidParameter", message)
