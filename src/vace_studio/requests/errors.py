"""Plain-words validation errors: each problem names the field, the rule and the value.

pydantic's own messages are precise but terse ("Input should be less than or equal to 2"); a
student should read ``right_scale: must be between 1.0 and 2.0 (got 2.5)``. :func:`explain`
turns a :class:`pydantic.ValidationError` into :class:`Problem` objects, and
:class:`InvalidRequest` carries them (and renders them) for the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from vace_studio.requests.base import describe_value


@dataclass(frozen=True)
class Problem:
    """One reason a request is invalid.

    ``field`` is the API field name (``ref_images_url[1]`` for an item of a list, ``""`` for the
    request as a whole); ``rule`` is a short machine-readable kind such as ``less_than_equal``;
    ``message`` is the full sentence shown to people, starting with the field.
    """

    field: str
    rule: str
    value: Any
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "rule": self.rule,
            "value": describe_value(self.value),
            "message": self.message,
        }


class InvalidRequest(ValueError):
    """A request broke one or more documented rules; nothing was sent anywhere."""

    def __init__(self, function: str | None, problems: list[Problem]) -> None:
        self.function = function
        self.problems = problems
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


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _bounds(ctx: dict[str, Any]) -> str:
    return " and ".join(f"{k} {v}" for k, v in ctx.items())


def _sentence(err: ErrorDetails, function: str | None) -> tuple[str, str]:
    """The rule text for one pydantic error; returns (rule text, shown value)."""
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    shown = describe_value(value)
    match kind:
        case "missing":
            return f"required for {function or 'this function'}", "nothing"
        case "extra_forbidden":
            return f"{function or 'this function'} does not take this field", shown
        case "string_too_short":
            return f"must have at least {_count(ctx['min_length'], 'character')}", shown
        case "string_too_long":
            n = len(value) if isinstance(value, str) else "?"
            return f"must be at most {ctx['max_length']} characters", f"{n} characters"
        case "too_short":
            return f"needs at least {_count(ctx['min_length'], 'item')}", f"{ctx.get('actual_length')}"
        case "too_long":
            return f"takes at most {_count(ctx['max_length'], 'item')}", f"{ctx.get('actual_length')}"
        case "greater_than_equal":
            return f"must be at least {ctx['ge']}", shown
        case "less_than_equal":
            return f"must be at most {ctx['le']}", shown
        case "greater_than" | "less_than":
            return f"must be {kind.replace('_', ' ')} {_bounds(ctx)}", shown
        case "literal_error":
            return f"must be one of {ctx['expected']}", shown
        case "int_parsing" | "int_type" | "int_from_float":
            return "must be a whole number", shown
        case "float_parsing" | "float_type":
            return "must be a number", shown
        case "bool_parsing" | "bool_type":
            return "must be true or false", shown
        case "string_type":
            return "must be text", shown
        case "list_type":
            return "must be a list", shown
        case "union_tag_invalid":
            return f"must be one of {ctx['expected_tags']}", describe_value(ctx.get("tag"))
        case "union_tag_not_found":
            return "say which function this request is for", "nothing"
        case "model_type" | "model_attributes_type" | "dict_type":
            return "a request must be a mapping of field names to values", shown
        case _:
            return err["msg"], shown


def explain(error: ValidationError, function: str | None = None) -> list[Problem]:
    """Turn a pydantic validation error into plain-words problems, one per broken rule."""
    problems: list[Problem] = []
    for err in error.errors(include_url=False):
        loc = err["loc"]
        # Errors inside a discriminated union are located under the model's tag; drop it.
        if loc and isinstance(loc[0], str) and loc[0] == function:
            loc = loc[1:]
        ctx = err.get("ctx", {})
        if err["type"] == "vace_rule":
            for field, rule, value in ctx["rules"]:
                problems.append(
                    Problem(field, "rule", value, f"{field}: {rule} (got {describe_value(value)})")
                )
            continue
        field = _field_name(loc) or ("function" if "union_tag" in err["type"] else "")
        if err["type"].startswith("media_"):
            text, shown = err["msg"], ""
        else:
            text, shown = _sentence(err, function)
        message = f"{field}: {text}" if field else text
        if shown:
            message += f" (got {shown})"
        problems.append(Problem(field, err["type"], err.get("input"), message))
    return problems
