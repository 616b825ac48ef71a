"""The notebooks run offline against the simulator, and are committed clean.

Every notebook in ``notebooks/`` except ``quickstart.ipynb`` (tested with the widget) is executed
with nbclient in a fresh kernel, with ``VACE_STUDIO_HOME`` in a temporary folder, no provider keys
in the environment, and the simulator's clock shortened through the notebook's ``parameters``
cell. Every notebook, quickstart included, must be saved without outputs or widget state.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.helpers import ROOT
from vace_studio.engine import HOME_ENV
from vace_studio.engine.settings import base_url_env, key_env

NOTEBOOKS = ROOT / "notebooks"
EXECUTED = sorted(p for p in NOTEBOOKS.glob("*.ipynb") if p.name != "quickstart.ipynb")
FAST = "QUEUE_SECONDS = 0.1\nRUN_SECONDS = 0.2"
TIME_LIMIT = 60.0


def test_the_promised_notebooks_exist() -> None:
    names = {p.name for p in EXECUTED}
    tours = {
        f"tour-{f}.ipynb"
        for f in (
            "image-reference",
            "video-repainting",
            "video-edit",
            "video-extension",
            "video-outpainting",
        )
    }
    assert tours | {"prompt-sweep.ipynb", "teaching-demo.ipynb"} <= names


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs_or_widget_state(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata, "saved widget state: clear it before committing"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs: clear them"
            assert cell.execution_count is None, f"{path.name}: clear the execution counts"
        assert "attachments" not in cell or not cell.attachments, f"{path.name}: attachments"


@dataclass(frozen=True)
class Run:
    errors: list[str]
    seconds: float


async def _execute(path: Path, folder: Path) -> Run:
    nb = nbformat.read(path, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    if len(tagged) != 1:
        return Run([f"{path.name} needs exactly one cell tagged 'parameters'"], 0.0)
    nb.cells.insert(tagged[0] + 1, nbformat.v4.new_code_cell(FAST))
    provider_env = (*key_env().values(), *base_url_env().values())
    env = {k: v for k, v in os.environ.items() if k not in provider_env}
    env[HOME_ENV] = str(folder / "home")  # never a real provider, never the user's history
    client = NotebookClient(
        nb, timeout=TIME_LIMIT, kernel_name="python3", resources={"metadata": {"path": folder}}
    )
    started = time.monotonic()
    try:
        await client.async_execute(env=env)
    except CellExecutionError as error:
        return Run([str(error)[-3000:]], time.monotonic() - started)
    return Run([], time.monotonic() - started)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every notebook executed, a few at a time: they mostly wait on the simulator's clock."""

    async def run_all() -> dict[str, Run]:
        limit = asyncio.Semaphore(4)

        async def one(path: Path) -> Run:
            async with limit:
                return await _execute(path, tmp_path_factory.mktemp(path.stem))

        done = await asyncio.gather(*(one(p) for p in EXECUTED))
        return {p.name: r for p, r in zip(EXECUTED, done, strict=True)}

    return asyncio.run(run_all())


@pytest.mark.slow
@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: p.name)
def test_notebook_runs_offline_against_the_simulator(path: Path, runs: dict[str, Run]) -> None:
    run = runs[path.name]
    assert run.errors == []
    assert run.seconds < TIME_LIMIT, f"{path.name} took {run.seconds:.0f} s"
