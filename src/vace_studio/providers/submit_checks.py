"""Checks an adapter runs on a request before it builds a submit spec.

They raise :class:`InvalidInputError` (with no HTTP status: nothing was sent) naming the field,
so a request a provider cannot take never costs a round trip, let alone money.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from vace_studio.providers.errors import InvalidInputError
from vace_studio.requests import InvalidRequest, Problem
from vace_studio.requests.problems import describe_value
from vace_studio.requests.refs import is_local

if TYPE_CHECKING:
    from vace_studio.providers.base import Provider
    from vace_studio.requests import VaceRequest

_STAND_IN = "https://uploads.invalid/file"


def check_accepts(provider: Provider, model: VaceRequest) -> None:
    """Ask ``provider``'s adapter (pure, no I/O) whether it can take ``model``, before anything
    is recorded; raises :class:`~vace_studio.requests.InvalidRequest` naming the field.

    Local files are stood in for by placeholder URLs: they are uploaded later.
    """
    data = model.api_fields()
    for name in model.media():
        value = data[name]
        data[name] = (
            [_STAND_IN if is_local(v) else v for v in value]
            if isinstance(value, list)
            else (_STAND_IN if is_local(value) else value)
        )
    try:
        from vace_studio.requests import validate_request  # the models load on first use

        provider.submit_request(validate_request(data))
    except InvalidInputError as error:
        field = error.message.split(":", 1)[0] if ":" in error.message else ""
        problem = Problem(field, "provider", None, error.message)
        raise InvalidRequest(model.function, [problem]) from None


def require_remote_media(
    request: VaceRequest, *, provider: str, allow_oss: bool, needs: str
) -> None:
    """Raise unless every media field holds a URL this provider can fetch.

    Local files must be uploaded by the engine first; ``oss://`` URLs (DashScope temporary
    storage) are only understood by DashScope. ``needs`` says what the provider takes instead.
    """
    for field, refs in request.media().items():
        is_list = isinstance(getattr(request, field, None), list)
        for index, ref in enumerate(refs):
            where = f"{field}[{index}]" if is_list else field
            if is_local(ref):
                raise InvalidInputError(
                    f"{where}: a local file must be uploaded before submitting; {provider} "
                    f"needs {needs} (got {describe_value(ref)})",
                    provider=provider,
                )
            if not allow_oss and ref.lower().startswith("oss://"):
                raise InvalidInputError(
                    f"{where}: oss:// URLs are DashScope temporary storage; {provider} needs "
                    f"{needs} (got {describe_value(ref)})",
                    provider=provider,
                )


def refuse_unsupported(
    request: VaceRequest, *, unsupported: Collection[str], provider: str, label: str
) -> None:
    """Raise naming the first set field (in request order) that ``provider`` does not document.

    ``unsupported`` is the adapter's own list of what it cannot send; ``label`` the provider's
    name as people read it (``DashScope``). Sending an undocumented field risks a 400 or, worse,
    a setting silently lost, so it is refused before anything is sent.
    """
    for name, value in request.api_fields().items():
        if name in unsupported:
            info = type(request).model_fields.get(name)
            title = f" ({info.title})" if info is not None and info.title else ""
            raise InvalidInputError(
                f"{name}: {label} does not take this field{title}; leave it empty to use "
                f"{label} (got {describe_value(value)})",
                provider=provider,
            )
