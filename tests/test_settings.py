"""Configuration from the environment: local defaults, PostgreSQL by URL, a clean deploy check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_django(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def print_setting(expression, **env):
    result = run_django(
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print({expression})",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# django-prometheus wraps PostgreSQL's backend to count queries (docs/operators/deployment.md);
# SQLite keeps Django's own, by which pytest-django knows to give each worker its own database.
def test_defaults_are_sqlite_and_debug():
    assert print_setting("settings.DATABASES['default']['ENGINE']") == (
        "django.db.backends.sqlite3"
    )
    assert print_setting("settings.DEBUG") == "True"


def test_database_url_selects_postgresql():
    url = "postgres://someone:secret@db.internal:5433/opml"
    engine = print_setting(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
        DATABASE_URL=url,
    )
    assert engine == "django_prometheus.db.backends.postgresql opml"


def test_production_settings_pass_the_deploy_check():
    result = run_django(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="program.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "Set SECRET_KEY when DEBUG is off" in result.stderr


def client_ip(remote, forwarded=None, proxies=0):
    code = (
        "from django.conf import settings; from django.test import RequestFactory; "
        "from django.utils.module_loading import import_string; "
        f"meta = {{'REMOTE_ADDR': {remote!r}}}; "
        + (f"meta['HTTP_X_FORWARDED_FOR'] = {forwarded!r}; " if forwarded else "")
        + "client_address = import_string(settings.AXES_CLIENT_IP_CALLABLE); "
        + "print(client_address(RequestFactory().get('/', **meta)))"
    )
    result = run_django("shell", "--no-imports", "-c", code, TRUSTED_PROXY_COUNT=str(proxies))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_throttling_reads_the_client_address_behind_trusted_proxies_only():
    # Without a trusted proxy, a forged X-Forwarded-For changes nothing.
    assert client_ip("10.0.0.1", "203.0.113.9") == "10.0.0.1"
    # Behind one proxy, the client is the last address it appended; what the client sent
    # before it is ignored.
    assert client_ip("10.0.0.1", "198.51.100.1, 203.0.113.9", proxies=1) == "203.0.113.9"
    assert client_ip("10.0.0.1", proxies=1) == "10.0.0.1"


def test_with_redis_no_cache_is_kept_per_process():
    """A fleet's rate limits and public cache must be shared: with REDIS_URL set, a per-process
    cache is an error that stops the server from starting (ops/checks.py)."""
    assert run_django("check", REDIS_URL="redis://127.0.0.1:6379/12").returncode == 0
    code = (
        "from django.conf import settings; from ops.checks import shared_caches; "
        "settings.CACHES['limits'] = {'BACKEND': "
        "'django.core.cache.backends.locmem.LocMemCache'}; "
        "print([error.id for error in shared_caches(None)])"
    )
    result = run_django("shell", "--no-imports", "-c", code, REDIS_URL="redis://127.0.0.1:6379/12")
    assert result.stdout.strip() == "['ops.E001']", result.stderr
    result = run_django("shell", "--no-imports", "-c", code)
    assert result.stdout.strip() == "[]", result.stderr  # without Redis, one process is the point
