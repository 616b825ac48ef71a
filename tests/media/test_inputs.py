"""Bytes, PIL images and NumPy arrays become files a request can name; the client takes them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from vace_studio import media
from vace_studio.media import materialize_request, save_bytes, save_image
from vace_studio.requests import InvalidRequest


def test_bytes_keep_their_format_and_are_stored_once(tmp_path: Path, gen: Any) -> None:
    data = gen.image("x.jpg").read_bytes()
    first = save_bytes(data, "image", cache_dir=tmp_path / "c")
    again = save_bytes(data, "image", name="other.png", cache_dir=tmp_path / "c")
    assert first == again
    assert first.suffix == ".jpg"
    assert first.read_bytes() == data
    video = save_bytes(gen.video().read_bytes(), "video", cache_dir=tmp_path / "c")
    assert video.suffix == ".mp4"
    mov = save_bytes(gen.video("a.mov", container="mov").read_bytes(), cache_dir=tmp_path / "c")
    assert mov.suffix == ".mov"
    with pytest.raises(ValueError, match="empty"):
        save_bytes(b"", "image", cache_dir=tmp_path)


def test_pil_images_and_arrays_become_lossless_pngs(tmp_path: Path) -> None:
    rgb = np.zeros((400, 480, 3), np.uint8)
    rgb[100:200, 100:300] = (10, 200, 30)
    from_array = save_image(rgb, cache_dir=tmp_path)
    from_pil = save_image(Image.fromarray(rgb), cache_dir=tmp_path)
    assert from_array == from_pil
    assert from_array.suffix == ".png"
    with Image.open(from_array) as img:
        assert np.array_equal(np.asarray(img), rgb)
    mask = np.zeros((240, 320), bool)
    mask[10:20, 10:20] = True
    with Image.open(save_image(mask, cache_dir=tmp_path)) as img:
        assert set(np.unique(np.asarray(img)).tolist()) == {0, 255}


def test_materialize_request_names_fields_it_cannot_convert(tmp_path: Path) -> None:
    request = {
        "function": "image_reference",
        "prompt": "p",
        "ref_images_url": [np.zeros((400, 400, 3), np.float64), np.zeros((400, 400, 3), np.uint8)],
    }
    with pytest.raises(InvalidRequest) as caught:
        materialize_request(request, tmp_path)
    (problem,) = caught.value.problems
    assert problem.field == "ref_images_url[0]"
    assert "uint8 or bool" in problem.message
    assert "(a * 255)" in problem.message
    assert "float64 array of shape (400, 400, 3)" in problem.message
    with pytest.raises(InvalidRequest, match="video_url: a video must be a file or its bytes"):
        materialize_request(
            {"function": "video_outpainting", "prompt": "p", "video_url": Image.new("RGB", (8, 8))},
            tmp_path,
        )
    plain = {"function": "video_outpainting", "prompt": "p", "video_url": "https://x.org/v.mp4"}
    assert materialize_request(plain, tmp_path) is plain


def test_client_check_accepts_in_memory_media(make_client: Any, gen: Any) -> None:
    client = make_client("http://127.0.0.1:9")  # nothing is sent by check()
    picture = Image.new("RGB", (480, 400), (200, 30, 30))
    png = io.BytesIO()
    Image.new("L", (320, 240)).save(png, "PNG")
    model = client.check(
        {
            "function": "video_edit",
            "prompt": "p",
            "video_url": gen.video().read_bytes(),
            "mask_image_url": np.pad(np.ones((40, 40), bool), ((100, 100), (140, 140))),
            "ref_images_url": [picture],
        }
    )
    assert model.video_url.endswith(".mp4")
    assert Path(model.video_url).parent == client.paths.home / "inputs"
    assert model.ref_images_url[0].endswith(".png")
    # The same in-memory media in a too-small size is refused by the media limits, by field.
    with pytest.raises(InvalidRequest, match=r"ref_images_url\[0\]: each side must be 360–2000 px"):
        client.check(
            {"function": "image_reference", "prompt": "p", "ref_images_url": [png.getvalue()]}
        )


def test_requests_layer_points_to_the_conversion() -> None:
    from vace_studio.requests import validate_request

    with pytest.raises(InvalidRequest, match=r"vace_studio\.media\.save_media"):
        validate_request({"function": "video_outpainting", "prompt": "p", "video_url": b"\0" * 9})
    assert media.save_media("https://x.org/a.png") == "https://x.org/a.png"
