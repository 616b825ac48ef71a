"""DashScope temporary storage: turning a local file into an ``oss://`` URL, sans-I/O.

Reference ``providers.md`` section 1.7 and the SDK's ``dashscope/utils/oss_utils.py``:

1. ``GET /api/v1/uploads?action=getPolicy&model=<model>`` -> a credential under ``data``
   (:func:`upload_policy_request`, then :func:`read_upload_policy`);
2. ``POST`` a multipart form to ``upload_host``: the text fields of :func:`upload_form` in the
   SDK's order, then the ``file`` part; HTTP 200 means stored;
3. submit with ``oss://{key}`` and ``X-DashScope-OssResourceResolve: enable`` (the DashScope
   adapter adds that header whenever a media field starts with ``oss://``).

:class:`TemporaryStorage` gives the adapter these steps as the ``HostedUploads`` capability.

Files are kept 48 h and bound to one model and one account. One credential serves several files.
Whether Singapore (``dashscope-intl``) supports this for VACE is uncertain (docs disagree).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vace_studio.providers.base import HttpRequestSpec, UploadCredential, UploadSpec
from vace_studio.providers.errors import kind_for_status
from vace_studio.providers.wire import (
    error_from_parts,
    is_success,
    number,
    obj,
    protocol_error,
    verbatim,
)

UPLOADS_PATH = "/api/v1/uploads"
UPLOAD_TTL = 48 * 3600.0
"""Temporary files are deleted after 48 h (section 1.7)."""

# Content types by extension for the formats the model takes. A fixed table, not ``mimetypes``:
# that module reads the system's mime.types files, and the answer would vary by machine.
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "mp4": "video/mp4",
}


@dataclass(frozen=True)
class UploadPolicy:
    """An upload credential from ``getPolicy`` (the response's ``data``).

    ``expire_in_seconds`` and ``max_file_size_mb`` are seen in third-party clients only [I]
    and are ``None`` when absent.
    """

    upload_host: str
    upload_dir: str
    policy: str
    signature: str
    oss_access_key_id: str
    x_oss_object_acl: str
    x_oss_forbid_overwrite: str
    expire_in_seconds: float | None = None
    max_file_size_mb: float | None = None


_REQUIRED = (
    "upload_host",
    "upload_dir",
    "policy",
    "signature",
    "oss_access_key_id",
    "x_oss_object_acl",
    "x_oss_forbid_overwrite",
)


def upload_policy_request(base_url: str, model: str, headers: Mapping[str, str]) -> HttpRequestSpec:
    """``GET {base_url}/api/v1/uploads?action=getPolicy&model={model}``."""
    params = {"action": "getPolicy", "model": model}
    return HttpRequestSpec("GET", base_url + UPLOADS_PATH, dict(headers), params=params)


def read_upload_policy(root: Mapping[str, Any], status: int, body: bytes) -> UploadPolicy:
    """The :class:`UploadPolicy` in a parsed 2xx ``getPolicy`` response.

    The raw API puts it under ``data`` (the SDK renames that to ``output``; both are read).
    Raises ``ProtocolError`` naming the first missing field.
    """
    data = obj(root.get("data")) or obj(root.get("output"))
    if data is None:
        raise protocol_error("dashscope", status, "an upload policy under data", body)
    values: dict[str, str] = {}
    for key in _REQUIRED:
        value = data.get(key)
        if isinstance(value, bool):
            # The credential may carry the flag as a JSON boolean; the form wants text.
            values[key] = "true" if value else "false"
        elif (shown := verbatim(value)) is not None:
            values[key] = shown
        else:
            raise protocol_error("dashscope", status, f"data.{key} in the upload policy", body)
    return UploadPolicy(
        **values,
        expire_in_seconds=number(data.get("expire_in_seconds")),
        max_file_size_mb=number(data.get("max_file_size_mb")),
    )


def content_type(filename: str) -> str:
    """The ``x-oss-content-type`` for a file name (``application/octet-stream`` if unknown)."""
    _, dot, extension = filename.rpartition(".")
    if not dot:
        return "application/octet-stream"
    return CONTENT_TYPES.get(extension.lower(), "application/octet-stream")


def upload_form(policy: UploadPolicy, filename: str) -> tuple[str, dict[str, str], str]:
    """What to POST for one file: ``(upload URL, text fields in the SDK's order, oss:// URL)``.

    Only the base name of ``filename`` is used. Pick a name without Chinese characters (the
    service rejects such image URLs) and unique per file, e.g. a content hash plus extension:
    the credential forbids overwriting. The engine appends the ``file`` part after these fields.
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if name in ("", ".", ".."):
        raise ValueError(f"filename must name a file (got {filename!r})")
    key = f"{policy.upload_dir.rstrip('/')}/{name}"
    fields = {
        "OSSAccessKeyId": policy.oss_access_key_id,
        "Signature": policy.signature,
        "policy": policy.policy,
        "key": key,
        "x-oss-object-acl": policy.x_oss_object_acl,
        "x-oss-forbid-overwrite": policy.x_oss_forbid_overwrite,
        "success_action_status": "200",
        "x-oss-content-type": content_type(name),
    }
    return policy.upload_host, fields, f"oss://{key}"


_XML_FIELD = re.compile(r"<(Code|Message)>([^<]{1,200})</\1>")


def read_storage_answer(
    spec: UploadSpec, status: int, headers: Mapping[str, str], body: bytes
) -> str:
    """The ``oss://`` URL of a stored file, or the storage host's refusal as a typed error with
    OSS's XML ``Code`` and ``Message`` verbatim. A 409 means this very content is already
    stored under this key (the credential forbids overwrites): stored, then."""
    if is_success(status) or status == 409:
        return f"oss://{spec.fields['key']}"
    found = dict(_XML_FIELD.findall(body[:4000].decode("utf-8", errors="replace")))
    raise error_from_parts(
        "dashscope",
        status,
        headers,
        body,
        kind=kind_for_status(status),
        code=found.get("Code"),
        message=found.get("Message"),
    )


class TemporaryStorage:
    """DashScope's ``HostedUploads``: one credential per submit, a signed multipart ``POST`` to
    the storage host per file, ``oss://`` URLs bound to the model and the account."""

    model: str
    base_url: str
    upload_ttl_seconds = UPLOAD_TTL

    def _headers(self, *, json_body: bool = False) -> dict[str, str]:
        raise NotImplementedError  # the adapter's

    def _success(self, status: int, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        raise NotImplementedError  # the adapter's

    @property
    def upload_scope(self) -> str:
        """The model id: a temporary file is only readable by the model it was uploaded for."""
        return self.model

    def upload_refusal(self, kind: str, fmt: str | None, size: int | None) -> str | None:
        """``None``: the storage takes any file (its size limit comes with the credential)."""
        return None

    def upload_policy_request(self) -> HttpRequestSpec:
        """``GET /api/v1/uploads?action=getPolicy&model=...`` for this provider's model."""
        return upload_policy_request(self.base_url, self.model, self._headers())

    def parse_upload_policy(
        self, status: int, headers: Mapping[str, str], body: bytes
    ) -> UploadPolicy:
        """The upload credential in the response's ``data``."""
        return read_upload_policy(self._success(status, headers, body), status, body)

    @staticmethod
    def upload_form(policy: UploadPolicy, filename: str) -> tuple[str, dict[str, str], str]:
        """``(upload URL, multipart text fields in the SDK's order, resulting oss:// URL)``."""
        return upload_form(policy, filename)

    def upload_credential_request(self) -> HttpRequestSpec | None:
        return self.upload_policy_request()

    def parse_upload_credential(
        self, status: int, headers: Mapping[str, str], body: bytes
    ) -> UploadCredential:
        return self.parse_upload_policy(status, headers, body)

    def upload_spec(self, credential: UploadCredential | None, filename: str) -> UploadSpec:
        if not isinstance(credential, UploadPolicy):
            raise TypeError(f"a DashScope upload needs its UploadPolicy (got {credential!r})")
        url, fields, _ = upload_form(credential, filename)
        name = fields["key"].rsplit("/", 1)[-1]
        return UploadSpec(url, fields, name, authorize=False)

    def parse_upload(
        self, spec: UploadSpec, status: int, headers: Mapping[str, str], body: bytes
    ) -> str:
        return read_storage_answer(spec, status, headers, body)
