"""A throwaway PostgreSQL server for the tests and the benchmarks: ``initdb`` and ``pg_ctl`` into
a fresh folder, on a free loopback port, with fsync off (nothing in it must survive a crash).

Debian installs the server binaries outside ``PATH`` (``/usr/lib/postgresql/<version>/bin``);
``make system`` installs the ``postgresql`` package when none is found. PostgreSQL refuses to run
as root, so as root the server runs as the unprivileged ``postgres`` user the package creates (or
``nobody``), in a folder that user owns.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

_SUPERUSER = "vace"


def server_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest Debian version first), or ``None``."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> list[str]:
    """The prefix that runs a server command as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            import pwd

            pwd.getpwnam(user)
            return ["runuser", "-u", user, "--"]
    raise RuntimeError("running as root, and there is no 'postgres' or 'nobody' user to run as")


class PgServer:
    """One running server; :meth:`database` makes a fresh, uniquely named database on it."""

    def __init__(self) -> None:
        found = server_bin()
        if found is None:
            raise RuntimeError(
                "PostgreSQL is not installed: run `make system` (Debian: postgresql)"
            )
        self.bin = found
        self.port = _free_port()
        # Not under pytest's tmp folder: that is private to the user running the tests (0700),
        # and the server may run as another user.
        self.root = Path(tempfile.mkdtemp(prefix="vace-pg-"))
        self.data = self.root / "data"
        self.prefix = _run_as()
        self.template: str | None = None
        """A prepared database new ones may copy (set by whoever prepared it)."""
        if self.prefix:
            shutil.chown(self.root, user=self.prefix[2])
            self.root.chmod(0o700)
        self._call(
            "initdb", "-D", str(self.data), "-U", _SUPERUSER, "--auth=trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._call(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w",
            "-t", "60", "start",
        )  # fmt: skip

    def _call(self, tool: str, *args: str) -> None:
        command = [*self.prefix, str(self.bin / tool), *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr or done.stdout}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{_SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def database(self, prefix: str = "t", *, template: str | None = None) -> str:
        """A new database's URL (each test or module gets its own): empty, or a copy of
        ``template`` (copying a prepared database is quicker than preparing each one)."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        like = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            try:  # copying the files is quicker than WAL-logging them (PostgreSQL 15+)
                conn.execute(f'CREATE DATABASE "{name}"{like} STRATEGY FILE_COPY')
            except psycopg.errors.SyntaxError:
                conn.execute(f'CREATE DATABASE "{name}"{like}')
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._call("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def pg_server() -> Iterator[PgServer]:
    """A server for the duration of the block."""
    server = PgServer()
    try:
        yield server
    finally:
        server.stop()
