"""What a batch of tasks will cost, before it is submitted.

Providers bill per second of output video; every wan2.1-vace-plus task makes 5 s. The price per
second comes from the provider adapter (published prices only) unless the caller gives one, e.g.
for a provider that publishes none or a negotiated rate. The simulator bills nothing, but the
estimate still shows what the same batch would cost at the provider it imitates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vace_studio.providers import regional

if TYPE_CHECKING:
    from vace_studio.engine import Client

SECONDS_PER_TASK = 5.0
"""Output seconds of one task: the service only produces 5 s videos."""

DEFAULT_CONFIRM_ABOVE = 5.0
"""US dollars above which a sweep asks for confirmation before it spends anything."""


@dataclass(frozen=True)
class CostEstimate:
    """The expected bill of ``tasks`` tasks.

    - ``seconds``: output seconds in total (5 per task).
    - ``price_per_second``: US dollars per output second, ``None`` when unknown.
    - ``price_source``: ``"published"`` (the provider's list price), ``"given"`` (passed by
      the caller) or ``"unknown"``.
    - ``provider`` / ``region``: whose price it is.
    - ``billed``: ``False`` on the simulator, where nothing is charged.
    """

    tasks: int
    seconds: float
    price_per_second: float | None
    price_source: str
    provider: str
    region: str | None
    billed: bool = True

    @property
    def total(self) -> float | None:
        """US dollars, or ``None`` when the price is unknown."""
        if self.price_per_second is None:
            return None
        return round(self.seconds * self.price_per_second, 6)

    @property
    def charged(self) -> float | None:
        """What will actually be charged: ``0.0`` on the simulator, else :attr:`total`."""
        return self.total if self.billed else 0.0

    def needs_confirmation(self, confirm_above: float) -> bool:
        """Whether a person should agree first: billed, and above the limit or unknown."""
        if not self.billed:
            return False
        total = self.total
        return total is None or total > confirm_above

    def _who(self) -> str:
        return f"{self.provider} {self.region}" if self.region else self.provider

    def __str__(self) -> str:
        count = f"{self.tasks} task{'s' if self.tasks != 1 else ''}"
        each = self.seconds / self.tasks if self.tasks else SECONDS_PER_TASK
        work = f"{count} × {each:g} s"
        if self.price_per_second is None:
            return (
                f"{work}: {self.provider} publishes no price per second, so the cost is unknown "
                "(pass price_per_second= to estimate it)"
            )
        per = self.price_per_second
        price = f"${per:.2f}/s" if round(per, 2) == per else f"${per:.4g}/s"
        line = f"{work} × {price} = ${self.total:,.2f}"
        if not self.billed:
            return f"{line} at {self._who()} prices — simulated, nothing is charged"
        source = "published price" if self.price_source == "published" else "your price"
        return f"{line} ({self._who()}, {source})"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CostEstimate:
        """Back from :meth:`to_json` (derived keys are ignored)."""
        return cls(
            tasks=int(data["tasks"]),
            seconds=float(data["seconds"]),
            price_per_second=data.get("price_per_second"),
            price_source=str(data.get("price_source", "unknown")),
            provider=str(data["provider"]),
            region=data.get("region"),
            billed=bool(data.get("billed", True)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks,
            "seconds": self.seconds,
            "price_per_second": self.price_per_second,
            "price_source": self.price_source,
            "provider": self.provider,
            "region": self.region,
            "billed": self.billed,
            "total": self.total,
            "charged": self.charged,
            "text": str(self),
        }


def seconds_of(request: Mapping[str, Any]) -> float:
    """Output seconds one request produces (its ``duration``, else 5)."""
    duration = request.get("duration")
    return float(duration) if isinstance(duration, int | float) else SECONDS_PER_TASK


def estimate(
    requests: Iterable[Mapping[str, Any]],
    *,
    provider: str,
    price_per_second: float | None,
    region: str | None = None,
    price_source: str | None = None,
    billed: bool = True,
) -> CostEstimate:
    """The estimate for ``requests`` at ``price_per_second`` (pure arithmetic)."""
    items = list(requests)
    if price_per_second is not None and price_per_second < 0:
        raise ValueError(f"price_per_second: must not be negative (got {price_per_second})")
    source = price_source or ("unknown" if price_per_second is None else "given")
    return CostEstimate(
        tasks=len(items),
        seconds=sum(seconds_of(r) for r in items),
        price_per_second=price_per_second,
        price_source=source,
        provider=provider,
        region=region,
        billed=billed,
    )


def estimate_for(
    client: Client,
    requests: Iterable[Mapping[str, Any]],
    *,
    price_per_second: float | None = None,
) -> CostEstimate:
    """The estimate for ``requests`` sent through ``client``.

    ``price_per_second`` overrides the provider's published price (needed for providers that
    publish none). On the simulator the price is that of the protocol it speaks, and
    ``billed`` is false.
    """
    published = client.provider.price_per_second
    price = price_per_second if price_per_second is not None else published
    source = "given" if price_per_second is not None else ("published" if price else "unknown")
    simulated = client.simulated
    region = regional(client.settings.protocol, client.settings.region)
    return estimate(
        requests,
        provider=client.settings.protocol if simulated else client.provider_name,
        price_per_second=price,
        region=region,
        price_source=source,
        billed=not simulated,
    )
