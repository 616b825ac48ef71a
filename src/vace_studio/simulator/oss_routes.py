"""DashScope temporary uploads (reference 1.7): the upload policy and the OSS form post.

``GET /api/v1/uploads?action=getPolicy&model=…`` answers a signed policy whose ``upload_host`` is
this simulator's ``/oss/upload``; a multipart POST there with the OSS form fields stores the file
as ``oss://{key}``, usable by the same account and model on a submit that carries
``X-DashScope-OssResourceResolve: enable``. The OSS side answers in OSS's XML error shape.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vace_studio.simulator.bodies import capped_receive, check_declared_length, too_large
from vace_studio.simulator.errors import ApiError, json_response, request_id
from vace_studio.simulator.storage import StoredFile
from vace_studio.simulator.submits import authenticate, base_url, state_of

FORM_OVERHEAD = 64 * 1024
"""Room for the form fields around the file in a multipart body."""


async def get_policy(request: Request) -> Response:
    """``GET /api/v1/uploads?action=getPolicy&model=…``: an upload credential under ``data``."""
    state, account = authenticate(request, "dashscope")
    action = request.query_params.get("action")
    if action != "getPolicy":
        raise ApiError(
            "dashscope", 400, "InvalidParameter", f"action: must be getPolicy (got {action!r})"
        )
    model = request.query_params.get("model")
    if not model:
        raise ApiError(
            "dashscope",
            400,
            "BadRequest.EmptyModel",
            "Required parameter 'model' missing from request.",
        )
    policy = state.storage.upload_policy(account, model, state.config.max_upload_bytes)
    policy["upload_host"] = base_url(request) + "/oss/upload"
    return json_response({"request_id": request_id(), "data": policy})


def _oss(status: int, code: str, message: str) -> ApiError:
    return ApiError("oss", status, code, message)


_POLICY_ERRORS = {
    "InvalidAccessKeyId": "The OSS Access Key Id you provided does not exist in our records.",
    "SignatureDoesNotMatch": "The request signature we calculated does not match the signature "
    "you provided.",
    "PolicyExpired": "Invalid according to Policy: Policy expired.",
    "InvalidKey": "Invalid according to Policy: Policy Condition failed: "
    '["starts-with", "$key", upload_dir]',
}


def _copy(upload: UploadFile, target: Path) -> int:
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    return target.stat().st_size


async def oss_upload(request: Request) -> Response:
    """``POST /oss/upload``: an OSS PostObject form; 200 when ``success_action_status`` is 200."""
    state = state_of(request)
    cap = state.config.max_upload_bytes
    check_declared_length(request, cap + FORM_OVERHEAD, "oss")
    capped = Request(request.scope, capped_receive(request.receive, cap + FORM_OVERHEAD, "oss"))
    async with capped.form(max_files=1, max_fields=20) as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("file")
        document, why = state.storage.check_policy(fields)
        if document is None:
            status = 400 if why == "InvalidKey" else 403
            raise _oss(
                status, "AccessDenied" if why == "PolicyExpired" else why, _POLICY_ERRORS[why]
            )
        if not isinstance(upload, UploadFile):
            raise _oss(400, "InvalidArgument", "The form has no file field.")
        key = fields["key"]
        forbid_overwrite = fields.get("x-oss-forbid-overwrite", "").lower() == "true"
        if forbid_overwrite and state.storage.oss_exists(key):
            raise _oss(409, "FileAlreadyExists", "The object you specified already exists.")
        scratch = state.storage.temp_path()
        size = await asyncio.to_thread(_copy, upload, scratch)
        if size > cap:
            scratch.unlink(missing_ok=True)
            raise too_large("oss", cap)
        content_type = fields.get("x-oss-content-type") or upload.content_type or ""
        name = key.rsplit("/", 1)[-1]
        record = StoredFile(
            scratch, str(document["x-vace-account"]), name, size, content_type, 0.0,
            model=str(document["x-vace-model"]),
        )  # fmt: skip
        state.storage.save_oss(key, scratch, record)
    state.counters.add("uploads", "dashscope")
    status = 200 if fields.get("success_action_status") == "200" else 204
    return Response(status_code=status, headers={"ETag": f'"{request_id()}"'})


def routes() -> list[Route]:
    """The upload policy route and the simulated OSS upload host."""
    return [
        Route("/api/v1/uploads", get_policy, methods=["GET"]),
        Route("/oss/upload", oss_upload, methods=["POST"]),
    ]
