"""The base of the five request models: shared fields and the cross-field rule machinery.

Single-field limits (lengths, ranges, enums) are pydantic constraints, so they appear in the JSON
Schema. Rules that relate several fields ("exactly one of", "only with", "same length as") are
written as small checks that return :class:`Rule` violations; all violations of a request are
reported together, each naming its field. What the service accepts but trims or ignores is not a
violation: :meth:`VaceRequest.notices` yields it, and :meth:`VaceRequest.warnings` returns it as
warnings (no I/O).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from vace_studio.requests.fields import (
    PROMPT_MAX,
    PROMPT_TRIMMED,
    NegativePrompt,
    Prompt,
    PromptExtend,
    SafetyFilter,
    Seed,
    Watermark,
)
from vace_studio.requests.media import is_local
from vace_studio.requests.problems import Problem, describe_value

__all__ = ["Rule", "VaceRequest", "describe_value"]


@dataclass(frozen=True)
class Rule:
    """One broken cross-field rule: which field, which rule, and the offending value.

    ``rule`` is the plain-words sentence; ``kind`` a short machine-readable name for it
    (``required``, ``only_with``, ``not_both``, ``same_length``, ``at_most_one_bg``,
    ``at_least_one_of``), which becomes :attr:`Problem.rule`.
    """

    field: str
    rule: str
    value: Any
    kind: str = "rule"
    shown: str | None = None
    """The value as the message shows it, when ``describe_value`` would not say it well."""

    def message(self) -> str:
        shown = self.shown if self.shown is not None else describe_value(self.value)
        return f"{self.field}: {self.rule} (got {shown})"

    def warning(self) -> Problem:
        """This rule as a warning: the service accepts the request and trims or ignores."""
        return Problem(self.field, self.kind, self.value, self.message(), "warning")


class VaceRequest(BaseModel):
    """Fields every function takes. Subclasses add theirs and their rules."""

    # Schemas build on first validation, not on import: `import vace_studio` stays light.
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False, defer_build=True)

    function: str
    prompt: Prompt
    negative_prompt: NegativePrompt = None
    prompt_extend: PromptExtend = None
    seed: Seed = None
    watermark: Watermark = None
    safety_filter: SafetyFilter = None

    MEDIA_FIELDS: ClassVar[tuple[str, ...]] = ()
    """Names of the fields that hold media references (single strings or lists of them)."""

    def rules(self) -> Iterator[Rule]:
        """Yield every cross-field rule this request breaks (none by default)."""
        return iter(())

    def notices(self) -> Iterator[Rule]:
        """Yield what the service accepts but trims or ignores; subclasses add theirs."""
        if len(self.prompt) > PROMPT_MAX:
            shown = f"{len(self.prompt)} characters"
            yield Rule("prompt", PROMPT_TRIMMED, self.prompt, "prompt_truncated", shown)

    def warnings(self) -> list[Problem]:
        """What the service will trim or ignore in this request, as warnings (no I/O).

        Each names the field, the rule and the value, like an error; the request is valid.
        """
        return [notice.warning() for notice in self.notices()]

    @model_validator(mode="after")
    def _check_rules(self) -> Self:
        broken = list(self.rules())
        if broken:
            # One error carrying all violations; ``errors.py`` splits it back per field. The
            # summary goes in through the context, never into the template: a user's URL may
            # contain "{...}", which pydantic would try to fill in.
            raise PydanticCustomError(
                "vace_rule",
                "{summary}",
                {
                    "summary": "; ".join(rule.message() for rule in broken),
                    "rules": [(r.field, r.kind, r.rule, r.value) for r in broken],
                },
            )
        return self

    def media(self) -> dict[str, list[str]]:
        """The media references of this request, by field name (only fields that are set)."""
        found: dict[str, list[str]] = {}
        for name in self.MEDIA_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            found[name] = list(value) if isinstance(value, list | tuple) else [value]
        return found

    def local_media(self) -> list[str]:
        """Local files this request names; the engine uploads them before submitting."""
        return [ref for refs in self.media().values() for ref in refs if is_local(ref)]

    def api_fields(self) -> dict[str, Any]:
        """The fields to send, by their API names: set fields only, ``None`` left out."""
        return self.model_dump(mode="json", exclude_none=True)
