"""Plain-words errors and warnings: every problem names the field, the rule and the value,
without jargon; errors stop a request, warnings say what the service will trim or ignore."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from vace_studio.requests import (
    FUNCTIONS,
    InvalidRequest,
    Problem,
    Rule,
    VideoEdit,
    explain,
    validate_request,
)
from vace_studio.requests.base import describe_value

IMG = "https://example.com/cat.png"
VID = "https://example.com/clip.mp4"

VALID: dict[str, dict[str, Any]] = {
    "image_reference": {"function": "image_reference", "prompt": "p", "ref_images_url": [IMG]},
    "video_repainting": {
        "function": "video_repainting",
        "prompt": "p",
        "video_url": VID,
        "control_condition": "depth",
    },
    "video_edit": {
        "function": "video_edit",
        "prompt": "p",
        "video_url": VID,
        "mask_image_url": IMG,
    },
    "video_extension": {"function": "video_extension", "prompt": "p", "first_frame_url": IMG},
    "video_outpainting": {"function": "video_outpainting", "prompt": "p", "video_url": VID},
}

# One of each kind of mistake, to check the shape and wording of every kind of message.
MISTAKES: list[tuple[str, dict[str, Any]]] = [
    ("image_reference", {"prompt": ""}),
    ("image_reference", {"negative_prompt": "x" * 600}),
    ("image_reference", {"safety_filter": "sometimes"}),
    ("image_reference", {"prompt": " \n"}),
    ("image_reference", {"prompt": None}),
    ("image_reference", {"ref_images_url": []}),
    ("image_reference", {"ref_images_url": [IMG] * 5}),
    ("image_reference", {"ref_images_url": IMG}),
    ("image_reference", {"ref_images_url": [IMG, IMG]}),
    ("image_reference", {"ref_images_url": [IMG, IMG], "obj_or_bg": ["bg", "bg"]}),
    ("image_reference", {"obj_or_bg": ["obj", "obj"]}),
    ("image_reference", {"obj_or_bg": ["thing"]}),
    ("image_reference", {"size": "4k"}),
    ("image_reference", {"duration": 10}),
    ("image_reference", {"seed": -5}),
    ("image_reference", {"seed": "lucky"}),
    ("image_reference", {"seed": 2.5}),
    ("image_reference", {"watermark": "sometimes"}),
    ("image_reference", {"video_url": VID}),
    ("image_reference", {"negativ_prompt": "blur"}),
    ("video_repainting", {"control_condition": None}),
    ("video_repainting", {"control_condition": "canny"}),
    ("video_repainting", {"strength": 7}),
    ("video_repainting", {"strength": False}),
    ("video_repainting", {"video_url": "ftp://example.com/a.mp4"}),
    ("video_repainting", {"video_url": "/no/such/file.mp4"}),
    ("video_repainting", {"video_url": 12}),
    ("video_edit", {"mask_image_url": None}),
    ("video_edit", {"mask_video_url": VID}),
    ("video_edit", {"mask_image_url": None, "mask_video_url": VID, "mask_frame_id": 2}),
    ("video_edit", {"mask_video_url": VID, "mask_frame_id": 2}),
    ("video_edit", {"mask_frame_id": 0}),
    ("video_edit", {"expand_ratio": 3}),
    ("video_edit", {"mask_image_url": "https://example.com/遮罩.png"}),
    ("video_extension", {"first_frame_url": None}),
    ("video_extension", {"video_url": VID}),
    ("video_extension", {"control_condition": "depth"}),
    ("video_outpainting", {"top_scale": 0}),
    ("video_outpainting", {"top_scale": "wide"}),
    ("video_outpainting", {"function": "video_outpaint"}),
]

# One of each kind of warning: accepted by the service, which trims or ignores.
NOTICES: list[tuple[str, dict[str, Any]]] = [
    ("image_reference", {"prompt": "x" * 900}),
    ("image_reference", {"ref_images_url": [IMG] * 4, "obj_or_bg": ["obj"] * 4}),
    ("video_edit", {"mask_type": "fixed", "expand_mode": "bbox", "expand_ratio": 0.3}),
    ("video_edit", {"mask_image_url": None, "mask_video_url": VID, "mask_type": "tracking"}),
]

JARGON = (
    "Input should",
    "validation error",
    "pydantic",
    "type=",
    "Value error",
    "input_value",
    "literal_error",
    "Field required",
    "Extra inputs",
)


def invalid(function: str, changes: dict[str, Any]) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        validate_request({**VALID[function], **changes})
    return caught.value


@pytest.mark.parametrize(("function", "changes"), MISTAKES)
def test_messages_are_plain_words_naming_field_rule_and_value(
    function: str, changes: dict[str, Any]
) -> None:
    error = invalid(function, changes)
    assert error.problems
    for problem in error.problems:
        assert problem.field, problem
        assert problem.rule, problem
        assert problem.message.startswith(f"{problem.field}: "), problem
        assert "(got " in problem.message, problem
        # The rule sits between the field and the value, in words.
        rule_text = problem.message[len(problem.field) + 2 : problem.message.rindex("(got ")]
        assert len(rule_text.split()) >= 3, problem
        for word in JARGON:
            assert word not in problem.message, problem
            assert word not in str(error), problem


@pytest.mark.parametrize(("function", "changes"), MISTAKES)
def test_problems_are_json_for_the_front_end(function: str, changes: dict[str, Any]) -> None:
    for problem in invalid(function, changes).problems:
        shown = problem.to_json()
        assert json.loads(json.dumps(shown)) == shown
        assert set(shown) == {"field", "rule", "value", "message", "severity", "fix"}
        assert shown["value"] == describe_value(problem.value)
        assert shown["severity"] == "error"


@pytest.mark.parametrize(("function", "changes"), NOTICES)
def test_warnings_read_like_errors(function: str, changes: dict[str, Any]) -> None:
    warnings = validate_request({**VALID[function], **changes}).warnings()
    assert warnings
    for warning in warnings:
        assert warning.severity == "warning"
        assert warning.message.startswith(f"{warning.field}: "), warning
        assert "(got " in warning.message, warning
        rule_text = warning.message[len(warning.field) + 2 : warning.message.rindex("(got ")]
        assert len(rule_text.split()) >= 3, warning
        for word in JARGON:
            assert word not in warning.message, warning
        shown = warning.to_json()
        assert json.loads(json.dumps(shown)) == shown
        assert shown["severity"] == "warning"
        assert shown["fix"] is None  # model-level warnings have no media fix


def test_invalid_request_lists_every_problem() -> None:
    error = invalid("video_outpainting", {"top_scale": 9, "seed": -1})
    assert isinstance(error, ValueError)
    assert error.function == "video_outpainting"
    text = str(error)
    assert text.startswith("This video_outpainting request is invalid:\n")
    for problem in error.problems:
        assert f"  - {problem.message}" in text


def test_invalid_function_has_no_function_name() -> None:
    error = invalid("video_outpainting", {"function": "nonsense"})
    assert error.function is None
    assert str(error).startswith("This request is invalid:")
    (problem,) = error.problems
    assert problem.field == "function"
    assert problem.value == "nonsense"
    for name in FUNCTIONS:
        assert name in problem.message


def test_by_field_groups_list_items_under_the_field() -> None:
    error = invalid(
        "image_reference",
        {
            "ref_images_url": ["ftp://a.com/1.png", "ftp://a.com/2.png"],
            "obj_or_bg": ["obj", "bg"],
            "seed": -1,
        },
    )
    assert [p.field for p in error.problems] == ["seed", "ref_images_url[0]", "ref_images_url[1]"]
    by_field = error.by_field()
    assert set(by_field) == {"seed", "ref_images_url"}
    assert "ref_images_url[0]:" in by_field["ref_images_url"]
    assert "; ref_images_url[1]:" in by_field["ref_images_url"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("seed", -1, "seed: must be between 0 and 2147483647 (got -1)"),
        ("strength", 1.5, "strength: must be between 0.0 and 1.0 (got 1.5)"),
        ("strength", "much", "strength: must be a number (got 'much')"),
        ("video_url", "", "video_url: must be a URL or a local file path, not empty (got '')"),
    ],
)
def test_exact_wording(field: str, value: Any, expected: str) -> None:
    (problem,) = invalid("video_repainting", {field: value}).problems
    assert problem.message == expected
    assert problem.value == value


def test_scale_message_from_the_style_guide() -> None:
    (problem,) = invalid("video_outpainting", {"right_scale": 2.5}).problems
    assert problem.message == "right_scale: must be between 1.0 and 2.0 (got 2.5)"
    assert problem.rule == "less_than_equal"


def test_one_sided_bound_says_at_least() -> None:
    (problem,) = invalid("video_edit", {"mask_frame_id": 0}).problems
    assert problem.message == "mask_frame_id: must be at least 1 (got 0)"


def test_long_prompt_reports_its_length_not_its_text() -> None:
    request = validate_request({**VALID["image_reference"], "prompt": "y" * 1234})
    (warning,) = request.warnings()
    assert warning.message == (
        "prompt: only the first 800 characters are used; the rest is cut off (got 1234 characters)"
    )
    assert warning.value == "y" * 1234
    assert warning.rule == "prompt_truncated"
    (problem,) = invalid("video_edit", {"negative_prompt": "n" * 501}).problems
    assert problem.message == "negative_prompt: must be at most 500 characters (got 501 characters)"


def test_list_counts_are_reported() -> None:
    (problem,) = invalid("video_edit", {"ref_images_url": [IMG, IMG, IMG]}).problems
    assert problem.message == "ref_images_url: takes at most 1 item (got 3 items)"
    (problem,) = invalid("image_reference", {"ref_images_url": []}).problems
    assert problem.message == "ref_images_url: needs at least 1 item (got 0 items)"
    request = validate_request(
        {**VALID["image_reference"], "ref_images_url": [IMG] * 4, "obj_or_bg": ["obj"] * 3}
    )
    (warning,) = request.warnings()
    assert warning.message == (
        "ref_images_url: only the first 3 reference images are used; entry 4 is ignored "
        "(got 4 items)"
    )


def test_missing_field_names_the_function() -> None:
    data = dict(VALID["video_repainting"])
    del data["control_condition"]
    with pytest.raises(InvalidRequest) as caught:
        validate_request(data)
    (problem,) = caught.value.problems
    assert problem.field == "control_condition"
    assert problem.rule == "missing"
    assert "required for video_repainting" in problem.message


def test_choices_are_listed() -> None:
    (problem,) = invalid("video_edit", {"control_condition": "scribble"}).problems
    assert problem.message == (
        "control_condition: must be 'posebodyface' or 'depth' (got 'scribble')"
    )
    (problem,) = invalid("image_reference", {"duration": 6}).problems
    assert problem.message == "duration: can only be 5 (got 6)"


def test_field_of_another_function_says_who_takes_it() -> None:
    (problem,) = invalid("video_extension", {"strength": 0.5}).problems
    assert problem.rule == "extra_forbidden"
    assert "only video_repainting takes it" in problem.message


def test_misspelt_field_gets_a_suggestion() -> None:
    (problem,) = invalid("video_edit", {"mask_img_url": IMG}).problems
    assert problem.field == "mask_img_url"
    assert "did you mean mask_image_url?" in problem.message


@pytest.mark.parametrize(
    ("function", "changes", "field", "kind"),
    [
        ("image_reference", {"ref_images_url": [IMG, IMG]}, "obj_or_bg", "required"),
        ("image_reference", {"obj_or_bg": ["obj", "obj"]}, "obj_or_bg", "same_length"),
        (
            "image_reference",
            {"ref_images_url": [IMG, IMG], "obj_or_bg": ["bg", "bg"]},
            "obj_or_bg",
            "at_most_one_bg",
        ),
        ("video_edit", {"mask_image_url": None}, "mask_image_url", "required"),
        ("video_edit", {"mask_video_url": VID}, "mask_video_url", "not_both"),
        (
            "video_edit",
            {"mask_image_url": None, "mask_video_url": VID, "mask_frame_id": 3},
            "mask_frame_id",
            "only_with",
        ),
        ("video_extension", {"first_frame_url": None}, "first_frame_url", "at_least_one_of"),
        ("video_extension", {"video_url": VID}, "control_condition", "required"),
        ("video_extension", {"control_condition": "depth"}, "control_condition", "only_with"),
    ],
)
def test_cross_field_rules_have_a_kind(
    function: str, changes: dict[str, Any], field: str, kind: str
) -> None:
    (problem,) = invalid(function, changes).problems
    assert (problem.field, problem.rule) == (field, kind)


def test_media_errors_show_the_whole_url() -> None:
    url = "ftp://example.com/" + "a" * 150 + ".mp4"
    (problem,) = invalid("video_outpainting", {"video_url": url}).problems
    assert repr(url) in problem.message


def test_braces_in_a_value_are_shown_as_given() -> None:
    # pydantic fills "{name}" placeholders of an error template; user text must never be one.
    url = "https://example.com/{summary}/{rules}.mp4"
    error = invalid("video_edit", {"mask_video_url": url})
    (problem,) = error.problems
    assert problem.field == "mask_video_url"
    assert repr(url) in problem.message


def test_non_mapping_request() -> None:
    for data in (None, [1, 2], "video_edit"):
        with pytest.raises(InvalidRequest) as caught:
            validate_request(data)  # type: ignore[arg-type]
        (problem,) = caught.value.problems
        assert problem.message.startswith("a request must be a mapping of field names to values")


def test_explain_a_constructor_error() -> None:
    with pytest.raises(ValidationError) as caught:
        VideoEdit(prompt="p", video_url=VID, expand_ratio=2)
    problems = explain(caught.value, "video_edit")
    assert [(p.field, p.message) for p in problems] == [
        ("expand_ratio", "expand_ratio: must be between 0.0 and 1.0 (got 2)")
    ]


def test_explain_finds_the_function_from_a_union_error() -> None:
    from vace_studio.requests.schema import _adapter

    with pytest.raises(ValidationError) as caught:
        _adapter().validate_python({**VALID["video_edit"], "size": "big"})
    (problem,) = explain(caught.value)
    assert problem.field == "size"
    assert problem.message.startswith("size: must be one of '1280*720'")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "nothing"),
        ("short", "'short'"),
        ("z" * 200, "'" + "z" * 77 + "...'"),
        ([1, 2, 3], "[1, 2, 3]"),
        ([1, 2, 3, 4], "4 items"),
        (True, "true"),
        (False, "false"),
        (b"\x00" * 2048, "2048 bytes"),
        (1.5, "1.5"),
        ({"a": "b" * 200}, "{'a': '" + "b" * 70 + "..."),
    ],
)
def test_describe_value(value: Any, shown: str) -> None:
    assert describe_value(value) == shown


def test_rule_message_and_default_kind() -> None:
    rule = Rule("obj_or_bg", "must be shorter", ["obj"])
    assert rule.kind == "rule"
    assert rule.message() == "obj_or_bg: must be shorter (got ['obj'])"


def test_ignored_knobs_warn_with_a_kind() -> None:
    request = validate_request({**VALID["video_edit"], "mask_type": "fixed", "expand_ratio": 0.1})
    (warning,) = request.warnings()
    assert (warning.field, warning.rule, warning.severity) == ("expand_ratio", "ignored", "warning")
    assert warning.message == (
        "expand_ratio: is ignored with mask_type 'fixed': it only applies with mask_type "
        "'tracking'; leave it out (got 0.1)"
    )


def test_invalid_request_carries_warnings_apart() -> None:
    warning = Problem("prompt", "prompt_truncated", "x", "prompt: ...", "warning")
    error = InvalidRequest("video_edit", [Problem("seed", "r", -1, "seed: ...")], [warning])
    assert error.warnings == [warning]
    assert "prompt: ..." not in str(error)


def test_problem_is_a_value() -> None:
    one = Problem("seed", "less_than_equal", 5, "seed: ...")
    assert one == Problem("seed", "less_than_equal", 5, "seed: ...")
    assert (one.severity, one.fix, one.is_error) == ("error", None, True)
    soft = Problem("video_url", "video_seconds", "v.mp4", "video_url: ...", "warning", "trim")
    assert soft.to_json()["fix"] == "trim"
    assert not soft.is_error
    with pytest.raises(AttributeError):
        one.field = "other"  # type: ignore[misc]
