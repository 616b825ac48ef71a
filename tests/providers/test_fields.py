"""Every request field, for every adapter: either sent, or refused by name before any request.

Each adapter keeps one set of the fields its provider does not document
(``unsupported_fields``); everything else must reach the body. A field added to the request
models therefore needs a decision per provider, or this test fails.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import full_requests
from vace_studio.providers import (
    DashScope,
    InvalidInputError,
    Modellix,
    MuleRouter,
    MuleRouterFields,
    Provider,
)
from vace_studio.requests import (
    MODELS,
    VaceRequest,
    VideoOutpainting,
)

IMG = "https://example.com/{}.png"
VID = "https://example.com/{}.mp4"

EXTRAS = {"negative_prompt": "blurry, dark", "safety_filter": False}
FULL = full_requests(**EXTRAS)

ADAPTERS: dict[str, Provider] = {
    "DashScope": DashScope(),
    "Modellix": Modellix(),
    "MuleRouter": MuleRouter(),
    "MuleRouter (CLI names)": MuleRouter(fields=MuleRouterFields("images", "x", "orginal")),
}

# What each provider does not document (reference sections 1.3, 2.2, 3.2), restated on purpose.
NOT_DOCUMENTED = {
    "dashscope": {"negative_prompt", "safety_filter"},
    "modellix": {"strength", "watermark", "negative_prompt", "safety_filter"},
    "mulerouter": {"watermark"},
}


def _sent(adapter: Provider, request: VaceRequest) -> dict[str, Any]:
    """The fields of the submit body, by request field name."""
    body = adapter.submit_request(request).json
    assert isinstance(body, dict)
    if isinstance(adapter, DashScope):
        return {**body["input"], **body["parameters"]}
    fields = dict(body)
    if isinstance(adapter, MuleRouter):
        assert fields.pop("model") == adapter.model
        fields["ref_images_url"] = fields.pop(adapter.fields.ref_images_field, None)
        if fields["ref_images_url"] is None:
            del fields["ref_images_url"]
    return fields


def test_the_full_requests_use_every_model_field() -> None:
    used = {name for request in FULL.values() for name in request.api_fields()}
    assert used == {name for model in MODELS.values() for name in model.model_fields}


@pytest.mark.parametrize("adapter", list(ADAPTERS.values()), ids=list(ADAPTERS))
def test_unsupported_fields_are_each_adapters_own_and_documented(adapter: Provider) -> None:
    unsupported = getattr(adapter, "unsupported_fields")  # noqa: B009 -- not in the Protocol yet
    assert set(unsupported) == NOT_DOCUMENTED[adapter.name]
    assert set(unsupported) <= {n for model in MODELS.values() for n in model.model_fields}


@pytest.mark.parametrize("label", sorted(FULL))
@pytest.mark.parametrize("adapter", list(ADAPTERS.values()), ids=list(ADAPTERS))
def test_every_field_is_sent_or_refused_by_name(adapter: Provider, label: str) -> None:
    request = FULL[label]
    unsupported = NOT_DOCUMENTED[adapter.name]
    fields = request.api_fields()
    supported = {k: v for k, v in fields.items() if k not in unsupported}
    trimmed = type(request).model_validate(supported)
    sent = _sent(adapter, trimmed)
    assert set(sent) == set(supported), "nothing invented, nothing lost"
    for name in set(fields) & unsupported:
        one = type(request).model_validate({**supported, name: fields[name]})
        with pytest.raises(InvalidInputError) as caught:
            adapter.submit_request(one)
        message = caught.value.message
        label_ = {"dashscope": "DashScope", "modellix": "Modellix", "mulerouter": "MuleRouter"}
        assert message.startswith(f"{name}: {label_[adapter.name]} does not take this field")
        assert caught.value.http_status is None  # nothing was sent
        assert caught.value.provider == adapter.name


def test_the_refusal_reads_in_plain_words() -> None:
    request = VideoOutpainting(prompt="w", video_url=VID.format(1), negative_prompt="blurry")
    with pytest.raises(InvalidInputError) as caught:
        DashScope().submit_request(request)
    assert caught.value.message == (
        "negative_prompt: DashScope does not take this field (Negative prompt); leave it empty "
        "to use DashScope (got 'blurry')"
    )


def test_mulerouter_sends_its_documented_extras() -> None:
    request = VideoOutpainting(
        prompt="w", video_url=VID.format(1), negative_prompt="dark", safety_filter=False
    )
    body = MuleRouter().submit_request(request).json
    assert body is not None
    assert (body["negative_prompt"], body["safety_filter"]) == ("dark", False)
    # Not set: not sent (the service's default, true, applies).
    plain = MuleRouter().submit_request(VideoOutpainting(prompt="w", video_url=VID.format(1)))
    assert plain.json is not None
    assert "safety_filter" not in plain.json
    assert "negative_prompt" not in plain.json
