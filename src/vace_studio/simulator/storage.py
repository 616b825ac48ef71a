"""Files the simulator received or made, under one data directory, and the signatures that guard
them.

- ``uploads/``: DashScope temporary uploads (``oss://`` keys), stored under a hash of the key so
  no client-chosen name ever becomes a path.
- ``media/``: Modellix media files, stored under their generated id.
- ``results/``: rendered videos, named by their content-addressed render key.
- ``fetched/``: copies of http inputs fetched from loopback.

Upload policies are signed like OSS PostObject policies (HMAC-SHA1 over the base64 policy) and
result and media URLs carry ``Expires`` and ``Signature`` like signed OSS URLs (an HMAC of path and
expiry); all are keyed with the simulator's per-process secret (:mod:`.owner`), so only links the
simulator issued are honoured, and only until they expire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from vace_studio.simulator.clock import Clock

ACCESS_KEY_ID = "LTAI5tSimulatorVace0000"
"""The fake ``OSSAccessKeyId`` in policies and signed URLs."""
POLICY_SECONDS = 300
"""How long an upload policy may be used (``expire_in_seconds``)."""
RESULT_KEY = re.compile(r"^[0-9a-f]{40}$")
FILE_ID = re.compile(r"^file-[0-9a-f]{24}$")
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
MAX_KEY_LENGTH = 1023


@dataclass(frozen=True)
class StoredFile:
    """A received file: where it is, whose it is, and when it arrived (simulator clock)."""

    path: Path
    account: str
    name: str
    size: int
    content_type: str
    received_at: float
    model: str = ""
    file_id: str = ""


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also copes with non-ASCII input (attackers choose it)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class Storage:
    """The data directory, upload and media bookkeeping, and URL signing."""

    def __init__(self, root: Path | None, clock: Clock, upload_ttl: float, secret: str) -> None:
        self._owned = root is None
        self.root = Path(tempfile.mkdtemp(prefix="vace-sim-")) if root is None else Path(root)
        for sub in ("uploads", "media", "results", "fetched", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._upload_ttl = upload_ttl
        self._secret = secret.encode("utf-8")
        self._oss: dict[str, StoredFile] = {}
        self._media: dict[str, StoredFile] = {}
        self._lock = threading.Lock()

    # -- scratch space -------------------------------------------------------------------------

    def temp_path(self, suffix: str = "") -> Path:
        """A fresh path in the scratch directory (same file system, so renames are atomic)."""
        return self.root / "tmp" / f"{uuid.uuid4().hex}{suffix}"

    def result_path(self, key: str) -> Path:
        """Where the render with cache key ``key`` lives."""
        if not RESULT_KEY.match(key):
            raise ValueError(f"not a render key: {key!r}")
        return self.root / "results" / f"{key}.mp4"

    def fetched_path(self, url: str) -> Path:
        """Where a copy of the http input at ``url`` is kept."""
        return self.root / "fetched" / hashlib.sha256(url.encode("utf-8")).hexdigest()

    # -- DashScope temporary uploads -----------------------------------------------------------

    def _sign(self, text: str) -> str:
        digest = hmac.new(self._secret, text.encode("utf-8"), hashlib.sha1).digest()
        return base64.b64encode(digest).decode("ascii")

    def upload_policy(self, account: str, model: str, max_bytes: int) -> dict[str, Any]:
        """A fresh upload credential, shaped like ``GET /api/v1/uploads?action=getPolicy``'s."""
        now = self._clock.now()
        day = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d")
        upload_dir = f"dashscope-instant/{account}/{day}/{uuid.uuid4()}"
        expires = datetime.fromtimestamp(now + POLICY_SECONDS, UTC)
        document = {
            "expiration": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "conditions": [
                ["content-length-range", 0, max_bytes],
                ["starts-with", "$key", upload_dir],
                {"bucket": "dashscope-file-mgr"},
                {"x-oss-object-acl": "private"},
                {"x-oss-forbid-overwrite": "true"},
            ],
            # Not part of OSS policies; binds the credential to the account and model.
            "x-vace-account": account,
            "x-vace-model": model,
        }
        policy = base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")
        return {
            "policy": policy,
            "signature": self._sign(policy),
            "upload_dir": upload_dir,
            "oss_access_key_id": ACCESS_KEY_ID,
            "x_oss_object_acl": "private",
            "x_oss_forbid_overwrite": "true",
            "expire_in_seconds": POLICY_SECONDS,
            "max_file_size_mb": max_bytes // (1024 * 1024),
        }

    def check_policy(self, fields: dict[str, str]) -> tuple[dict[str, Any] | None, str]:
        """Check an OSS form post's fields; returns (policy document, "") or (None, why)."""
        policy = fields.get("policy", "")
        if fields.get("OSSAccessKeyId") != ACCESS_KEY_ID:
            return None, "InvalidAccessKeyId"
        if not policy or not _same(fields.get("Signature", ""), self._sign(policy)):
            return None, "SignatureDoesNotMatch"
        document: dict[str, Any] = json.loads(base64.b64decode(policy))
        expires = datetime.strptime(document["expiration"], "%Y-%m-%dT%H:%M:%S.000Z")
        if self._clock.now() > expires.replace(tzinfo=UTC).timestamp():
            return None, "PolicyExpired"
        key = fields.get("key", "")
        prefix = next(c[2] for c in document["conditions"] if c[0:2] == ["starts-with", "$key"])
        if not key.startswith(prefix + "/") or len(key) > MAX_KEY_LENGTH or key == prefix + "/":
            return None, "InvalidKey"
        return document, ""

    def oss_exists(self, key: str) -> bool:
        """Whether an unexpired object is stored under ``key``."""
        return self.oss_object(key) is not None

    def save_oss(self, key: str, source: Path, stored: StoredFile) -> StoredFile:
        """Move ``source`` into place as the object ``key``."""
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        path = self.root / "uploads" / digest
        shutil.move(source, path)
        record = StoredFile(
            path, stored.account, stored.name, stored.size, stored.content_type,
            self._clock.now(), stored.model,
        )  # fmt: skip
        with self._lock:
            self._oss[key] = record
        return record

    def oss_object(self, key: str) -> StoredFile | None:
        """The object under ``key`` while it has not expired (48 h on the service)."""
        with self._lock:
            record = self._oss.get(key)
        if record is None or self._clock.now() - record.received_at >= self._upload_ttl:
            return None
        return record

    # -- Modellix media files ------------------------------------------------------------------

    def save_media(self, source: Path, stored: StoredFile) -> StoredFile:
        """Keep an uploaded media file; returns its record with a fresh ``file_id``."""
        file_id = "file-" + uuid.uuid4().hex[:24]
        path = self.root / "media" / file_id
        shutil.move(source, path)
        record = StoredFile(
            path, stored.account, stored.name, stored.size, stored.content_type,
            self._clock.now(), file_id=file_id,
        )  # fmt: skip
        with self._lock:
            self._media[file_id] = record
        return record

    def media(self, file_id: str) -> StoredFile | None:
        """The media file ``file_id``, if it exists."""
        with self._lock:
            return self._media.get(file_id) if FILE_ID.match(file_id) else None

    def delete_media(self, file_id: str) -> bool:
        """Forget and delete a media file; ``False`` when there was none."""
        with self._lock:
            record = self._media.pop(file_id, None)
        if record is None:
            return False
        record.path.unlink(missing_ok=True)
        return True

    # -- signed links ------------------------------------------------------------------------

    def sign_path(self, path: str, ttl: float, issued_at: float) -> str:
        """``path`` with a signed OSS URL's query, valid ``ttl`` seconds after ``issued_at``."""
        expires = int(issued_at + ttl)
        signature = quote(self._sign(f"{path}\n{expires}"), safe="")
        return f"{path}?Expires={expires}&OSSAccessKeyId={ACCESS_KEY_ID}&Signature={signature}"

    def check_path(self, path: str, expires: str, signature: str) -> str:
        """An empty string when a signed link is genuine and current, else the OSS error code."""
        if not expires.isdigit() or len(expires) > 12:
            return "AccessDenied"
        if not _same(signature, self._sign(f"{path}\n{expires}")):
            return "SignatureDoesNotMatch"
        if self._clock.now() > int(expires):
            return "AccessDenied"
        return ""

    def signed_result_path(self, key: str, name: str, ttl: float, issued_at: float) -> str:
        """Path and query of a result URL, valid ``ttl`` seconds after ``issued_at``."""
        return self.sign_path(f"/results/{key}/{name}.mp4", ttl, issued_at)

    def check_result(self, key: str, name: str, expires: str, signature: str) -> str:
        """An empty string when a result URL is genuine and current, else the OSS error code."""
        if not RESULT_KEY.match(key) or not SAFE_NAME.match(name):
            return "AccessDenied"
        return self.check_path(f"/results/{key}/{name}.mp4", expires, signature)

    def signed_media_path(self, record: StoredFile) -> str:
        """Path and query of an uploaded media file's URL, valid as long as uploads are kept."""
        path = f"/media/{record.file_id}/{quote(record.name, safe='')}"
        return self.sign_path(path, self._upload_ttl, record.received_at)

    def check_media(self, file_id: str, name: str, expires: str, signature: str) -> str:
        """Like :meth:`check_result`, for a media URL (``name`` as it appears in the path)."""
        if not FILE_ID.match(file_id):
            return "AccessDenied"
        return self.check_path(f"/media/{file_id}/{quote(name, safe='')}", expires, signature)

    # -- lifetime ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget uploads and media (rendered results stay: they are a cache)."""
        with self._lock:
            records = list(self._oss.values()) + list(self._media.values())
            self._oss.clear()
            self._media.clear()
        for record in records:
            record.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the data directory if the simulator made it."""
        if self._owned:
            shutil.rmtree(self.root, ignore_errors=True)
