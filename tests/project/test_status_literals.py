"""Task status words live in one module: ``engine/status.py``.

(``tests/engine/test_status.py`` checks the same by lines; this one reads the syntax tree, so it
also covers ``"unknown"`` — a status and an English word — and ignores prose in docstrings.)

Anywhere else a status is spelled as a quoted literal (``"queued"``, ``'succeeded'``) is a second
list that can drift from the table — the bug class that left advice off uncertain tasks. The
providers' adapters and the simulator speak wire protocols whose own words happen to match, so
they are exempt; so are docstrings (prose, not code).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import ROOT
from vace_studio.engine.status import Status

SRC = ROOT / "src" / "vace_studio"
EXEMPT_DIRS = ("providers", "simulator", "static")
EXEMPT_FILES = ("engine/status.py",)
NOT_A_STATUS = {
    ("experiments/cost.py", "unknown"): "a price source (published, given, unknown)",
}
"""Literals that spell a status word with another meaning: (file, word) → that meaning."""

WORDS = frozenset(status.value for status in Status)


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for stmt in body:
            # A string statement is prose: a docstring, or an attribute's docstring after it.
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                ids.add(id(stmt.value))
    return ids


def literals(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, word)`` for every quoted status word in ``path`` outside docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose = _docstrings(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in WORDS
            and id(node) not in prose
        ):
            yield node.lineno, node.value


def _files() -> list[Path]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.split("/", 1)[0] not in EXEMPT_DIRS and rel not in EXEMPT_FILES:
            out.append(path)
    return out


def _offences(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        rel = path.relative_to(SRC).as_posix()
        for line, word in literals(path):
            if (rel, word) not in NOT_A_STATUS:
                found.append(f"{rel}:{line}: {word!r}")
    return found


def test_no_status_literal_outside_the_status_module() -> None:
    offences = _offences(_files())
    assert not offences, (
        "status words spelled outside engine/status.py (use Status / the derived sets):\n"
        + "\n".join(offences)
    )


def test_the_check_finds_a_literal(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('"""Mentions "queued" in prose."""\nx = "queued"\ny = "queue"\n')
    assert list(literals(sample)) == [(2, "queued")]
