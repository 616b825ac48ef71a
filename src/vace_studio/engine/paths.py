"""Where the store and the video cache live.

Both sit under one home folder: ``home=`` wins, then ``VACE_STUDIO_HOME``, then the platform's
user data folder (platformdirs). One setting moves both, so a test or a class can isolate a run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "VACE_STUDIO_HOME"


@dataclass(frozen=True)
class Paths:
    """The files of one vace-studio home."""

    home: Path

    @property
    def store(self) -> Path:
        """The SQLite task history."""
        return self.home / "tasks.sqlite3"

    @property
    def cache(self) -> Path:
        """Downloaded result videos, named by the SHA-256 of their content."""
        return self.home / "videos"

    @property
    def staging(self) -> Path:
        """Partial downloads; moved into the cache only once complete and checked."""
        return self.home / "videos" / ".partial"


def resolve_paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """The home folder to use, created if needed."""
    chosen = home if home is not None else os.environ.get(HOME_ENV)
    if chosen:
        root = Path(chosen)
    else:
        import platformdirs  # only when no home is named; not a cost of ``import vace_studio``

        root = Path(platformdirs.user_data_dir("vace-studio"))
    paths = Paths(root.expanduser().resolve())
    paths.staging.mkdir(parents=True, exist_ok=True)
    return paths
