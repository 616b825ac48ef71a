"""Checking a request's media against the documented limits, before anything is sent.

* :func:`check_request` — local files only, synchronous, fast (headers only, plus the pixels of
  a mask image): what ``Client.enqueue`` runs.
* :func:`check_media` — local files and remote ``http(s)`` URLs (probed with a few range GETs;
  an unreachable URL is a *warning*: the provider may reach what this machine cannot). What the
  engine runs just before a submit. ``oss://`` URLs (DashScope temporary storage) cannot be
  downloaded and are not checked.

Both report errors (the service refuses: do not send) and warnings (the service trims or ignores:
a 7 s video of which 5 s are used, a grey mask) in one list of
:class:`~vace_studio.requests.Problem`, told apart by ``severity``; a caller that raises raises on
the errors only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from vace_studio.media.limits import FIELD_KINDS, media_problems
from vace_studio.media.probe import (
    MaskStats,
    MediaInfo,
    MediaKind,
    ProbeError,
    mask_stats,
    probe_local,
)
from vace_studio.media.remote import DEFAULT_TIMEOUT, Unreachable, probe_remote
from vace_studio.requests import Problem
from vace_studio.requests.problems import describe_value
from vace_studio.requests.refs import is_local

if TYPE_CHECKING:
    from vace_studio.requests import VaceRequest


@dataclass
class MediaReport:
    """The outcome of :func:`check_media`.

    ``problems`` break a documented limit (errors: the request must not be sent); ``warnings``
    are what the service trims or ignores, and inputs that could not be checked
    (``rule == "media_unchecked"``); ``infos`` are the facts of every input that was probed, by
    reference.
    """

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    infos: dict[str, MediaInfo] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, found: list[Problem]) -> None:
        """File each problem under ``problems`` or ``warnings`` by its severity."""
        for problem in found:
            (self.problems if problem.is_error else self.warnings).append(problem)

    def to_json(self) -> dict[str, Any]:
        return {
            "problems": [p.to_json() for p in self.problems],
            "warnings": [w.to_json() for w in self.warnings],
            "infos": {ref: info.to_json() for ref, info in self.infos.items()},
        }


def _where(request: VaceRequest) -> list[tuple[str, str, MediaKind]]:
    """(field as shown, reference, kind) of every media input of ``request``."""
    out: list[tuple[str, str, MediaKind]] = []
    for name, refs in request.media().items():
        is_list = isinstance(getattr(request, name), list)
        kind = FIELD_KINDS.get(name, "image")
        for index, ref in enumerate(refs):
            out.append((f"{name}[{index}]" if is_list else name, ref, kind))
    return out


def _unreadable(where: str, ref: str, kind: MediaKind, reason: str) -> Problem:
    what = "JPG, PNG, BMP, TIFF or WEBP image" if kind == "image" else "MP4 video"
    return Problem(
        where,
        "media_unreadable",
        ref,
        f"{where}: cannot be used: {reason}; give a {what} (got {describe_value(ref)})",
    )


def _probe_locals(request: VaceRequest, report: MediaReport) -> dict[str, MaskStats]:
    masks: dict[str, MaskStats] = {}
    failed: set[str] = set()
    for where, ref, kind in _where(request):
        if not is_local(ref) or ref in report.infos:
            continue
        if ref in failed:
            continue
        try:
            report.infos[ref] = probe_local(ref, kind)
        except ProbeError as error:
            failed.add(ref)
            report.problems.append(_unreadable(where, ref, kind, error.reason))
    mask = getattr(request, "mask_image_url", None)
    if mask and is_local(mask) and mask in report.infos:
        with contextlib.suppress(ProbeError):  # already reported by the probe
            masks[mask] = mask_stats(mask)
    return masks


def check_request(request: VaceRequest) -> list[Problem]:
    """What ``request``'s local media files break (remote ones are skipped): errors, then
    warnings (``Problem.severity``).

    Reads file headers only (and the pixels of a mask image); nothing goes over the network.
    """
    report = MediaReport()
    masks = _probe_locals(request, report)
    report.add(media_problems(request, report.infos, masks))
    return report.problems + report.warnings


async def check_media(
    request: VaceRequest,
    http: httpx.AsyncClient,
    *,
    request_timeout: float = DEFAULT_TIMEOUT,
    known: MutableMapping[str, MediaInfo] | None = None,
) -> MediaReport:
    """Check local files and remote ``http(s)`` URLs of ``request``.

    ``known`` caches the facts of remote URLs between calls (read, and filled with new ones).
    Remote probes run concurrently; each is bounded by ``request_timeout`` seconds per request.
    """
    report = MediaReport()
    masks = await asyncio.to_thread(_probe_locals, request, report)
    cache = known if known is not None else {}
    remote: dict[str, tuple[str, MediaKind]] = {}
    for where, ref, kind in _where(request):
        if ref.lower().startswith(("http://", "https://")) and ref not in remote:
            remote[ref] = (where, kind)
    fresh = [ref for ref in remote if ref not in cache]
    results = await asyncio.gather(
        *(_probe_one(ref, remote[ref][1], http, request_timeout) for ref in fresh)
    )
    for ref, got in zip(fresh, results, strict=True):
        where, kind = remote[ref]
        if isinstance(got, Unreachable):
            report.warnings.append(
                Problem(
                    where,
                    "media_unchecked",
                    ref,
                    f"{where}: could not be checked before submitting ({got.reason}); the "
                    "provider fetches it itself, so make sure the URL is public "
                    f"(got {describe_value(ref)})",
                    "warning",
                )
            )
        elif isinstance(got, ProbeError):
            report.problems.append(_unreadable(where, ref, kind, got.reason))
        else:
            cache[ref] = got
    for ref in remote:
        if ref in cache:
            report.infos[ref] = cache[ref]
    report.add(media_problems(request, report.infos, masks))
    return report


async def _probe_one(
    url: str, kind: MediaKind, http: httpx.AsyncClient, request_timeout: float
) -> MediaInfo | Unreachable | ProbeError:
    try:
        return await probe_remote(url, http, kind, request_timeout=request_timeout)
    except ProbeError as error:
        return error
