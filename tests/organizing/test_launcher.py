"""The launcher: embedded servers that are shared, stopped by the last holder and survive a
crash, and a `make run` that every stop signal stops, that restarts its worker and beat, and
whose logs speak UTC.

The tests that serve run the real thing (embedded PostgreSQL and Redis in a folder of their
own, migrations, demo data, gunicorn, a Celery worker and beat) on a free port: the two slow
starts are shared by the module (one fresh folder, migrated once). Every wait is bounded.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from organizing.embedded import EmbeddedPostgres, EmbeddedRedis, holders_update, process_alive

BASE_DIR = Path(__file__).resolve().parents[2]
# Generous: a first start migrates a new database, on two cores other work shares.
START_TIMEOUT = 300
STOP_TIMEOUT = 120


def redis_ping(url: str) -> bool:
    host, port = url.removeprefix("redis://").split("/")[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status
    except OSError:
        return None


def eventually(check, timeout: float, what: str):
    """``check()``'s first truthy answer within ``timeout`` seconds; fails naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def ignore_sigint() -> None:
    """What a shell does for `make run &` (a background job): SIGINT ignored, inherited."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def launcher_env(var: Path, **extra: str) -> dict[str, str]:
    """This environment, less the URLs and folders that would point the launcher elsewhere."""
    dropped = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SECRET_KEY", "SITE_URL"}
    dropped |= {"STATIC_ROOT", "MEDIA_ROOT", "EXPORT_DIR"}
    env = {name: value for name, value in os.environ.items() if name not in dropped}
    return {**env, "VAR_DIR": str(var), "PYTHONUNBUFFERED": "1", **extra}


class Launched:
    """A launcher process (or `make` above one) started in a session of its own, its output in
    a file that the test reads."""

    def __init__(self, command: list[str], var: Path, log: Path, *, background: bool = False):
        self.var, self.log, self.port = var, log, free_port()
        with open(log, "w") as out:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=launcher_env(var, PORT=str(self.port)),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=ignore_sigint if background else None,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = START_TIMEOUT) -> None:
        def seen() -> bool:
            if self.process.poll() is not None and text not in self.output():
                pytest.fail(f"exited ({self.process.returncode}) before {text!r}:\n{self.output()}")
            return text in self.output()

        eventually(seen, timeout, repr(text))

    def pid_of(self, name: str) -> int:
        """The pid of the web server, worker or beat the launcher started last."""
        return int(re.findall(rf"earshot: {name} started \(pid (\d+)\)", self.output())[-1])

    def server_pids(self) -> list[int]:
        return [self.pid_of(name) for name in ("web", "worker-interactive", "worker-bulk", "beat")]

    def stop(self) -> None:
        """Whatever a test left running: the launcher stops what it started."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def redis_pid(var: Path) -> int:
    return int((var / "redis" / "redis.pid").read_text())  # Redis removes it when it stops


def postmaster_pid(var: Path) -> int:
    return int((var / "postgres" / "postmaster.pid").read_text().split()[0])


def assert_everything_stopped(var: Path, port: int, pids: list[int]) -> None:
    """The launcher's servers (``pids``, Redis's among them), PostgreSQL and the port are done."""
    postgres = EmbeddedPostgres(var)
    eventually(lambda: not any(process_alive(pid) for pid in pids), 30, f"{pids} to end")
    assert not port_open(port)
    eventually(lambda: not postgres.processes(), 30, "PostgreSQL to stop")
    assert postgres.postmaster() is None

    assert json.loads((var / "postgres.holders.json").read_text()) == []
    assert json.loads((var / "redis" / "holders.json").read_text()) == []


# --- The embedded servers --------------------------------------------------------------------


def test_a_zombie_counts_as_dead():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    # Not reaped yet: a zombie, whose pid still answers kill(pid, 0).
    eventually(lambda: not process_alive(child.pid), 30, "the child to end")
    os.kill(child.pid, 0)
    child.wait()


def test_holders_that_died_are_pruned(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    path = tmp_path / "holders.json"
    path.write_text(json.dumps([gone.pid, os.getpid()]))

    assert holders_update(path, remove=os.getpid()) == []
    assert json.loads(path.read_text()) == []


def test_embedded_redis_is_shared_and_stopped_by_the_last_holder(tmp_path):
    redis = EmbeddedRedis(tmp_path)
    url = redis.start()
    assert redis_ping(url)
    pid = int((tmp_path / "redis" / "redis.pid").read_text())

    # A second launcher process joins, sees the same server, and leaves: it keeps running.
    joiner = textwrap.dedent(f"""
        from pathlib import Path
        from organizing.embedded import EmbeddedRedis
        redis = EmbeddedRedis(Path({str(tmp_path)!r}))
        print(redis.start())
        redis.stop()
    """)
    result = subprocess.run(
        [sys.executable, "-c", joiner], cwd=BASE_DIR, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == url
    assert redis_ping(url)

    redis.stop()
    assert not process_alive(pid) or not redis_ping(url)


def test_embedded_postgres_has_the_contrib_extensions_and_keeps_data_across_restarts(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from urllib.parse import unquote, urlsplit
        import psycopg
        from organizing.embedded import EmbeddedPostgres
        postgres = EmbeddedPostgres(Path({str(tmp_path)!r}))
        parts = urlsplit(postgres.start())
        with psycopg.connect(host=unquote(parts.netloc.split("@")[1]), user="postgres",
                             dbname=parts.path.lstrip("/"), autocommit=True) as db:
            for extension in ("pg_trgm", "unaccent", "fuzzystrmatch", "btree_gist"):
                db.execute(f"CREATE EXTENSION IF NOT EXISTS {{extension}}")
            print(db.execute("SELECT unaccent('Chávez Núñez'), similarity('Chavez', 'Chaves') > 0.3,"
                             " levenshtein('Nunez', 'Nuñez'), current_setting('server_version_num')::int / 10000").fetchone())
            db.execute("CREATE TABLE IF NOT EXISTS kept (n int)")
            if sys.argv[1] == "write":
                db.execute("INSERT INTO kept VALUES (42)")
            print(db.execute("SELECT coalesce(sum(n), 0) FROM kept").fetchone()[0])
        postgres.stop()
    """)
    first = subprocess.run(
        [sys.executable, "-c", script, "write"], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    second = subprocess.run(
        [sys.executable, "-c", script, "read"], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert second.returncode == 0, second.stderr
    assert first.stdout.splitlines() == ["('Chavez Nunez', True, 1, 18)", "42"]
    assert second.stdout.splitlines()[1] == "42"
    # Each process was the only holder, so the server stopped when it left.
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()


@pytest.mark.parametrize(
    ("signum", "target", "background"),
    [
        (signal.SIGINT, "launcher", True),
        (signal.SIGTERM, "process group", True),
        (signal.SIGTERM, "launcher", False),
        (signal.SIGINT, "process group", False),  # what Ctrl-C in its terminal sends
    ],
)
def test_a_stop_signal_ends_a_manage_command_and_its_servers(tmp_path, signum, target, background):
    sleeper = "import os, time; print('shell', os.getpid(), flush=True); time.sleep(600)"
    launched = Launched(
        [sys.executable, "-m", "organizing.launcher", "manage", "shell", "-c", sleeper],
        tmp_path,
        tmp_path / "manage.log",
        background=background,
    )
    try:
        launched.wait_for("shell ")
        shell = int(re.search(r"shell (\d+)", launched.output())[1])
        redis = redis_pid(tmp_path)
        if target == "launcher":
            os.kill(launched.process.pid, signum)
        else:
            os.killpg(launched.process.pid, signum)
        launched.process.wait(timeout=STOP_TIMEOUT)
        eventually(lambda: not process_alive(shell), 30, "the shell to end")
        postgres = EmbeddedPostgres(tmp_path)
        assert postgres.postmaster() is None
        assert not postgres.processes()
        assert not process_alive(redis)
    finally:
        launched.stop()


# --- make run --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def var(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("launcher") / "var"


@pytest.fixture(scope="module")
def first_run(var):
    """`make run`'s launcher, serving from a new folder (so the demo data loads)."""
    launched = Launched(
        [sys.executable, "-m", "organizing.launcher", "run"], var, var.parent / "first.log"
    )
    launched.wait_for("Earshot is serving")
    yield launched
    launched.stop()


def test_demo_logins_print_once(first_run):
    assert "Loaded demo data" in first_run.output()
    assert first_run.output().count("Demo logins") == 1


def test_every_log_time_is_in_utc_and_says_so(first_run):
    assert http_status(f"http://127.0.0.1:{first_run.port}/healthz") == 200
    first_run.wait_for("ready.")  # the worker's own log line
    output = first_run.output()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    stamps = re.findall(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:,\d+)?(.{0,4})", output)
    access = re.findall(r"\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d) ([+-]\d{4})\]", output)
    # The launcher, gunicorn, its access log, the worker and beat each wrote some.
    for line in ("earshot: web started", "Booting worker", "GET /healthz", "beat: Starting"):
        assert line in output
    assert len(stamps) > 10 and access
    assert {suffix for _, suffix in stamps} == {" UTC"}
    assert {zone for _, zone in access} == {"+0000"}
    times = [dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S") for stamp, _ in stamps]
    times += [dt.datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S") for stamp, _ in access]
    # UTC indeed, not TIME_ZONE (America/Chicago unless set) labelled UTC.
    assert all(abs(now - stamp) < dt.timedelta(minutes=30) for stamp in times)


def test_a_crashed_worker_or_beat_is_restarted_while_the_web_keeps_serving(first_run):
    web = first_run.pid_of("web")
    readies = first_run.output().count(" ready.")
    for name in ("worker-interactive", "worker-bulk", "beat"):
        crashed = first_run.pid_of(name)
        os.kill(crashed, signal.SIGKILL)
        first_run.wait_for(f"{name} exited with status -9; restarting it")
        eventually(
            lambda name=name, crashed=crashed: first_run.pid_of(name) != crashed,
            60,
            f"a new {name}",
        )
        assert process_alive(first_run.pid_of(name))
    assert process_alive(web) and first_run.pid_of("web") == web
    assert http_status(f"http://127.0.0.1:{first_run.port}/healthz") == 200
    # The new worker connects to Redis and says it is ready, as the first one did.
    eventually(lambda: first_run.output().count(" ready.") > readies, 120, "the new worker")


def test_after_kill_9_of_launcher_postgres_and_redis_make_run_recovers_and_sigint_stops_it(
    first_run, var
):
    old_servers = first_run.server_pids()
    old_launcher = first_run.process.pid
    for pid in (
        old_launcher,
        postmaster_pid(var),
        redis_pid(var),
    ):
        os.kill(pid, signal.SIGKILL)
    first_run.process.wait(timeout=30)
    # The kernel stops web, worker and beat when their launcher dies, so none holds the port.
    eventually(lambda: not any(process_alive(pid) for pid in old_servers), 60, "old servers")

    # `make run &` from a shell: in the background, SIGINT ignored as the shell leaves it.
    again = Launched(
        ["make", "--no-print-directory", "run"], var, var.parent / "again.log", background=True
    )
    try:
        again.wait_for("waiting for its crash recovery")
        again.wait_for("Earshot is serving")
        assert "connection refused" not in again.output().lower()
        assert "not properly shut down" in (var / "postgres" / "log").read_text()
        assert http_status(f"http://127.0.0.1:{again.port}/accounts/login/") == 200
        # The killed launcher is no longer a holder; the new one is the only one.
        [holder] = json.loads((var / "postgres.holders.json").read_text())
        assert holder != old_launcher and process_alive(holder)
        assert json.loads((var / "redis" / "holders.json").read_text()) == [holder]
        servers = [*again.server_pids(), redis_pid(var)]

        os.killpg(again.process.pid, signal.SIGINT)  # kill -INT -- -PGID
        again.process.wait(timeout=STOP_TIMEOUT)
        assert "SIGINT received; stopping everything" in again.output()
        assert_everything_stopped(var, again.port, [holder, *servers])
    finally:
        again.stop()
