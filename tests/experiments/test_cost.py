"""Cost estimates: tasks × 5 s × the provider's price, readable, and when to ask first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vace_studio.engine import Client
from vace_studio.experiments.cost import CostEstimate, estimate, estimate_for

REQUEST = {"function": "video_outpainting", "prompt": "p", "video_url": "https://e.com/v.mp4"}


def test_the_estimate_reads_as_arithmetic() -> None:
    est = estimate(
        [REQUEST] * 6,
        provider="dashscope",
        region="intl",
        price_per_second=0.1,
        price_source="published",
    )
    assert est.total == pytest.approx(3.0)
    assert str(est) == "6 tasks × 5 s × $0.10/s = $3.00 (dashscope intl, published price)"
    assert est.needs_confirmation(2.0)
    assert not est.needs_confirmation(5.0)
    assert CostEstimate.from_json(est.to_json()) == est


def test_an_unknown_price_always_asks_and_a_given_price_is_used() -> None:
    unknown = estimate([REQUEST], provider="modellix", price_per_second=None)
    assert unknown.total is None
    assert unknown.needs_confirmation(1_000_000.0)
    assert "modellix publishes no price per second" in str(unknown)
    given = estimate([REQUEST] * 2, provider="modellix", price_per_second=0.125)
    assert given.total == pytest.approx(1.25)
    assert str(given).endswith("(modellix, your price)")
    with pytest.raises(ValueError, match="must not be negative"):
        estimate([REQUEST], provider="x", price_per_second=-1.0)


def test_the_simulator_never_asks_but_shows_the_would_be_price() -> None:
    est = estimate(
        [REQUEST] * 100,
        provider="dashscope",
        region="intl",
        price_per_second=0.1,
        billed=False,
    )
    assert not est.needs_confirmation(0.0)
    assert est.charged == 0.0
    assert str(est).endswith("at dashscope intl prices — simulated, nothing is charged")


@pytest.mark.parametrize(
    ("provider", "region", "price", "total"),
    [
        ("dashscope", "intl", 0.1, 1.0),
        ("dashscope", "cn", 0.100347, 1.00347),
        ("modellix", "intl", None, None),
    ],
)
def test_estimate_for_a_client_uses_its_provider_price(
    make_client: Callable[..., Client],
    provider: str,
    region: str,
    price: float | None,
    total: float | None,
) -> None:
    client = make_client("http://127.0.0.1:9", provider=provider, region=region)
    est = estimate_for(client, [REQUEST, REQUEST])
    assert est.price_per_second == price
    assert est.total == (pytest.approx(total) if total is not None else None)
    assert est.billed
    assert est.total == (
        None if total is None else pytest.approx(2 * (client.estimate_cost(REQUEST) or 0))
    )
    override = estimate_for(client, [REQUEST], price_per_second=0.2)
    assert override.total == pytest.approx(1.0)
    assert override.price_source == "given"


def test_a_simulated_client_is_not_billed(make_client: Callable[..., Any]) -> None:
    client = make_client("http://127.0.0.1:9", provider="simulator")
    est = estimate_for(client, [REQUEST])
    assert not est.billed
    assert est.provider == "dashscope"
