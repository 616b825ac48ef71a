"""How the form lays a request out: every field belongs to a *group* of fields that mean one thing.

The groups are part of the schema (``x-group`` on each property, the catalog as ``x-groups`` at the
root), so the front end never lists fields: everything about the mask sits together, the knobs
people rarely change fold under "Advanced", and a field added to a model lands in its group by
saying which. Groups are shown in the catalog's order; fields keep the model's order inside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Group:
    """A set of fields shown together: ``title`` is its heading, ``folded`` starts it closed."""

    title: str
    description: str = ""
    folded: bool = False


GROUPS: dict[str, Group] = {
    "prompt": Group("Prompt"),
    "references": Group("Reference images", "The subjects and at most one background."),
    "source": Group("Source"),
    "ends": Group(
        "Start and end",
        "What the video starts from or leads into: give at least one frame or clip.",
    ),
    "mask": Group("Mask", "Which part of the video to edit, and how the mask follows it."),
    "canvas": Group("Canvas", "How far to extend each side of the picture."),
    "control": Group("Control", "What the result keeps from the source video."),
    "motion": Group("Motion", "A video whose motion the result follows (optional)."),
    "reference": Group("Reference"),
    "output": Group("Output"),
    "advanced": Group("Advanced", "Knobs most people leave alone.", folded=True),
}
"""Every group a field may name, in the order the form shows them."""


def group(key: str, **extra: Any) -> dict[str, Any]:
    """``json_schema_extra`` placing a field in group ``key`` (one of :data:`GROUPS`)."""
    if key not in GROUPS:
        raise ValueError(f"unknown form group {key!r} (known: {', '.join(GROUPS)})")
    return {"x-group": key, **extra}


def groups_json() -> list[dict[str, Any]]:
    """The catalog as the schema's ``x-groups``: ``{key, title, description, folded}`` each."""
    return [
        {"key": key, "title": g.title, "description": g.description, "folded": g.folded}
        for key, g in GROUPS.items()
    ]
