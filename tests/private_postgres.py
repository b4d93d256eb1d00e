"""A PostgreSQL server of a test's own, on a free port, that the test may stop and start.

The shared server at 5432 serves everyone at once and is never stopped; a test that needs the
database to go away makes one of these in a temporary folder and removes it after.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda path: int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0)
    if found:
        return os.path.dirname(found[-1])
    on_path = shutil.which("pg_ctl")
    return os.path.dirname(on_path) if on_path else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    """initdb + pg_ctl in a temporary folder, as the `postgres` user when run as root
    (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.bin = _binaries()
        if self.bin is None:
            reason = "no PostgreSQL server binaries (initdb, pg_ctl) on this machine"
            if IN_CI:
                pytest.fail(f"{reason}; under CI=true this test must run", pytrace=False)
            pytest.skip(reason)
        self.port = _free_port()
        self.folder = tempfile.mkdtemp(prefix="baclowatch-pg-", dir="/tmp")
        self.data = os.path.join(self.folder, "data")
        self.log = os.path.join(self.folder, "server.log")
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        command = [*self.as_user, os.path.join(self.bin, program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            with open(self.log) as handle:
                return handle.read()[-2000:]
        except OSError:
            return ""

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=40 -c shared_buffers=16MB")
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "60", "stop")

    def remove(self) -> None:
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run([*self.as_user, os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate",
                            "-w", "-t", "60", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)
