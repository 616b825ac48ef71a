"""Modellix's protocol (reference section 2): flat-body submit, poll, and image uploads.

Answers are wrapped as ``{"code": 0, "message": "success", "data": {...}}``; errors are
``{"code": <HTTP status>, "message": ...}``. Task ids look like ``task-<24 hex>``, which is how the
shared ``GET /api/v1/tasks/{id}`` tells a Modellix poll from a DashScope one.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from vace_studio.simulator.bodies import (
    capped_receive,
    check_declared_length,
    read_json_object,
    too_large,
)
from vace_studio.simulator.clock import iso_time
from vace_studio.simulator.errors import ApiError, json_response
from vace_studio.simulator.storage import StoredFile
from vace_studio.simulator.submits import (
    accept,
    authenticate,
    base_url,
    check_billing,
    check_query,
    note_body,
    state_of,
    throttled,
)

MODEL_ID = "alibaba/wan2.1-vace-plus"
STATUS = {
    "queued": "pending",
    "running": "processing",
    "succeeded": "success",
    "failed": "failed",
    "canceled": "canceled",
}
IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
FORM_OVERHEAD = 64 * 1024


def _error(status: int, message: str) -> ApiError:
    return ApiError("modellix", status, "BadRequest" if status == 400 else "Error", message)


def ok(data: dict[str, Any]) -> Response:
    """Modellix's success envelope."""
    return json_response({"code": 0, "message": "success", "data": data})


async def submit(request: Request) -> Response:
    """``POST /api/v1/alibaba/wan2.1-vace-plus/async`` with a flat body (no ``model``)."""
    state, account = authenticate(request, "modellix")
    state.counters.add("submits", "modellix")
    body = await read_json_object(request, state.config.max_body_bytes, "modellix")
    note_body(state, "modellix", account, body)
    check_billing(state, "modellix", account)
    # The model is in the URL; a ``model`` key is redundant and, like any unknown field, ignored.
    vace = accept(body, "modellix")
    refusal = state.admit("modellix", account)
    if refusal is not None:
        raise throttled("modellix", refusal, state.clock.now())
    task = state.create_task("modellix", account, "wan2.1-vace-plus", vace)
    poll_url = f"{base_url(request)}/api/v1/tasks/{task.id}"
    return ok(
        {
            "status": "pending",
            "task_id": task.id,
            "model_id": MODEL_ID,
            "get_result": {"method": "GET", "url": poll_url},
        }
    )


async def poll(request: Request, task_id: str) -> Response:
    """``GET /api/v1/tasks/{task_id}`` for a Modellix id: 404 when unknown or expired."""
    state, account = authenticate(request, "modellix")
    check_query(state, "modellix", account)
    state.counters.add("polls", "modellix")
    task = state.registry.get(task_id, "modellix", account)
    if task is not None:
        task.polls += 1
    if task is None:
        raise _error(404, f"Task not found: {task_id}")
    if task.status == "failed":
        # The error-handling docs: ``data.error`` is no longer used; a failed task says only this.
        return ok({"status": "failed", "task_id": task.id})
    data: dict[str, Any] = {
        "status": STATUS[task.status],
        "task_id": task.id,
        "model_id": MODEL_ID,
        "created_at": iso_time(task.submitted_at),
        "updated_at": iso_time(task.updated_at),
    }
    outcome = task.outcome
    if task.status == "succeeded" and outcome is not None:
        resource: dict[str, Any] = {
            "url": state.result_url(base_url(request), task),
            "type": "video",
            "format": "mp4",
            "role": "output",
        }
        if outcome.width and outcome.height:
            resource["width"], resource["height"] = outcome.width, outcome.height
        data["result"] = {"resources": [resource]}
    return ok(data)


def _sniff(head: bytes) -> str | None:
    for magic, kind in IMAGE_TYPES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _safe_filename(name: str | None) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", (name or "").rsplit("/", 1)[-1])[:100]
    return cleaned.lstrip(".") or "file"


def _copy(upload: UploadFile, target: Path) -> tuple[int, bytes]:
    upload.file.seek(0)
    head = upload.file.read(16)
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    return target.stat().st_size, head


async def upload_media(request: Request) -> Response:
    """``POST /api/v1/media/files``: a PNG, JPEG or WebP image of at most 16 MiB."""
    state, account = authenticate(request, "modellix")
    cap = state.config.max_media_bytes
    check_declared_length(request, cap + FORM_OVERHEAD, "modellix")
    capped = Request(
        request.scope, capped_receive(request.receive, cap + FORM_OVERHEAD, "modellix")
    )
    async with capped.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _error(400, "The form has no file field.")
        scratch = state.storage.temp_path()
        size, head = await asyncio.to_thread(_copy, upload, scratch)
        kind = _sniff(head)
        if size > cap or kind is None:
            scratch.unlink(missing_ok=True)
            if size > cap:
                raise too_large("modellix", cap)
            raise _error(400, "Unsupported media type: upload a PNG, JPEG or WebP image.")
        name = _safe_filename(upload.filename)
        record = state.storage.save_media(
            scratch, StoredFile(scratch, account, name, size, kind, 0.0)
        )
    state.counters.add("uploads", "modellix")
    return ok(
        {
            "file_id": record.file_id,
            "filename": record.name,
            "size": record.size,
            "type": record.content_type,
            "url": base_url(request) + state.storage.signed_media_path(record),
            "created_at": iso_time(record.received_at),
        }
    )


async def delete_media(request: Request) -> Response:
    """``DELETE /api/v1/media/files/{file_id}``: only the uploader may delete a file."""
    state, account = authenticate(request, "modellix")
    file_id = request.path_params["file_id"]
    record = state.storage.media(file_id)
    if record is None or record.account != account:
        raise _error(404, f"File not found: {file_id}")
    state.storage.delete_media(file_id)
    return ok({"file_id": file_id, "deleted": True})


async def serve_media(request: Request) -> Response:
    """``GET /media/{file_id}/{name}?Expires=…&Signature=…``: an uploaded file, to whoever holds
    the signed link the upload answered (a CDN URL on the service; here a link that only the
    owner's process can have, so another local user cannot read the owner's uploads)."""
    state = state_of(request)
    file_id: str = request.path_params["file_id"]
    name: str = request.path_params["name"]
    query = request.query_params
    why = state.storage.check_media(
        file_id, name, query.get("Expires", ""), query.get("Signature", "")
    )
    if why:
        raise ApiError("oss", 403, why, "The link is not valid: " + why)
    record = state.storage.media(file_id)
    if record is None or name != record.name:
        raise _error(404, "File not found.")
    return FileResponse(record.path, media_type=record.content_type)


def routes() -> list[Route]:
    """Modellix's own routes (the shared ``GET /api/v1/tasks/{id}`` is assembled in ``app``)."""
    return [
        Route("/api/v1/alibaba/wan2.1-vace-plus/async", submit, methods=["POST"]),
        Route("/api/v1/media/files", upload_media, methods=["POST"]),
        Route("/api/v1/media/files/{file_id}", delete_media, methods=["DELETE"]),
        Route("/media/{file_id}/{name}", serve_media, methods=["GET"]),
    ]
