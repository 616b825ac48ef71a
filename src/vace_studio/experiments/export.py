"""Export a run — a sweep or some tasks — as a folder (or zip) anyone can open from disk.

The folder holds ``videos/`` (copies of the downloaded MP4s), ``manifest.json`` (every task's
request, labels, status, usage and cost) and ``index.html``, a static page that plays the videos
side by side, labelled by the fields that vary. The page has no external assets and no server:
it works opened straight from the file system, offline, years later.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vace_studio._version import __version__
from vace_studio.engine import TaskRecord
from vace_studio.engine.status import WITH_VIDEO
from vace_studio.engine.store_api import TaskStore
from vace_studio.experiments.export_html import render_index
from vace_studio.experiments.grid import build_grid, jsonable, label_key
from vace_studio.experiments.history import open_store
from vace_studio.experiments.sweeps import Sweep
from vace_studio.providers import regional

MANIFEST_FORMAT = "vace-studio-run"
MANIFEST_VERSION = 1


class ExportError(ValueError):
    """The run cannot be exported as asked; the message says why."""


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _slug(labels: dict[str, Any], limit: int = 60) -> str:
    text = "-".join(f"{k}-{v}" for k, v in labels.items()) or "task"
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.").lower()
    return slug[:limit].rstrip("-.") or "task"


def _varied(records: Sequence[TaskRecord]) -> list[str]:
    """Request fields whose values differ between the records, in request order."""
    if len(records) < 2:
        return []
    names: list[str] = []
    for record in records:
        names += [n for n in record.request if n not in names]
    return [
        n for n in names if len({json.dumps(r.request.get(n), sort_keys=True) for r in records}) > 1
    ]


def _load(
    store: TaskStore, run: str | Sequence[str]
) -> tuple[str | None, list[TaskRecord], dict[str, Any] | None]:
    """(group id, records, group) of a group id, a task id or a list of task ids."""
    if isinstance(run, str):
        group = store.group(run)
        records = store.select(group_id=run)
        if group is not None or records:
            return run, records, group
    ids = [run] if isinstance(run, str) else list(run)
    found = {i: store.get(i) for i in ids}
    unknown = [i for i, r in found.items() if r is None]
    if unknown:
        raise ExportError(f"no task {', '.join(map(repr, unknown))} in the store at {store.path}")
    if not ids:
        raise ExportError("nothing to export: no task ids given")
    return None, [r for r in found.values() if r is not None], None


def _ordered(
    records: list[TaskRecord], group: dict[str, Any] | None
) -> tuple[list[str], list[tuple[TaskRecord, dict[str, Any]]]]:
    """The labelling fields, and each record with its labels, in grid (else creation) order."""
    if group is not None and group.get("kind") == "sweep":
        spec = group["spec"]
        fields = list(spec["fields"])
        order = {label_key(c.labels): c.index for c in build_grid(spec["base"], spec["grid"]).cells}
        labelled = [(r, {f: r.tags.get(f) for f in fields}) for r in records]
        labelled.sort(key=lambda x: (order.get(label_key(x[1]), len(order)), x[0].created_at))
        return fields, labelled
    fields = _varied(records)
    return fields, [(r, {f: r.request.get(f) for f in fields}) for r in records]


def _prepare(dest: Path, overwrite: bool) -> None:
    if dest.exists():
        if not dest.is_dir():
            raise ExportError(f"{dest} exists and is not a folder")
        if any(dest.iterdir()):
            if not overwrite:
                raise ExportError(f"{dest} is not empty; pass overwrite=True or another folder")
            shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)


def _write_folder(
    folder: Path,
    title: str,
    group_id: str | None,
    group: dict[str, Any] | None,
    fields: list[str],
    labelled: list[tuple[TaskRecord, dict[str, Any]]],
) -> dict[str, Any]:
    videos = folder / "videos"
    videos.mkdir()
    entries: list[dict[str, Any]] = []
    for n, (record, labels) in enumerate(labelled, start=1):
        video: str | None = None
        note: str | None = None
        source = Path(record.local_path) if record.local_path else None
        if source is not None and source.is_file():
            video = f"videos/{n:02d}-{_slug(labels)}.mp4"
            shutil.copyfile(source, folder / video)
        elif record.status in WITH_VIDEO:
            note = "the video was not downloaded (or was removed from the cache)"
        entries.append(
            {
                "index": n - 1,
                "labels": jsonable(labels),
                "id": record.id,
                "task_id": record.task_id,
                "function": record.function,
                "provider": record.provider,
                "region": regional(record.protocol, record.region),
                "status": record.status,
                "error_code": record.error_code,
                "error_message": record.error_message,
                "request": record.request,
                "usage": record.usage,
                "cost": record.cost,
                "created_at": _iso(record.created_at),
                "submitted_at": _iso(record.submitted_at),
                "finished_at": _iso(record.finished_at),
                "video": video,
                "video_sha256": record.video_sha256 if video else None,
                "note": note,
            }
        )
    costs = [e["cost"] for e in entries if e["cost"] is not None]
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "title": title,
        "group_id": group_id,
        "exported_at": _iso(datetime.now(UTC).timestamp()),
        "vace_studio_version": __version__,
        "fields": fields,
        "sweep": group["spec"] if group is not None else None,
        "total_cost": round(sum(costs), 6) if costs else None,
        "tasks": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    (folder / "index.html").write_text(render_index(manifest), encoding="utf-8")
    return manifest


def export_run(
    run: str | Sweep | Sequence[str],
    dest: str | os.PathLike[str],
    *,
    zip: bool = False,  # the documented name; the builtin zip() is not used in this function
    home: str | os.PathLike[str] | None = None,
    store: TaskStore | None = None,
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a run to ``dest`` as ``videos/``, ``manifest.json`` and ``index.html``.

    ``run`` is a :class:`Sweep`, a sweep's ``group_id``, one task id or a list of task ids.
    Tasks come from ``store`` (default: the sweep's client's store, else the store of ``home``).
    ``dest`` must not exist or be empty (``overwrite=True`` empties it). With ``zip=True`` the
    result is one zip file instead (``dest``, ``.zip`` added if missing) holding the same
    folder. Tasks without a video are listed with their status and error. Returns the folder
    (or zip) path.
    """
    if isinstance(run, Sweep):
        return export_run(
            run.group_id,
            dest,
            zip=zip,
            store=store or run.client.store,
            title=title or run.name,
            overwrite=overwrite,
        )
    if store is None:
        with open_store(home) as opened:
            return export_run(run, dest, zip=zip, store=opened, title=title, overwrite=overwrite)
    group_id, records, group = _load(store, run)
    fields, labelled = _ordered(records, group)
    name = title or (group["spec"].get("name") if group else None) or group_id or "vace-studio run"
    target = Path(dest).expanduser()
    if not zip:
        _prepare(target, overwrite)
        _write_folder(target, name, group_id, group, fields, labelled)
        return target
    archive = target if target.suffix == ".zip" else target.with_name(target.name + ".zip")
    if archive.exists() and not overwrite:
        raise ExportError(f"{archive} exists; pass overwrite=True or another name")
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / archive.stem
        folder.mkdir()
        _write_folder(folder, name, group_id, group, fields, labelled)
        partial = archive.with_name(archive.name + ".partial")
        # MP4s are compressed already: store them; deflate only the text files.
        with zipfile.ZipFile(partial, "w") as out:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    kind = zipfile.ZIP_STORED if path.suffix == ".mp4" else zipfile.ZIP_DEFLATED
                    out.write(path, path.relative_to(folder.parent), compress_type=kind)
        partial.replace(archive)
    return archive
