"""docker-compose.yml runs what `make run` runs (organizing/launcher.py): two web containers,
one worker pool per queue with the launcher's worker command, exactly one beat. No Docker
engine is on the test machines, so the file is read, never started."""

from __future__ import annotations

from pathlib import Path

import yaml

from organizing import launcher
from organizing.queues import QUEUES, queue_for

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def _app_services(services: dict) -> dict:
    return {name: spec for name, spec in services.items() if spec.get("image") == "earshot:latest"}


def test_two_web_containers_run_the_launchers_gunicorn_command_behind_the_load_balancer():
    services = _services()
    webs = {
        name: spec for name, spec in services.items() if spec.get("command", [""])[0] == "gunicorn"
    }
    assert sorted(webs) == ["web-1", "web-2"]
    expected = launcher.web_arguments("0.0.0.0:8000")
    for spec in webs.values():
        assert spec["command"] == ["gunicorn", *expected]
        assert spec["environment"]["DATABASE_URL"].startswith("postgres://")
    balancer = services["lb"]["command"]
    assert [balancer[i + 1] for i, word in enumerate(balancer) if word == "--to"] == [
        "web-1:8000",
        "web-2:8000",
    ]


def test_one_worker_container_per_queue_with_the_launchers_worker_command():
    services = _services()
    workers = {
        name: spec["command"]
        for name, spec in services.items()
        if spec.get("command", [])[:1] == ["celery"] and "worker" in spec["command"]
    }
    assert sorted(workers) == sorted(f"worker-{queue}" for queue in QUEUES)
    assert set(launcher.WORKER_POOLS) == set(QUEUES)
    for queue in QUEUES:
        assert workers[f"worker-{queue}"] == ["celery", *launcher.worker_arguments(queue)]


def test_exactly_one_beat_and_every_app_container_shares_the_export_volume():
    services = _services()
    beats = [
        name
        for name, spec in services.items()
        if spec.get("command", [])[:1] == ["celery"] and "beat" in spec["command"]
    ]
    assert beats == ["beat"]
    schedule = services["beat"]["command"][-1]
    assert services["beat"]["command"] == ["celery", *launcher.beat_arguments(schedule)]
    for name, spec in _app_services(services).items():
        if name == "migrate":
            continue
        assert spec["environment"]["EXPORT_DIR"] == "/app/var/exports", name
        assert "exports:/app/var/exports" in spec["volumes"], name


def test_every_task_routes_to_a_queue_a_pool_consumes():
    from organizing.celery import app

    app.loader.import_default_modules()
    ours = [
        name
        for name in app.tasks
        if name.split(".")[0] in {"organizing", "supporters", "conversations"}
    ]
    assert ours
    consumed = set(launcher.WORKER_POOLS)
    for name in ours:
        assert queue_for(name) in consumed, name
