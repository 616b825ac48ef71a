"""The one error type the browser hears about: :class:`WidgetError`, with a machine ``code``.

Every failed request is answered ``{id, ok: false, error, code, ...}``; :func:`widget_error`
turns whatever a handler raised into a :class:`WidgetError` first, so the reply's shape is decided
in one place. Errors of the widget's own making subclass it and carry their code; errors from
below (an invalid request, a refused upload or key) are translated here; anything else is a bug,
answered as ``internal_error`` and logged with its traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vace_studio.engine import UploadError
from vace_studio.requests import InvalidRequest
from vace_studio.widget import wording
from vace_studio.widget.account import KeyRefusedError


class WidgetError(Exception):
    """A request the kernel cannot serve. ``code`` is for programs (the browser switches on it),
    the text is for people and names what to do."""

    code: str = "internal_error"
    """Each subclass's default; an instance may carry a more precise one."""

    expected: bool = True
    """False for bugs: those are logged with their traceback."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    def reply(self) -> dict[str, Any]:
        """The fields of the ``ok: false`` answer (the ``id`` and ``ok`` are added on sending)."""
        return {"error": str(self), "code": self.code}


class MessageError(WidgetError):
    """A malformed or unanswerable message: a missing field, an unknown kind, task or download."""

    code = "bad_message"


class InvalidInputError(WidgetError):
    """The request does not validate: its problems by field, in the form's words."""

    code = "invalid_request"

    def __init__(self, error: InvalidRequest, content: Mapping[str, Any] | None = None) -> None:
        function = error.function
        super().__init__(wording.summary(error.problems, function))
        request = content.get("request") if content else None
        shown = request if isinstance(request, Mapping) else None
        self.errors = wording.by_field(error.problems, function)
        self.problems = wording.problems_json(error.problems, function, shown)
        self.warnings = wording.problems_json(error.warnings, function, shown)

    def reply(self) -> dict[str, Any]:
        return {
            **super().reply(),
            "errors": self.errors,
            "problems": self.problems,
            "warnings": self.warnings,
        }


class InternalError(WidgetError):
    """A handler crashed: a bug, shown with its exception type."""

    expected = False

    def __init__(self, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")


def widget_error(error: BaseException, content: Mapping[str, Any] | None = None) -> WidgetError:
    """``error`` as the browser will hear it."""
    if isinstance(error, WidgetError):
        return error
    if isinstance(error, InvalidRequest):
        return InvalidInputError(error, content)
    if isinstance(error, UploadError):  # the engine could not stage a file for the provider
        return WidgetError(str(error), "upload_failed")
    if isinstance(error, KeyRefusedError):
        return WidgetError(str(error), "key_refused")
    return InternalError(error)
