"""Problems in the words the person sees on the form: field titles and plain values.

The request checks speak API field names and Python values (``obj_or_bg: may mark at most one
image as the background 'bg' (got ['bg', 'bg'])``) because scripts and the CLI read them next to
the code they wrote. The form labels its controls with the schema's titles and its own checks
write values plainly (``describe`` in ``js/src/form/validate.ts``), so the widget re-words each
problem the same way before showing it: ``Object or background may mark at most one image as the
background "bg" (got "bg", "bg")``. The titles come from the request models, the same place the
form's labels come from; values go through :func:`~vace_studio.requests.problems.plain_value`,
which the browser's ``describe`` mirrors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from vace_studio.media import FIXES
from vace_studio.requests import Problem
from vace_studio.requests.models import MODELS
from vace_studio.requests.problems import plain_shown
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
def _function_titles() -> dict[str, str]:
    return {name: str(model.model_config.get("title") or name) for name, model in MODELS.items()}


@cache
def _pattern(function: str | None) -> re.Pattern[str] | None:
    # Only names that look like API names (with an underscore): "size" or "seed" in a sentence
    # are English words too.
    names = sorted((n for n in _titles(function) if "_" in n), key=len, reverse=True)
    if not names:
        return None
    # Not after "." or a call's "name(": code, such as a helper's arguments, keeps its names.
    return re.compile(
        r"(?<![\w.])(?<!\w\()(" + "|".join(map(re.escape, names)) + r")(?:\[(\d+)\])?(?!\w)"
    )


# A lone API name in parentheses after its description: "a mask video (mask_video_url)". Not a
# helper's argument list, which follows a name: "scale_mask_to_video(mask, video)".
_NAMED = re.compile(r"\s?(?<!\w)\(([a-z]+_[a-z_]+)\)")
# A Python string literal in a sentence: 'tracking', '1280*720' (not the apostrophe of "video's").
_QUOTED = re.compile(r"(?<![\w'])'([^'\s]+)'(?![\w'])")
_FUNCTION = re.compile(r"(?<![\w.(])(" + "|".join(MODELS) + r")(?!\w)")
_GOT = " (got "
# Rules that read on from the field's title as a sentence: "Mask image is required: ...".
_PREDICATE = re.compile(
    r"^(?:(?:is|are|must|may|can|cannot|needs|takes|allows|has|should|does|will)\b|only appl)"
)


def title(field: str, function: str | None) -> str:
    """``ref_images_url[1]`` → ``Reference images, item 2``; unknown names stay as they are."""
    match = _ITEM.match(field)
    name, index = (match["name"], int(match["index"])) if match else (field, None)
    shown = _titles(function).get(name, name)
    return shown if index is None else f"{shown}, item {index + 1}"


def _sentence(text: str, function: str | None) -> str:
    """A rule's words with API names as titles, function names as titles and Python string
    literals in plain quotes; names inside code (a helper's arguments) are left alone."""

    def parenthesised(match: re.Match[str]) -> str:
        shown = title(match.group(1), function)
        # "a mask video (Mask video)" says it twice: the description is enough.
        return "" if shown.lower() in text[: match.start()].lower() else f" ({shown})"

    text = _NAMED.sub(parenthesised, text)
    pattern = _pattern(function)
    if pattern is not None:

        def named(match: re.Match[str]) -> str:
            index = match.group(2)
            return title(match.group(1) + (f"[{index}]" if index else ""), function)

        text = pattern.sub(named, text)
    text = _FUNCTION.sub(lambda m: _function_titles()[m.group(1)], text)
    return _QUOTED.sub(lambda m: f'"{m.group(1)}"', text)


def in_words(message: str, function: str | None, field: str = "") -> str:
    """``message`` as the form says it: ``<field>: <rule> (got <value>)`` becomes ``<Title> <rule>
    (got <plain value>)`` — the field's title, the rule's API names as titles, the value written
    plainly, and no ``(got nothing)`` (a missing value is what "is required" says). ``field``: the
    problem's own field, whose name starts its message (``prompt: ...``) even when it is a plain
    word. A message of another shape keeps its shape, with its names and literals re-worded."""
    head, text = "", message
    if field and message.startswith(f"{field}:"):
        head, text = title(field, function), message[len(field) + 1 :].lstrip()
    got = ""
    if text.endswith(")") and _GOT in text:
        at = text.rindex(_GOT)
        shown = text[at + len(_GOT) : -1]
        # Paths and URLs in full: the person must recognise which file is meant.
        full = shown.startswith("'") and ("/" in shown or "\\" in shown)
        got = "" if shown == "nothing" else f"{_GOT}{plain_shown(shown, full=full)})"
        text = text[:at]
    text = _sentence(text, function)
    if not head:
        return text + got
    joint = " " if _PREDICATE.match(text) else ": "
    return f"{head}{joint}{text}{got}"


def summary(problems: Sequence[Problem], function: str | None) -> str:
    """The one-paragraph text of a refusal (a status line), in the form's words."""
    what = _function_titles().get(function or "", "")
    lines = "\n".join(f"  - {in_words(p.message, function, p.field)}" for p in problems)
    return f"This {what + ' ' if what else ''}request is invalid:\n{lines}"


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
