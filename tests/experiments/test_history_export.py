"""History as rows and a DataFrame, re-runs, and exports that open as a page from disk."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Finished, finish_experiment
from vace_studio.engine import HOME_ENV, Client
from vace_studio.experiments import (
    COLUMNS,
    ExportError,
    MissingPandas,
    export_run,
    history,
    history_rows,
    rerun,
    sweep_rows,
)
from vace_studio.simulator import SimulatorHandle
from vace_studio.simulator.samples import FileServer


@pytest.fixture(scope="module")
def finished(
    tmp_path_factory: pytest.TempPathFactory,
    simulator: SimulatorHandle,
    media: dict[str, Path],
    file_server: FileServer,
) -> Finished:
    home = tmp_path_factory.mktemp("finished") / "home"
    good = file_server.url(media["video"])
    return finish_experiment(home, simulator, good, f"{file_server.base_url}/missing.mp4")


def test_the_fixture_has_successes_and_failures(finished: Finished) -> None:
    assert [r["status"] for r in finished.results] == ["succeeded", "failed"] * 2


# -- history -------------------------------------------------------------------------------
def test_history_has_one_row_per_task_with_the_documented_columns(finished: Finished) -> None:
    frame = history(finished.home)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 5
    assert frame["local_id"].is_unique
    assert str(frame["created_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["created_at"].is_monotonic_increasing
    ok = frame[frame["status"] == "succeeded"]
    assert len(ok) == 3
    assert ok["has_video"].all()
    assert (ok["video_seconds"] == 5).all()
    assert (ok["cost"] == 0.5).all()
    assert all(Path(p).is_file() for p in ok["local_path"])
    assert (ok["total_seconds"] > 0).all()
    failed = frame[frame["status"] == "failed"]
    assert len(failed) == 2
    assert failed["error_code"].notna().all()
    assert failed["error_message"].notna().all()
    assert not failed["has_video"].any()
    sweep_rows = frame[frame["group_id"] == finished.group_id]
    assert [set(labels) for labels in sweep_rows["labels"]] == [{"prompt", "video_url"}] * 4
    assert set(frame["provider"]) == {"dashscope"}
    assert set(frame["region"]) == {"intl"}
    assert frame.iloc[-1]["request"]["seed"] == 4
    assert frame.iloc[-1]["prompt"] == "alone"


def test_history_filters(finished: Finished) -> None:
    def count(**filters: Any) -> int:
        return len(history_rows(finished.home, **filters))

    assert count(status="failed") == 2
    assert count(status=["failed", "succeeded"]) == 5
    assert count(group_id=finished.group_id) == 4
    assert count(labels={"prompt": "a <b>"}) == 2
    assert count(labels={"prompt": "a <b>", "video_url": finished.good_url}) == 1
    assert count(function="video_edit") == 0
    assert count(since=time.time() + 60) == 0
    assert [r["local_id"] for r in history_rows(finished.home, limit=1)] == [finished.lone_id]


def test_history_rows_are_json_and_the_home_comes_from_the_environment(
    finished: Finished, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = history_rows(finished.home)
    assert json.loads(json.dumps(rows)) == rows
    monkeypatch.setenv(HOME_ENV, str(finished.home))
    assert history_rows() == rows
    assert list(history()["local_id"]) == [r["local_id"] for r in rows]


def test_sweep_rows_list_each_sweep_with_its_counts(finished: Finished) -> None:
    (row,) = sweep_rows(finished.home)
    assert row["group_id"] == finished.group_id
    assert (row["name"], row["fields"], row["cells"]) == ("t", ["prompt", "video_url"], 4)
    assert row["statuses"] == {"succeeded": 2, "failed": 2}
    assert row["estimate"]["total"] == pytest.approx(2.0)
    assert json.loads(json.dumps(row)) == row


def test_without_pandas_history_names_the_extra(
    finished: Finished, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(MissingPandas, match=r"pip install 'vace-studio\[pandas\]'"):
        history(finished.home)
    assert len(history_rows(finished.home)) == 5


async def test_rerun_queues_the_same_request_with_changes(
    finished: Finished,
    simulator: SimulatorHandle,
    make_client: Callable[..., Client],
    tmp_path: Path,
) -> None:
    home = tmp_path / "copy"
    shutil.copytree(finished.home, home)
    client = make_client(simulator, home=home)
    task = rerun(client, finished.lone_id, seed=9)
    result = await task.wait(60)
    assert result.status == "succeeded"
    assert task.record.request["seed"] == 9
    assert task.record.request["prompt"] == "alone"
    assert task.record.tags == {"seed": 9, "rerun_of": finished.lone_id}
    with pytest.raises(KeyError, match="no task 'nope'"):
        rerun(client, "nope")
    await client.aclose()
    assert len(history_rows(home)) == 6


# -- export --------------------------------------------------------------------------------
class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "input", "br", "source"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1:] == [tag], (self.open[-5:], tag)
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert page.open == [], page.open  # every element closed: well-formed
    return page


def _check_export(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    page = _read_page(folder / "index.html")
    for tag, attrs in page.tags:
        assert tag not in ("link", "img", "iframe"), tag
        assert not (tag == "script" and attrs.get("src")), attrs
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), value
    sources = [a["src"] for t, a in page.tags if t == "video"]
    assert sources == [t["video"] for t in manifest["tasks"] if t["video"]]
    for task in manifest["tasks"]:
        if task["video"]:
            data = (folder / task["video"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == task["video_sha256"]
            assert data[4:8] == b"ftyp"
    return manifest


def test_a_sweep_exports_as_a_folder_that_opens_as_html(finished: Finished, tmp_path: Path) -> None:
    out = export_run(finished.group_id, tmp_path / "run", home=finished.home)
    assert out == tmp_path / "run"
    manifest = _check_export(out)
    assert (manifest["format"], manifest["version"], manifest["title"]) == (
        "vace-studio-run",
        1,
        "t",
    )
    assert manifest["fields"] == ["prompt", "video_url"]
    assert [t["labels"]["prompt"] for t in manifest["tasks"]] == ["a <b>"] * 2 + ["c & d"] * 2
    assert [t["status"] for t in manifest["tasks"]] == ["succeeded", "failed"] * 2
    assert manifest["total_cost"] == pytest.approx(1.0)
    assert manifest["sweep"]["grid"]["prompt"] == ["a <b>", "c & d"]
    html = (out / "index.html").read_text()
    assert "prompt = a &lt;b&gt;" in html
    assert "c &amp; d" in html
    failed = [t for t in manifest["tasks"] if t["status"] == "failed"]
    assert failed[0]["error_code"]
    assert failed[0]["error_code"] in html
    with pytest.raises(ExportError, match="not empty"):
        export_run(finished.group_id, out, home=finished.home)
    export_run(finished.group_id, out, home=finished.home, overwrite=True, title="again")
    assert json.loads((out / "manifest.json").read_text())["title"] == "again"


def test_a_run_exports_as_a_zip(finished: Finished, tmp_path: Path) -> None:
    archive = export_run(finished.group_id, tmp_path / "run", zip=True, home=finished.home)
    assert archive == tmp_path / "run.zip"
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        assert {"run/index.html", "run/manifest.json"} <= set(names)
        videos = [i for i in zipped.infolist() if i.filename.endswith(".mp4")]
        assert len(videos) == 2
        assert all(i.compress_type == zipfile.ZIP_STORED for i in videos)
        zipped.extractall(tmp_path / "unzipped")
    _check_export(tmp_path / "unzipped" / "run")
    with pytest.raises(ExportError, match="exists"):
        export_run(finished.group_id, archive, zip=True, home=finished.home)


def test_chosen_tasks_export_labelled_by_what_differs(finished: Finished, tmp_path: Path) -> None:
    first = finished.results[0]["local_id"]
    out = export_run([first, finished.lone_id], tmp_path / "pair", home=finished.home)
    manifest = _check_export(out)
    assert manifest["group_id"] is None
    assert manifest["fields"] == ["prompt", "seed"]
    assert [t["labels"] for t in manifest["tasks"]] == [
        {"prompt": "a <b>", "seed": None},
        {"prompt": "alone", "seed": 4},
    ]
    single = _check_export(export_run(finished.lone_id, tmp_path / "one", home=finished.home))
    assert single["fields"] == []
    assert len(single["tasks"]) == 1
    with pytest.raises(ExportError, match="no task 'nope'"):
        export_run(["nope"], tmp_path / "x", home=finished.home)
