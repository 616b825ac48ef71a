"""Problems in the words the person sees on the form: field titles, not API names.

The request checks speak API field names (``video_url: must be at most 5 s (got 6.2 s)``) because
scripts and the CLI read them next to the JSON they wrote. The form labels its controls with the
schema's titles (``Source video``), so the widget re-words each problem before showing it:
``Source video: must be at most 5 s (got 6.2 s)``. The titles come from the request models, the
same place the form's labels come from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from vace_studio.media import FIXES
from vace_studio.requests import Problem
from vace_studio.requests.models import MODELS
from vace_studio.widget.previews import fix_call

_ITEM = re.compile(r"^(?P<name>[a-z_]+)\[(?P<index>\d+)\]")


@cache
def _titles(function: str | None) -> dict[str, str]:
    models = [MODELS[function]] if function in MODELS else list(MODELS.values())
    out: dict[str, str] = {}
    for model in models:
        for name, info in model.model_fields.items():
            if info.title and name not in out:
                out[name] = info.title
    return out


@cache
def _pattern(function: str | None) -> re.Pattern[str] | None:
    # Only names that look like API names (with an underscore): "size" or "seed" in a sentence
    # are English words too.
    names = sorted((n for n in _titles(function) if "_" in n), key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![\w.(])(" + "|".join(map(re.escape, names)) + r")(?:\[(\d+)\])?(?!\w)")


def title(field: str, function: str | None) -> str:
    """``ref_images_url[1]`` → ``Reference images, item 2``; unknown names stay as they are."""
    match = _ITEM.match(field)
    name, index = (match["name"], int(match["index"])) if match else (field, None)
    shown = _titles(function).get(name, name)
    return shown if index is None else f"{shown}, item {index + 1}"


def in_words(message: str, function: str | None, field: str = "") -> str:
    """``message`` with the API field names it mentions replaced by the form's titles (names
    inside code, such as a helper's arguments, are left alone). ``field``: the problem's own
    field, whose name starts its message (``prompt: ...``) even when it is a plain word."""
    if field and message.startswith(f"{field}:"):
        message = title(field, function) + message[len(field) :]
    pattern = _pattern(function)
    if pattern is None:
        return message

    def named(match: re.Match[str]) -> str:
        index = match.group(2)
        return title(match.group(1) + (f"[{index}]" if index else ""), function)

    return pattern.sub(named, message)


def problems_json(
    problems: Iterable[Problem], function: str | None, request: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Each problem as ``{field, title, rule, severity, message, fix, call}``: ``field`` is the
    top-level field (as the form names its controls), ``message`` is in the form's words,
    ``fix``/``call`` the repair helper and the Python line that runs it (``None`` if none)."""
    out = []
    for problem in problems:
        fix = problem.fix or FIXES.get(problem.rule)
        top = problem.field.split("[", 1)[0]
        out.append(
            {
                "field": top,
                "title": title(top, function) if top else "",
                "rule": problem.rule,
                "severity": problem.severity,
                "message": in_words(problem.message, function, problem.field),
                "fix": fix,
                "call": fix_call(fix, problem, request or {}) if fix else None,
            }
        )
    return out


def by_field(problems: Sequence[Problem], function: str | None) -> dict[str, str]:
    """Messages keyed by top-level field name, in the form's words (several joined by "; ")."""
    out: dict[str, str] = {}
    for problem in problems:
        top = problem.field.split("[", 1)[0]
        message = in_words(problem.message, function, problem.field)
        out[top] = f"{out[top]}; {message}" if top in out else message
    return out


def stored_warnings(warnings: Iterable[Mapping[str, Any]], function: str) -> list[dict[str, Any]]:
    """A task record's warnings (``Problem.to_json()`` dicts) for its card, in the form's words."""
    out = []
    for warning in warnings:
        field = str(warning.get("field") or "")
        top = field.split("[", 1)[0]
        out.append(
            {
                "field": top,
                "message": in_words(str(warning.get("message") or ""), function, field),
                "fix": warning.get("fix"),
            }
        )
    return out
