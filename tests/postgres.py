"""A throwaway PostgreSQL server for the tests: Debian's server binaries (``scripts/setup.sh
--postgres``), a cluster in a temporary folder, listening on 127.0.0.1 at a free port (and a unix
socket in that folder), with a random password; stopped and deleted at the end of the session.

initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` account that
Debian's package creates, and its commands run as that account (``runuser``).
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

SERVER_GLOB = "/usr/lib/postgresql/*/bin"
ACCOUNT = "postgres"
SUPERUSER = "brief"
MISSING = (
    "PostgreSQL's server binaries are not installed (no initdb and pg_ctl in "
    f"{SERVER_GLOB}): run `scripts/setup.sh --postgres` (part of `make test`)"
)


def server_bin() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = [
        Path(p).parent
        for p in Path("/").glob(SERVER_GLOB.lstrip("/") + "/pg_ctl")
        if (Path(p).parent / "initdb").is_file()
    ]

    def major(path: Path) -> int:
        digits = re.match(r"\d+", path.parent.name)
        return int(digits.group()) if digits else 0

    return max(found, key=major) if found else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway cluster."""

    bin_dir: Path
    root: Path
    port: int
    password: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    @classmethod
    def start(cls, bin_dir: Path, attempts: int = 3) -> Cluster:
        """initdb and start a cluster (on another port when the one picked was taken)."""
        root = Path(tempfile.mkdtemp(prefix="brief-pg-"))
        cluster = cls(bin_dir, root, free_port(), secrets.token_urlsafe(16))
        (root / "password").write_text(cluster.password + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            account = pwd.getpwnam(ACCOUNT)
            for path in (root, root / "password"):
                os.chown(path, account.pw_uid, account.pw_gid)
        cluster.run(
            "initdb",
            "-D",
            str(cluster.data),
            "-U",
            SUPERUSER,
            f"--pwfile={root / 'password'}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        for attempt in range(attempts):
            try:
                cluster.run(
                    "pg_ctl",
                    "-D",
                    str(cluster.data),
                    "-l",
                    str(root / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {root} "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                    "-c max_connections=200",
                    "start",
                )
                return cluster
            except subprocess.CalledProcessError:
                if attempt == attempts - 1:
                    log = (root / "server.log").read_text(errors="replace")[-2000:]
                    cluster.remove()
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
                cluster.port = free_port()
        raise AssertionError("unreachable")

    def run(self, program: str, *args: str) -> None:
        """Run one of the server's programs (as the ``postgres`` account when root)."""
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", ACCOUNT, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=self.root)

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database of this cluster."""
        server = f"127.0.0.1:{self.port}"
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@{server}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """A superuser connection (autocommit) to the ``postgres`` database."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            password=self.password,
            dbname="postgres",
            autocommit=True,
        )

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        name = "t_" + secrets.token_hex(6)
        with self.admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, ending whatever connections are left on it."""
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        """Stop the server at once and delete the cluster."""
        try:
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
