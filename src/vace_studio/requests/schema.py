"""Validation entry points and the JSON Schema export that drives the widget's forms."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter, ValidationError

from vace_studio.requests.base import VaceRequest
from vace_studio.requests.errors import InvalidRequest, explain
from vace_studio.requests.layout import groups_json
from vace_studio.requests.models import FUNCTIONS, MODELS, Request


@functools.cache
def _adapter() -> TypeAdapter[VaceRequest]:
    # Built on first use (tens of milliseconds of schema building), not on import.
    return TypeAdapter(Request)


def validate_request(data: VaceRequest | Mapping[str, Any]) -> VaceRequest:
    """Check a request against every documented rule and return the model.

    ``data`` is a model (returned as is) or a mapping with a ``function`` key. Raises
    :class:`InvalidRequest`, whose problems each name the field, the rule and the value.
    """
    if isinstance(data, VaceRequest):
        return data
    function = data.get("function") if isinstance(data, Mapping) else None
    name = function if isinstance(function, str) and function in MODELS else None
    try:
        return _adapter().validate_python(data)
    except ValidationError as error:
        raise InvalidRequest(name, explain(error, name)) from None


def _flatten_optional(prop: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, null]`` → ``X``: an optional knob is simply absent from ``required``."""
    branches = prop.get("anyOf")
    if not isinstance(branches, list):
        return prop
    kept = [b for b in branches if b.get("type") != "null"]
    if len(kept) != 1:
        return prop
    flat = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
    flat = {**kept[0], **flat}
    if "x-api-default" in flat:
        flat["default"] = flat.pop("x-api-default")
    return flat


def request_schema() -> dict[str, Any]:
    """The JSON Schema of all five requests, the one description the front end renders.

    Standard JSON Schema (draft 2020-12) with a ``oneOf`` over the five functions and a
    ``discriminator`` on ``function`` (a required ``const`` in each function). Optional fields
    are not in ``required``; where the API documents a default it is the property's ``default``.
    Extensions: ``x-media`` (``"image"`` or ``"video"``) marks media fields, ``x-pairs-with``
    links ``obj_or_bg`` to its images, ``x-pattern-message`` says in words what ``pattern``
    requires, ``x-widget`` and ``x-step`` are rendering hints. ``x-soft`` marks a limit the
    service applies by trimming rather than refusing — ``{"maxLength": 800, "warning": "only the
    first 800 characters are used; ..."}`` on ``prompt``, ``{"maxItems": 3, ...}`` on the reference
    images of image_reference: a longer value is valid, and the form should warn, not refuse.
    ``x-group`` puts every field in one of the groups listed in order at the root as ``x-groups``
    (``{key, title, description, folded}``; ``folded``: starts closed, as "Advanced" does), and
    ``x-order`` is the field's position in its model (the form's order within a group).
    """
    schema = copy.deepcopy(_adapter().json_schema(ref_template="#/$defs/{model}"))
    for definition in schema.get("$defs", {}).values():
        props = definition.get("properties", {})
        for order, (name, prop) in enumerate(list(props.items())):
            props[name] = _flatten_optional(prop)
            # The model's field order, explicit: JSON object order does not survive every trip
            # (sorted fixtures, some serialisers), and the form orders fields within a group by it.
            if name != "function":
                props[name]["x-order"] = order
        # The models default ``function`` so that ``VideoEdit(...)`` needs no tag, but the API
        # requires it, and a discriminator property must be required (OpenAPI).
        if "function" in props:
            props["function"].pop("default", None)
            definition["required"] = ["function", *definition.get("required", [])]
    schema["title"] = "VACE request"
    schema["x-functions"] = list(FUNCTIONS)
    schema["x-groups"] = groups_json()
    return schema
