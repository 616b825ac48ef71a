"""Kernel errors in the form's words: field titles and plain values, as the browser's own checks.

The request checks speak API names and Python values for scripts and the CLI; the widget re-words
them (``widget/wording.py``) so a refusal from the kernel reads like an error the form found
itself. The plain rendering of values is shared with the browser through a fixture both test:
``js/test/fixtures/plain_values.json`` (regenerate with
``VACE_WRITE_FIXTURES=1 .venv/bin/pytest tests/widget/test_wording.py``).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tests.helpers import ROOT
from vace_studio.requests import InvalidRequest, validate_request
from vace_studio.requests.problems import plain_value
from vace_studio.widget.errors import InvalidInputError
from vace_studio.widget.wording import in_words

PLAIN = ROOT / "js" / "test" / "fixtures" / "plain_values.json"

SAMPLES: list[Any] = [
    None, "", "a cat", "x" * 70, 2.5, 2.0, 3, True, False, ["bg", "bg"], ["obj"], [1, 2, 3, 4],
    [], "/home/me/kite.png",
]  # fmt: skip


def refusal(request: dict[str, Any]) -> InvalidInputError:
    with pytest.raises(InvalidRequest) as caught:
        validate_request(request)
    return InvalidInputError(caught.value, {"request": request})


@pytest.mark.parametrize(
    ("request_", "field", "expected"),
    [
        (
            {"function": "video_edit", "prompt": "x", "video_url": "https://a/v.mp4"},
            "mask_image_url",
            "Mask image is required: give a mask image or a mask video",
        ),
        (
            {"function": "image_reference", "prompt": "x",
             "ref_images_url": ["https://a/1.png", "https://a/2.png"], "obj_or_bg": ["bg", "bg"]},
            "obj_or_bg",
            'Object or background may mark at most one image as the background "bg" '
            '(got "bg", "bg")',
        ),
        (
            {"function": "video_extension", "prompt": "x", "first_frame_url": "https://a/f.png",
             "control_condition": "depth"},
            "control_condition",
            'Control condition only applies with a motion video; leave it out (got "depth")',
        ),
        (
            {"function": "video_edit", "prompt": "x", "video_url": "https://a/v.mp4",
             "mask_image_url": "https://a/m.png", "mask_type": "sideways"},
            "mask_type",
            'Mask type must be "tracking" or "fixed" (got "sideways")',
        ),
        (
            {"function": "video_outpainting", "prompt": "x", "video_url": "https://a/v.mp4",
             "top_scale": 2.5},
            "top_scale",
            "Top scale must be between 1.0 and 2.0 (got 2.5)",
        ),
    ],
)  # fmt: skip
def test_kernel_errors_name_fields_by_title_with_plain_values(
    request_: dict[str, Any], field: str, expected: str
) -> None:
    error = refusal(request_)
    assert error.errors[field] == expected
    (problem,) = [p for p in error.problems if p["field"] == field]
    assert problem["message"] == expected
    # No API name (but the keys), no Python value anywhere in what the browser is told.
    text = json.dumps(error.reply()).replace(f'"{field}"', "")
    for leak in (field, "['", "'", "(got nothing)", request_["function"]):
        assert leak not in text, leak


def test_the_refusal_text_is_worded_like_its_fields() -> None:
    error = refusal({"function": "video_edit", "prompt": " ", "video_url": "https://a/v.mp4",
                     "seed": True, "mask_image_url": "https://a/m.png"})  # fmt: skip
    assert str(error) == (
        "This Video edit request is invalid:\n"
        '  - Prompt must contain some text, not only spaces (got " ")\n'
        "  - Seed must be a number, not true or false (got true)"
    )


def test_rewording_leaves_code_and_words_alone() -> None:
    message = (
        "mask_image_url: must be exactly the video's resolution, 640×360; "
        "vace_studio.media.scale_mask_to_video(mask, video) makes a matching copy (got 320×240)"
    )
    assert in_words(message, "video_edit", "mask_image_url") == (
        "Mask image must be exactly the video's resolution, 640×360; "
        "vace_studio.media.scale_mask_to_video(mask, video) makes a matching copy (got 320×240)"
    )
    # Not a predicate: the title and a colon. A path is shown whole, in plain quotes.
    assert in_words(
        "video_url: no local video file at /d/" + "v" * 90 + ".mp4 (got '/d/" + "v" * 90 + ".mp4')",
        "video_edit",
        "video_url",
    ).endswith('(got "/d/' + "v" * 90 + '.mp4")')
    assert in_words("prompt: only the first 800 characters are used (got 812 characters)",
                    "video_edit", "prompt") == (
        "Prompt: only the first 800 characters are used (got 812 characters)"
    )  # fmt: skip


def test_plain_values_are_the_browsers() -> None:
    text = json.dumps([[v, plain_value(v)] for v in SAMPLES], indent=2) + "\n"
    if os.environ.get("VACE_WRITE_FIXTURES") == "1":
        PLAIN.write_text(text)
    assert PLAIN.read_text() == text, (
        "js/test/fixtures/plain_values.json is stale: regenerate it with "
        "VACE_WRITE_FIXTURES=1 .venv/bin/pytest tests/widget/test_wording.py"
    )
