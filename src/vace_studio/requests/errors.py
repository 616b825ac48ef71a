"""Plain-words validation errors: each problem names the field, the rule and the value.

pydantic's own messages are precise but terse ("Input should be less than or equal to 2"); a
student should read ``right_scale: must be between 1.0 and 2.0 (got 2.5)``. Every message has
the shape ``<field>: <rule> (got <value>)``. :func:`explain` turns a
:class:`pydantic.ValidationError` into :class:`Problem` objects, and :class:`InvalidRequest`
carries them (and renders them) for the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from vace_studio.requests.fields import BLANK_PROMPT
from vace_studio.requests.models import MODELS
from vace_studio.requests.problems import InvalidRequest, Problem, describe_value

__all__ = ["InvalidRequest", "explain"]


def _field_name(loc: tuple[int | str, ...]) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        elif not name:
            name = part
        else:
            name += f".{part}"
    return name


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True)
class _Limits:
    """The documented limits of one field, read from its pydantic constraints."""

    low: Any = None
    high: Any = None
    min_len: int | None = None
    max_len: int | None = None


def _limits(function: str | None, field: str) -> _Limits:
    model = MODELS.get(function or "")
    info = model.model_fields.get(field) if model else None
    if info is None:
        return _Limits()
    found: dict[str, Any] = {}
    for meta in info.metadata:
        for attr, key in (("ge", "low"), ("le", "high")):
            if getattr(meta, attr, None) is not None:
                found[key] = getattr(meta, attr)
        for attr, key in (("min_length", "min_len"), ("max_length", "max_len")):
            if getattr(meta, attr, None) is not None:
                found[key] = getattr(meta, attr)
    return _Limits(**found)


def _range(limits: _Limits, kind: str, ctx: dict[str, Any]) -> str:
    if limits.low is not None and limits.high is not None:
        return f"must be between {limits.low} and {limits.high}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    return f"must be at most {ctx['le']}"


def _item_count(limits: _Limits, kind: str, ctx: dict[str, Any]) -> str:
    low, high = limits.min_len, limits.max_len
    if low is not None and high is not None and low != high:
        return f"takes {low} to {_plural(high, 'item')}"
    if kind == "too_short":
        return f"needs at least {_plural(ctx['min_length'], 'item')}"
    return f"takes at most {_plural(ctx['max_length'], 'item')}"


def _choices(expected: str) -> str:
    # pydantic renders the allowed values as "'a', 'b' or 'c'".
    if " or " not in expected:
        return f"can only be {expected}"
    if "," not in expected:
        return f"must be {expected}"
    return f"must be one of {expected}"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _not_taken(function: str | None, field: str) -> str:
    """Why an unknown field is unknown: which functions take it, or what was probably meant."""
    who = function or "this function"
    takers = [name for name, model in MODELS.items() if field in model.model_fields]
    if takers:
        verb = "takes" if len(takers) == 1 else "take"
        return f"{who} does not take this field (only {_and(takers)} {verb} it); leave it out"
    model = MODELS.get(function or "")
    from difflib import get_close_matches  # only when a name is wrong; difflib is not small

    close = get_close_matches(field, list(model.model_fields) if model else [], n=1)
    hint = f"did you mean {close[0]}?" if close else "leave it out"
    return f"{who} has no such field; {hint}"


_FIXED_RULES = {
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float"), "must be a whole number"),
    **dict.fromkeys(("float_parsing", "float_type"), "must be a number"),
    "finite_number": "must be a finite number",
    **dict.fromkeys(("bool_parsing", "bool_type"), "must be true or false"),
    "string_type": "must be text",
    "list_type": "must be a list (put [ ] around a single value)",
    **dict.fromkeys(
        ("model_type", "model_attributes_type", "dict_type"),
        "a request must be a mapping of field names to values",
    ),
}
"""Pydantic error types whose rule reads the same whatever the field and value."""


def _union_sentence(kind: str, value: Any) -> tuple[str, str]:
    names = ", ".join(MODELS)
    if kind == "union_tag_not_found":
        return f"is required: say which function this is, one of {names}", "nothing"
    tag = value.get("function") if isinstance(value, dict) else None
    return f"must be one of {names}", describe_value(tag)


def _text_sentence(err: ErrorDetails, top: str, shown: str) -> tuple[str, str]:
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    if kind == "string_too_short":
        if isinstance(value, str) and not value:
            return "must not be empty", "''"
        return f"must have at least {_plural(ctx['min_length'], 'character')}", shown
    if kind == "string_too_long":
        chars = f"{len(value)} characters" if isinstance(value, str) else shown
        return f"must be at most {ctx['max_length']} characters", chars
    if top == "prompt":
        return BLANK_PROMPT, shown
    return err["msg"], shown


def _sentence(err: ErrorDetails, function: str | None, field: str) -> tuple[str, str]:
    """The rule text for one pydantic error, and the value as shown after "got"."""
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    shown = describe_value(value)
    top = field.split("[", 1)[0]
    if kind in _FIXED_RULES:
        return _FIXED_RULES[kind], shown
    if kind in ("literal_error", "enum"):
        return _choices(str(ctx["expected"])), shown
    match kind:
        case "missing":
            return f"is required for {function or 'this function'}", "nothing"
        case "extra_forbidden":
            return _not_taken(function, top), shown
        case "string_too_short" | "string_too_long" | "string_pattern_mismatch":
            return _text_sentence(err, top, shown)
        case "too_short" | "too_long":
            count = ctx.get("actual_length")
            got = _plural(count, "item") if isinstance(count, int) else shown
            return _item_count(_limits(function, top), kind, ctx), got
        case "greater_than_equal" | "less_than_equal":
            return _range(_limits(function, top), kind, ctx), shown
        case "greater_than" | "less_than":
            bound = ctx.get("gt", ctx.get("lt"))
            return f"must be {kind.replace('_', ' ')} {bound}", shown
        case "union_tag_invalid" | "union_tag_not_found":
            return _union_sentence(kind, value)
        case _:
            # Our own errors (media references, numbers given as true/false) are already plain
            # words; anything else keeps pydantic's sentence.
            return err["msg"], shown


def explain(error: ValidationError, function: str | None = None) -> list[Problem]:
    """Turn a pydantic validation error into plain-words problems, one per broken rule.

    Works on errors from :func:`~vace_studio.requests.validate_request`'s union (located under
    the function's name) and from a model's constructor (``function`` names the model then).
    """
    problems: list[Problem] = []
    for err in error.errors(include_url=False):
        loc, where = err["loc"], function
        # Errors inside the discriminated union are located under the function's name; drop it.
        if loc and isinstance(loc[0], str) and loc[0] in MODELS:
            where, loc = loc[0], loc[1:]
        ctx = err.get("ctx", {})
        if err["type"] == "vace_rule":
            for field, kind, rule, value in ctx["rules"]:
                message = f"{field}: {rule} (got {describe_value(value)})"
                problems.append(Problem(field, kind, value, message))
            continue
        field = _field_name(loc) or ("function" if "union_tag" in err["type"] else "")
        text, shown = _sentence(err, where, field)
        value = err.get("input")
        if err["type"].startswith("union_tag"):
            value = value.get("function") if isinstance(value, dict) else None
        elif err["type"].startswith("media_") and isinstance(value, str):
            shown = repr(value)  # a path or URL in full: the user must recognise it
        message = f"{field}: {text}" if field else text
        problems.append(Problem(field, err["type"], value, f"{message} (got {shown})"))
    return problems
