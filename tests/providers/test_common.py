"""Provider-neutral pieces: errors, header and URL helpers, the registry."""

from __future__ import annotations

import ast
import pathlib
import pickle

import pytest

import vace_studio.providers as package
from vace_studio.providers import (
    AuthError,
    DashScope,
    ErrorKind,
    InvalidInputError,
    Modellix,
    MuleRouter,
    ProtocolError,
    ProviderError,
    TaskStatus,
    ThrottledError,
    make_provider,
    provider_names,
)
from vace_studio.providers.errors import (
    ERROR_CLASSES,
    error_for,
    kind_for_alibaba_code,
    kind_for_status,
)
from vace_studio.providers.wire import header, normalise_base_url, retry_after


def test_one_error_class_per_kind() -> None:
    assert set(ERROR_CLASSES) == set(ErrorKind)
    for kind, cls in ERROR_CLASSES.items():
        error = error_for(kind, "m", provider="p")
        assert type(error) is cls
        assert isinstance(error, ProviderError)
        assert error.kind is kind


def test_error_kind_values_are_lowercase() -> None:
    assert [k.value for k in ErrorKind] == [
        "auth",
        "throttled",
        "invalid_input",
        "moderation",
        "balance",
        "not_found",
        "server",
        "protocol",
        "forbidden",
        "quota",
        "entitlement",
    ]


def test_error_text_and_attributes() -> None:
    error = ThrottledError(
        "Requests rate limit exceeded",
        provider="dashscope",
        http_status=429,
        code="Throttling.RateQuota",
        request_id="r-1",
        retry_after=3.0,
    )
    assert str(error) == "[dashscope] Throttling.RateQuota: Requests rate limit exceeded (HTTP 429)"
    assert (error.kind, error.retry_after, error.request_id) == (ErrorKind.THROTTLED, 3.0, "r-1")
    assert "ThrottledError(kind='throttled'" in repr(error)
    assert str(InvalidInputError("x: bad", provider="modellix")) == "[modellix] x: bad"


def test_errors_pickle() -> None:
    error = AuthError(
        "Invalid API-key provided.", provider="dashscope", http_status=401, code="InvalidApiKey"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is AuthError
    assert (copy.kind, copy.code, copy.http_status, str(copy)) == (
        ErrorKind.AUTH,
        "InvalidApiKey",
        401,
        str(error),
    )


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ErrorKind.INVALID_INPUT),
        (401, ErrorKind.AUTH),
        (402, ErrorKind.BALANCE),
        (403, ErrorKind.FORBIDDEN),
        (404, ErrorKind.NOT_FOUND),
        (408, ErrorKind.SERVER),
        (418, ErrorKind.PROTOCOL),
        (429, ErrorKind.THROTTLED),
        (500, ErrorKind.SERVER),
        (599, ErrorKind.SERVER),
        (200, ErrorKind.PROTOCOL),
        (302, ErrorKind.PROTOCOL),
    ],
)
def test_kind_for_status(status: int, kind: ErrorKind) -> None:
    assert kind_for_status(status) is kind


def test_task_status_terminal() -> None:
    assert {s for s in TaskStatus if s.is_terminal} == {
        TaskStatus.SUCCEEDED,
        TaskStatus.FAILED,
        TaskStatus.CANCELED,
        TaskStatus.UNKNOWN,
    }
    assert TaskStatus("queued") is TaskStatus.QUEUED


def test_header_lookup_is_case_insensitive() -> None:
    assert header({"retry-after": "5"}, "Retry-After") == "5"
    assert header({"RETRY-AFTER": "5"}, "retry-after") == "5"
    assert header({}, "Retry-After") is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "2.5"}, 2.5),
        ({"Retry-After": "-1"}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT"}, 10.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:27:00 GMT"}, 0.0),
        ({"X-RateLimit-Reset": "1445412490"}, 10.0),
        ({"X-RateLimit-Reset": "60"}, 60.0),
        ({"Retry-After": "4", "X-RateLimit-Reset": "60"}, 4.0),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert retry_after(headers, now=now) == expected


def test_retry_after_uses_date_header_over_clock() -> None:
    headers = {
        "Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT",
        "Date": "Wed, 21 Oct 2015 07:28:00 GMT",
    }
    assert retry_after(headers, now=0.0) == 30.0


@pytest.mark.parametrize("bad", ["ftp://x", "dashscope.aliyuncs.com", "http://", "http://h/?q=1"])
def test_base_url_must_be_http(bad: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        normalise_base_url(bad)


def test_base_url_keeps_a_proxy_path() -> None:
    assert normalise_base_url("https://proxy.example/ds/api/v1/", "/api/v1") == (
        "https://proxy.example/ds"
    )


def test_make_provider() -> None:
    assert provider_names() == ("dashscope", "modellix", "mulerouter")
    assert isinstance(make_provider("dashscope"), DashScope)
    assert isinstance(make_provider("Modellix"), Modellix)
    assert isinstance(make_provider("mulerouter", region="intl"), MuleRouter)
    for name in provider_names():
        provider = make_provider(name, base_url="http://127.0.0.1:8123")
        assert provider.name == name
        assert provider.base_url == "http://127.0.0.1:8123"
    with pytest.raises(ValueError, match="dashscope, modellix, mulerouter"):
        make_provider("simulator")
    with pytest.raises(TypeError):
        make_provider("modellix", workspace="w")
    with pytest.raises(ValueError, match="region"):
        make_provider("dashscope", region="eu")


def test_protocol_error_is_a_provider_error() -> None:
    assert issubclass(ProtocolError, ProviderError)
    assert ProtocolError("x").kind is ErrorKind.PROTOCOL


def test_gateways_without_cancel_accept_2xx_and_raise_otherwise() -> None:
    for provider in (Modellix(), MuleRouter()):
        assert provider.cancel_request("t") is None
        provider.parse_cancel(200, {}, b"")
        with pytest.raises(ProviderError) as caught:
            provider.parse_cancel(404, {}, b'{"message": "not found"}')
        assert caught.value.kind is ErrorKind.NOT_FOUND


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("DataInspectionFailed", ErrorKind.MODERATION),
        ("data_inspection_failed", ErrorKind.MODERATION),
        ("IPInfringementSuspect", ErrorKind.MODERATION),
        # Could not download the media to inspect it: the URL is the problem, not the content.
        ("InvalidParameter.DataInspection", ErrorKind.INVALID_INPUT),
        ("Throttling", ErrorKind.THROTTLED),
        # Not bought: a person must enable the model, unlike a plain permission refusal.
        ("AccessDenied.Unpurchased", ErrorKind.ENTITLEMENT),
        ("InternalError.Algo", ErrorKind.SERVER),
        ("SomethingElse", None),
        ("", None),
        (None, None),
    ],
)
def test_kind_for_alibaba_code(code: str | None, kind: ErrorKind | None) -> None:
    assert kind_for_alibaba_code(code) is kind


def test_providers_import_nothing_that_does_io() -> None:
    # Sans-I/O: the adapters may import the standard library's pure parts and the request layer.
    allowed_roots = {
        "__future__",
        "collections",
        "dataclasses",
        "datetime",
        "email",
        "enum",
        "http",
        "json",
        "math",
        "re",  # the storage host's XML error, read without an XML parser
        "time",
        "typing",
        "urllib",
        "vace_studio",
    }
    for path in pathlib.Path(package.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed_roots, f"{path.name} imports {name}"
                if name.startswith("vace_studio."):
                    layer = name.split(".")[1]
                    assert layer in ("providers", "requests"), f"{path.name} imports {name}"
