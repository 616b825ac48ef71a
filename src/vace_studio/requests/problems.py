"""The one shape of everything a check has to say about a request: :class:`Problem`.

An *error* breaks a rule the service enforces: the request is not sent. A *warning* is something
the service accepts but trims or ignores (a prompt over 800 characters, a 7 s video of which the
first 5 s are used, a mask knob that does not apply): the request may be sent, and the person
should know. Both name the field, the rule and the value, in the same words; a warning may name
the :mod:`vace_studio.media.fixes` helper that removes it (``fix``), so the form can offer a
button.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]
"""``error``: the request must not be sent. ``warning``: it may be; the service trims or ignores."""

_SHOWN_MAX = 80


def describe_value(value: Any) -> str:
    """A short, readable rendering of a user value for error messages."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        shown = value if len(value) <= _SHOWN_MAX else value[: _SHOWN_MAX - 3] + "..."
        return repr(shown)
    if isinstance(value, bytes | bytearray):
        return f"{len(value)} bytes"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple) and len(value) > 3:
        return f"{len(value)} items"
    text = repr(value)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 3] + "..."


_PLAIN_MAX = 60
_PLAIN_ITEMS = 3


def plain_value(value: Any, *, full: bool = False) -> str:
    """A value as the form shows it, in no language's syntax: ``nothing``, ``"a cat"`` (double
    quotes, cut at 60 characters unless ``full``), ``2.5``, ``2`` (not ``2.0``), ``true``, a
    short list's items (``"bg", "bg"``) or ``3 items``.

    The browser's own checks render values the same way (``describe`` in
    ``js/src/form/validate.ts``; ``js/test/fixtures/plain_values.json`` holds samples both
    test), so an error reads alike whichever side found it.
    """
    if value is None or value == "":
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        cut = full or len(value) <= _PLAIN_MAX
        return json.dumps(value if cut else value[: _PLAIN_MAX - 3] + "...", ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        scalars = all(isinstance(v, str | int | float | bool) for v in value)
        if scalars and 0 < len(value) <= _PLAIN_ITEMS:
            return ", ".join(plain_value(v) for v in value)
        return "1 item" if len(value) == 1 else f"{len(value)} items"
    return str(value)


def plain_shown(shown: str, *, full: bool = False) -> str:
    """A value already written out by :func:`describe_value` (Python syntax: ``['bg', 'bg']``,
    ``'a cat'``), re-written by :func:`plain_value`; words (``640×360``, ``2 items``) stay."""
    try:
        value = ast.literal_eval(shown)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return shown
    return plain_value(value, full=full)


@dataclass(frozen=True)
class Problem:
    """One reason a request is invalid (``severity="error"``) or worth a second look
    (``severity="warning"``).

    ``field`` is the API field name (``ref_images_url[1]`` for an item of a list, ``""`` for the
    request as a whole); ``rule`` is a short machine-readable kind such as ``less_than_equal``;
    ``message`` is the full sentence shown to people, starting with the field. ``fix`` names the
    :mod:`vace_studio.media.fixes` helper that repairs the input (``"trim"``,
    ``"binarize_mask"``…), or is ``None`` when there is none.
    """

    field: str
    rule: str
    value: Any
    message: str
    severity: Severity = "error"
    fix: str | None = None

    @property
    def is_error(self) -> bool:
        """True when the request must not be sent."""
        return self.severity == "error"

    def to_json(self) -> dict[str, Any]:
        """``{"field", "rule", "value", "message", "severity", "fix"}``; ``value`` as shown."""
        return {
            "field": self.field,
            "rule": self.rule,
            "value": describe_value(self.value),
            "message": self.message,
            "severity": self.severity,
            "fix": self.fix,
        }


def errors_of(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a request."""
    return [p for p in problems if p.is_error]


def warnings_of(problems: list[Problem]) -> list[Problem]:
    """The problems that only warn."""
    return [p for p in problems if not p.is_error]


class InvalidRequest(ValueError):  # noqa: N818 -- public name, reads as the condition it reports
    """A request broke one or more documented rules; nothing was sent anywhere.

    ``problems`` are the errors (``severity="error"``); ``warnings`` what else was found, for a
    caller that shows everything at once.
    """

    def __init__(
        self, function: str | None, problems: list[Problem], warnings: list[Problem] | None = None
    ) -> None:
        self.function = function
        self.problems = problems
        self.warnings = list(warnings or [])
        what = f"{function} request" if function else "request"
        lines = "\n".join(f"  - {p.message}" for p in problems)
        super().__init__(f"This {what} is invalid:\n{lines}")

    def by_field(self) -> dict[str, str]:
        """Messages keyed by top-level field name (what the form shows next to each control)."""
        out: dict[str, str] = {}
        for problem in self.problems:
            top = problem.field.split("[", 1)[0]
            out[top] = f"{out[top]}; {problem.message}" if top in out else problem.message
        return out
