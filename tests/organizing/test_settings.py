"""Settings fail loudly, naming the variable, on a value they cannot use."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
GOOD = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/earshot",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_SECRET_KEY": "a-test-only-key-with-enough-variety-0123456789-abcdefghijklmnop",
}


# Variables with defaults: removed so each test starts from those defaults.
OPTIONAL = {
    "DJANGO_DEBUG",
    "EMAIL_URL",
    "SITE_URL",
    "LOG_LEVEL",
    "CELERY_TASK_TIME_LIMIT",
    "ALLOWED_HOSTS",
    "MFA_REQUIRED_ROLES",
    "SESSION_IDLE_MINUTES",
    "SESSION_IDLE_MINUTES_VOLUNTEER",
    "FIELD_ENCRYPTION_KEYS",
}


def load_settings(**overrides: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in GOOD and k not in OPTIONAL}
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "organizing.settings"
    code = "from django.conf import settings; print(settings.DEBUG, settings.EMAIL_BACKEND)"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )


def test_good_settings_load_with_debug_off():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False ")


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://root@localhost/earshot"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"EMAIL_URL": "pigeon://coop"}, "EMAIL_URL"),
        ({"SITE_URL": "earshot.example.org"}, "SITE_URL"),
        ({"CELERY_TASK_TIME_LIMIT": "ten"}, "CELERY_TASK_TIME_LIMIT"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"MFA_REQUIRED_ROLES": "organizer,boss"}, "MFA_REQUIRED_ROLES"),
        ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES"),
        ({"SESSION_IDLE_MINUTES_VOLUNTEER": "soon"}, "SESSION_IDLE_MINUTES_VOLUNTEER"),
    ],
)
def test_bad_value_stops_start_up_and_names_the_variable(overrides, named):
    result = load_settings(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


def test_secret_key_is_optional_only_when_debugging():
    result = load_settings(DJANGO_SECRET_KEY=None, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True ")


def test_email_url_picks_the_backend():
    assert "smtp.EmailBackend" in load_settings(EMAIL_URL="smtp://u:p@mail.example.org:587").stdout
    assert "PrivateFileEmailBackend" in load_settings(EMAIL_URL="file:///tmp/mail").stdout
    assert "console.EmailBackend" in load_settings().stdout


def test_https_site_turns_on_secure_cookies_and_hsts():
    env_code = (
        "from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)"
    )
    env = {k: v for k, v in os.environ.items() if k not in OPTIONAL}
    env.update(
        GOOD, SITE_URL="https://earshot.example.org", DJANGO_SETTINGS_MODULE="organizing.settings"
    )
    result = subprocess.run(
        [sys.executable, "-c", env_code], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.stdout.split() == ["True", "True", "31536000"]


# A Fernet key for the deploy checks (README: without one, check --deploy says earshot.W001).
FIELD_KEY = "yGh0m8B2Gxk0v5q4f0Zy3Hq8p0a6N7Jm1b2c3d4e5f8="


def test_deploy_check_names_field_encryption_keys_until_they_are_set():
    env = {k: v for k, v in os.environ.items() if k not in OPTIONAL}
    env.update(
        GOOD, SITE_URL="https://earshot.example.org", DJANGO_SETTINGS_MODULE="organizing.settings"
    )
    command = [sys.executable, "manage.py", "check", "--deploy"]
    result = subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True)
    assert "earshot.W001" in result.stderr and "FIELD_ENCRYPTION_KEYS" in result.stderr
    env["FIELD_ENCRYPTION_KEYS"] = FIELD_KEY
    result = subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True)
    assert "earshot.W001" not in result.stderr


def test_deploy_check_is_clean_over_https_except_documented_hsts_choices():
    env = {k: v for k, v in os.environ.items() if k not in OPTIONAL}
    env.update(
        GOOD,
        SITE_URL="https://earshot.example.org",
        DJANGO_SETTINGS_MODULE="organizing.settings",
        FIELD_ENCRYPTION_KEYS=FIELD_KEY,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    # README: HSTS for subdomains and preload are left to the operator (W005, W021).
    found = set(re.findall(r"\(((?:security|earshot)\.[WE]\d+)\)", result.stderr))
    assert found <= {"security.W005", "security.W021"}, result.stderr
