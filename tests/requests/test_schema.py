"""The JSON Schema export the front end renders its forms from.

The committed copy ``tests/fixtures/request_schema.json`` must equal the export byte for byte, so
the front end's tests never drift from the models. After changing a model, regenerate it with::

    .venv/bin/python -c "import json; from vace_studio.requests import request_schema; \\
        open('tests/fixtures/request_schema.json', 'w').write( \\
        json.dumps(request_schema(), indent=2, sort_keys=True) + '\\n')"
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import FIXTURES
from vace_studio.requests import FUNCTIONS, MODELS, request_schema
from vace_studio.requests.fields import SEED_MAX, SIZES
from vace_studio.requests.layout import GROUPS, group

FIXTURE = FIXTURES / "request_schema.json"

DEFS = {
    "image_reference": "ImageReference",
    "video_repainting": "VideoRepainting",
    "video_edit": "VideoEdit",
    "video_extension": "VideoExtension",
    "video_outpainting": "VideoOutpainting",
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    exported: dict[str, Any] = request_schema()
    return exported


def props(schema: dict[str, Any], function: str) -> dict[str, Any]:
    result: dict[str, Any] = schema["$defs"][DEFS[function]]["properties"]
    return result


def walk(node: Any) -> Any:
    """Every dict nested in ``node``."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_fixture_is_the_current_export(schema: dict[str, Any]) -> None:
    expected = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    assert FIXTURE.read_text(encoding="utf-8") == expected, (
        "tests/fixtures/request_schema.json is stale; regenerate it (see this module's docstring)"
    )


def test_export_is_json_and_stable(schema: dict[str, Any]) -> None:
    assert json.loads(json.dumps(schema)) == schema
    assert request_schema() == schema
    request_schema()["$defs"]["VideoEdit"]["properties"].clear()  # a copy: callers may edit it
    assert request_schema() == schema


def test_all_five_functions(schema: dict[str, Any]) -> None:
    assert schema["x-functions"] == list(FUNCTIONS)
    assert [branch["$ref"] for branch in schema["oneOf"]] == [
        f"#/$defs/{DEFS[f]}" for f in FUNCTIONS
    ]
    assert schema["discriminator"] == {
        "propertyName": "function",
        "mapping": {f: f"#/$defs/{DEFS[f]}" for f in FUNCTIONS},
    }
    for function in FUNCTIONS:
        definition = schema["$defs"][DEFS[function]]
        assert definition["properties"]["function"] == {
            "const": function,
            "title": "Function",
            "type": "string",
        }
        assert definition["additionalProperties"] is False
        assert definition["type"] == "object"
        assert definition["title"] == function.replace("_", " ").capitalize()
        assert definition["description"]
        assert "``" not in definition["description"]  # shown as is in the form


def test_properties_are_exactly_the_model_fields(schema: dict[str, Any]) -> None:
    for function, model in MODELS.items():
        assert list(props(schema, function)) == list(model.model_fields)


@pytest.mark.parametrize(
    ("function", "required"),
    [
        ("image_reference", ["function", "prompt", "ref_images_url"]),
        ("video_repainting", ["function", "prompt", "video_url", "control_condition"]),
        ("video_edit", ["function", "prompt", "video_url"]),
        ("video_extension", ["function", "prompt"]),
        ("video_outpainting", ["function", "prompt", "video_url"]),
    ],
)
def test_required_lists(schema: dict[str, Any], function: str, required: list[str]) -> None:
    assert schema["$defs"][DEFS[function]]["required"] == required


@pytest.mark.parametrize("function", FUNCTIONS)
def test_common_constraints(schema: dict[str, Any], function: str) -> None:
    p = props(schema, function)
    assert p["prompt"]["type"] == "string"
    assert p["prompt"]["minLength"] == 1
    # Over 800 characters is valid (the service cuts it off): a soft limit, not maxLength.
    assert "maxLength" not in p["prompt"]
    assert p["prompt"]["x-soft"] == {
        "maxLength": 800,
        "warning": "only the first 800 characters are used; the rest is cut off",
    }
    assert p["prompt"]["pattern"] == r"\S"
    assert p["prompt"]["x-widget"] == "textarea"
    assert p["prompt"]["x-pattern-message"] == "must contain some text, not only spaces"
    assert p["seed"] == {**p["seed"], "type": "integer", "minimum": 0, "maximum": SEED_MAX}
    assert "default" not in p["seed"]  # random unless given
    assert p["prompt_extend"]["type"] == "boolean"
    assert p["prompt_extend"]["default"] is True
    assert p["watermark"]["type"] == "boolean"
    assert p["watermark"]["default"] is False
    assert p["negative_prompt"] == {**p["negative_prompt"], "type": "string", "maxLength": 500}
    assert "default" not in p["negative_prompt"]
    assert p["safety_filter"]["type"] == "boolean"
    assert p["safety_filter"]["default"] is True
    assert "MuleRouter" in p["safety_filter"]["description"]


@pytest.mark.parametrize(
    ("function", "field", "expected"),
    [
        ("image_reference", "ref_images_url", {"type": "array", "minItems": 1}),
        ("video_repainting", "ref_images_url", {"type": "array", "maxItems": 1}),
        ("video_edit", "ref_images_url", {"type": "array", "maxItems": 1}),
        ("image_reference", "obj_or_bg", {"type": "array", "minItems": 1}),
        ("video_repainting", "strength", {"type": "number", "minimum": 0.0, "maximum": 1.0}),
        ("video_edit", "mask_frame_id", {"type": "integer", "minimum": 1}),
        ("video_edit", "expand_ratio", {"type": "number", "minimum": 0.0, "maximum": 1.0}),
        ("video_edit", "mask_type", {"type": "string", "enum": ["tracking", "fixed"]}),
        ("video_edit", "expand_mode", {"type": "string", "enum": ["hull", "bbox", "original"]}),
        ("video_outpainting", "top_scale", {"type": "number", "minimum": 1.0, "maximum": 2.0}),
        ("video_outpainting", "bottom_scale", {"type": "number", "minimum": 1.0, "maximum": 2.0}),
        ("video_outpainting", "left_scale", {"type": "number", "minimum": 1.0, "maximum": 2.0}),
        ("video_outpainting", "right_scale", {"type": "number", "minimum": 1.0, "maximum": 2.0}),
        ("image_reference", "size", {"type": "string", "enum": list(SIZES)}),
        ("video_edit", "size", {"type": "string", "enum": list(SIZES)}),
        (
            "video_repainting",
            "control_condition",
            {"type": "string", "enum": ["posebodyface", "posebody", "depth", "scribble"]},
        ),
        ("video_edit", "control_condition", {"type": "string", "enum": ["posebodyface", "depth"]}),
        (
            "video_extension",
            "control_condition",
            {"type": "string", "enum": ["posebodyface", "depth"]},
        ),
        *(
            (f, "duration", {"type": "integer", "const": 5})
            for f in ("image_reference", "video_edit", "video_extension", "video_outpainting")
        ),
    ],
)
def test_field_constraints(
    schema: dict[str, Any], function: str, field: str, expected: dict[str, Any]
) -> None:
    prop = props(schema, function)[field]
    assert {key: prop.get(key) for key in expected} == expected
    if "maxItems" not in expected:
        assert "maxItems" not in prop
    assert prop["title"]
    assert prop["description"]


def test_soft_limits_are_marked_not_enforced(schema: dict[str, Any]) -> None:
    """What the service trims is valid: the schema says where trimming starts, in x-soft."""
    soft = {
        (definition, name): prop["x-soft"]
        for definition, body in schema["$defs"].items()
        for name, prop in body.get("properties", {}).items()
        if "x-soft" in prop
    }
    refs = "only the first 3 reference images are used"
    assert soft == {
        **{
            (DEFS[f], "prompt"): {
                "maxLength": 800,
                "warning": "only the first 800 characters are used; the rest is cut off",
            }
            for f in FUNCTIONS
        },
        ("ImageReference", "ref_images_url"): {"maxItems": 3, "warning": refs},
        ("ImageReference", "obj_or_bg"): {"maxItems": 3, "warning": refs},
    }
    for (definition, name), limit in soft.items():
        prop = schema["$defs"][definition]["properties"][name]
        for keyword in limit.keys() - {"warning"}:
            assert keyword not in prop, (definition, name)


def test_obj_or_bg_items_and_pairing(schema: dict[str, Any]) -> None:
    roles = props(schema, "image_reference")["obj_or_bg"]
    assert roles["items"] == {"type": "string", "enum": ["obj", "bg"]}
    assert roles["x-pairs-with"] == "ref_images_url"


@pytest.mark.parametrize(
    ("function", "field", "default"),
    [
        *((f, "prompt_extend", True) for f in FUNCTIONS),
        *((f, "watermark", False) for f in FUNCTIONS),
        *((f, "safety_filter", True) for f in FUNCTIONS),
        ("image_reference", "size", "1280*720"),
        ("video_edit", "size", "1280*720"),
        ("video_repainting", "strength", 1.0),
        ("video_edit", "mask_type", "tracking"),
        ("video_edit", "expand_ratio", 0.05),
        ("video_edit", "expand_mode", "hull"),
        ("video_edit", "mask_frame_id", 1),
        *(
            ("video_outpainting", side, 1.0)
            for side in ("top_scale", "bottom_scale", "left_scale", "right_scale")
        ),
        *(
            (f, "duration", 5)
            for f in ("image_reference", "video_edit", "video_extension", "video_outpainting")
        ),
    ],
)
def test_documented_defaults(
    schema: dict[str, Any], function: str, field: str, default: Any
) -> None:
    value = props(schema, function)[field]["default"]
    assert value == default
    assert type(value) is type(default)


def test_only_documented_defaults(schema: dict[str, Any]) -> None:
    """Fields without a documented default have none: the form must not invent one."""
    no_default = {
        "prompt",
        "negative_prompt",
        "seed",
        "ref_images_url",
        "obj_or_bg",
        "video_url",
        "control_condition",
        "mask_image_url",
        "mask_video_url",
        "first_frame_url",
        "last_frame_url",
        "first_clip_url",
        "last_clip_url",
        "function",
    }
    for function in FUNCTIONS:
        for name, prop in props(schema, function).items():
            assert ("default" in prop) is (name not in no_default), (function, name)


MEDIA = {
    "ref_images_url": "image",
    "mask_image_url": "image",
    "first_frame_url": "image",
    "last_frame_url": "image",
    "video_url": "video",
    "mask_video_url": "video",
    "first_clip_url": "video",
    "last_clip_url": "video",
}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_media_fields_are_marked(schema: dict[str, Any], function: str) -> None:
    for name, prop in props(schema, function).items():
        node = prop["items"] if prop.get("type") == "array" else prop
        if name in MEDIA:
            assert node["x-media"] == MEDIA[name], (function, name)
            assert node["type"] == "string"
        else:
            assert "x-media" not in node, (function, name)
    assert {n for n in props(schema, function) if n in MEDIA} == set(MODELS[function].MEDIA_FIELDS)


def test_no_nullable_unions_left(schema: dict[str, Any]) -> None:
    for node in walk(schema["$defs"]):
        assert "anyOf" not in node, node
        kinds = node.get("type", [])
        assert "null" not in (kinds if isinstance(kinds, list) else [kinds]), node
        assert node.get("default", "unset") is not None, node
        assert "x-api-default" not in node, node


def test_every_ref_resolves(schema: dict[str, Any]) -> None:
    for node in walk(schema):
        ref = node.get("$ref")
        if ref is not None:
            assert ref.startswith("#/$defs/")
            assert ref.removeprefix("#/$defs/") in schema["$defs"]


def test_defaults_and_examples_validate() -> None:
    """A request filled with every documented default is itself valid."""
    from vace_studio.requests import validate_request

    schema = request_schema()
    fills: dict[str, dict[str, Any]] = {
        "image_reference": {"ref_images_url": ["https://a.com/c.png"]},
        "video_repainting": {"video_url": "https://a.com/v.mp4", "control_condition": "depth"},
        "video_edit": {"video_url": "https://a.com/v.mp4", "mask_image_url": "https://a.com/m.png"},
        "video_extension": {"first_frame_url": "https://a.com/f.png"},
        "video_outpainting": {"video_url": "https://a.com/v.mp4"},
    }
    for function in FUNCTIONS:
        defaults = {
            name: prop["default"]
            for name, prop in props(schema, function).items()
            if "default" in prop
        }
        request = validate_request(
            {"function": function, "prompt": "p", **fills[function], **defaults}
        )
        assert request.api_fields() == {
            "function": function,
            "prompt": "p",
            **fills[function],
            **defaults,
        }


def test_every_field_of_every_function_has_a_known_group(schema: dict[str, Any]) -> None:
    # The form lays fields out by group only (no field list in TypeScript): a field without one
    # would have no place on the form.
    known = [g["key"] for g in schema["x-groups"]]
    assert known == list(GROUPS)
    for function in FUNCTIONS:
        for name, prop in props(schema, function).items():
            if name == "function":
                continue
            assert prop.get("x-group") in known, f"{function}.{name} has no form group"


def test_groups_read_as_the_form_shows_them(schema: dict[str, Any]) -> None:
    by_group: dict[str, list[str]] = {}
    for name, prop in props(schema, "video_edit").items():
        if name != "function":
            by_group.setdefault(prop["x-group"], []).append(name)
    assert by_group["mask"] == [
        "mask_image_url", "mask_video_url", "mask_frame_id", "mask_type", "expand_ratio",
        "expand_mode",
    ]  # fmt: skip
    # The rarely changed knobs fold away, in every function.
    for function in FUNCTIONS:
        p = props(schema, function)
        for knob in ("seed", "watermark", "prompt_extend", "negative_prompt", "safety_filter"):
            assert p[knob]["x-group"] == "advanced"
        if "duration" in p:
            assert p["duration"]["x-group"] == "advanced"
    folded = [g["key"] for g in schema["x-groups"] if g["folded"]]
    assert folded == ["advanced"]


def test_an_unknown_group_is_refused_where_it_is_written() -> None:
    with pytest.raises(ValueError, match="unknown form group 'masks'"):
        group("masks")
