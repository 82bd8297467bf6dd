"""A real, private PostgreSQL server for the tests: Debian's binaries, ``initdb`` in a temp folder.

The server listens only on a Unix socket in its own folder (no TCP port), runs as the
``postgres`` system user when the tests run as root (PostgreSQL refuses to run as
root), and is stopped when the test session ends.  Install it with
``apt-get install postgresql`` (``make test`` does).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def pg_bindir() -> Path | None:
    """The newest installed ``/usr/lib/postgresql/<major>/bin`` with initdb, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


@dataclass
class PostgresServer:
    """A running server: its folder, socket folder and superuser."""

    root: Path
    bindir: Path
    user: str

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def url(self, database: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of ``database`` over the Unix socket."""
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.socket_dir}"

    def _run(self, *args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(_as_owner([str(a) for a in args]), check=True,
                              capture_output=True, text=True, **kw)

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        self._run(self.bindir / "createdb", "-h", self.socket_dir, "-U", self.user, name)
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        subprocess.run(_as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"),
                                  "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def _owner() -> str | None:
    """The system user the server runs as when we are root (else ourselves)."""
    return "postgres" if os.geteuid() == 0 else None


def _as_owner(cmd: list[str]) -> list[str]:
    owner = _owner()
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


def start_server() -> PostgresServer:
    """initdb a fresh cluster in a temp folder and start it on a private socket."""
    bindir = pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="course-pg-"))
    (root / "sock").mkdir()
    owner = _owner()
    if owner:
        shutil.chown(root, owner)
        shutil.chown(root / "sock", owner)
    user = owner or os.environ.get("USER", "postgres")
    server = PostgresServer(root, bindir, user)
    server._run(bindir / "initdb", "-D", root / "data", "-U", user, "--auth=trust",
                "--no-sync", "-E", "UTF8")
    server._run(bindir / "pg_ctl", "-D", root / "data", "-w", "-l", root / "server.log",
                "-o", f"-k {root / 'sock'} -c listen_addresses='' -c fsync=off", "start")
    return server
