"""imaging.caption: the caption box fits the frame, long prompts end in an ellipsis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vace_studio.imaging.caption import ELLIPSIS, fit_text, render_caption


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=300), st.sampled_from([(160, 120), (320, 240), (1280, 720), (720, 1280)]))
def test_caption_box_fits_and_is_even(prompt: str, size: tuple[int, int]) -> None:
    w, h = size
    cap = render_caption(prompt, w, h, "video_edit · seed 0")
    x0, y0, x1, y1 = cap.box
    assert 0 <= x0 < x1 <= w
    assert 0 <= y0 < y1 <= h
    assert x0 % 2 == y0 % 2 == x1 % 2 == y1 % 2 == 0
    assert y1 > h * 0.8  # at the bottom


def test_long_prompt_is_truncated_with_ellipsis() -> None:
    from PIL import ImageFont

    font = ImageFont.load_default(size=20)
    text = fit_text("word " * 200, font, 300)
    assert text.endswith(ELLIPSIS)
    assert font.getlength(text) <= 300
    assert fit_text("a\n  b", font, 300) == "a b"


def test_text_is_drawn_light_on_dark() -> None:
    cap = render_caption("Hello caption", 640, 360)
    rgba = cap.rgba
    assert rgba[..., 3].max() == 255  # text pixels are opaque
    assert (rgba[..., :3].max(axis=2) > 200).sum() > 50
    assert rgba[0, rgba.shape[1] // 2, 3] == 170  # the translucent box
