"""Degrade, never fail: with the shared cache unreachable every public URL is served uncached
from the database, a warning is logged at most once a minute, picks lists can still be made (their
rate limit counted in the database), and the cache is used again once it is back, no restart."""

import json
import logging
import shutil
import socket
import subprocess
import time
from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from program import degrading_cache
from program.picks import CreationCount, PickList
from tests.program.test_revisions import public_urls

pytestmark = pytest.mark.cache

PICKS = "/picks/lists/"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_cache(port, retry_after=0):
    return {
        "default": {
            "BACKEND": "program.degrading_cache.DegradingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "opml-test",
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 1,
                "RETRY_AFTER": retry_after,
            },
        }
    }


def every_public_url(conference):
    api = ["/api/", "/api/conferences/", f"/api/conferences/{conference.slug}/", "/api/talks/"]
    return [*public_urls(conference), *api, "/api/schema/"]


def serve_everything(client, urls):
    for url in urls:
        for headers in ({}, {"HTTP_ACCEPT_ENCODING": "gzip"}):
            response = client.get(url, **headers)
            assert response.status_code in (200, 302), (url, response.status_code)


def create_list(client):
    return client.post(PICKS, json.dumps({"items": []}), content_type="application/json")


@pytest.fixture
def unreachable(settings):
    """The default cache points at a port where nothing listens (a cache that always raises)."""
    degrading_cache.OUTAGES.clear()
    settings.CACHES = redis_cache(free_port())
    yield
    degrading_cache.OUTAGES.clear()


def warnings_in(caplog):
    return [r for r in caplog.records if r.name == degrading_cache.__name__ and r.levelno >= 30]


def test_every_public_url_is_served_from_the_database(client, opml20, unreachable, caplog):
    caplog.set_level(logging.INFO, logger=degrading_cache.__name__)
    urls = every_public_url(opml20)
    serve_everything(client, urls)
    # Served, not cached: the next read renders again (far more than the version's query).
    with CaptureQueriesContext(connection) as queries:
        assert client.get(opml20.get_absolute_url()).status_code == 200
    assert len(queries) > 1
    assert len(warnings_in(caplog)) == 1, "one warning, not one per request"
    assert "unreachable" in warnings_in(caplog)[0].getMessage()


def test_the_warning_is_repeated_at_most_once_a_minute(client, opml20, unreachable, caplog):
    clock = [1000.0]
    with mock.patch.object(degrading_cache, "clock", side_effect=lambda: clock[0]):
        for _ in range(5):
            client.get(opml20.get_absolute_url())
            clock[0] += 10  # 40 s in all: still one warning
        assert len(warnings_in(caplog)) == 1
        clock[0] += 30
        client.get(opml20.get_absolute_url())
        assert len(warnings_in(caplog)) == 2


def test_a_failed_attempt_is_not_repeated_for_retry_after(settings, db):
    degrading_cache.OUTAGES.clear()
    settings.CACHES = redis_cache(free_port(), retry_after=30)
    clock = [1000.0]
    with (
        mock.patch.object(degrading_cache, "clock", side_effect=lambda: clock[0]),
        mock.patch("redis.Redis.mget", side_effect=redis.ConnectionError("down")) as mget,
    ):
        assert cache.get_many(["a"]) == {}
        assert cache.get_many(["a"]) == {}
        assert mget.call_count == 1, "the second read did not wait for a timeout again"
        clock[0] += 31
        assert cache.get_many(["a"]) == {}
        assert mget.call_count == 2
    degrading_cache.OUTAGES.clear()


def test_picks_lists_are_made_and_limited_without_the_cache(client, db, unreachable, settings):
    settings.PICKS_CREATE_PER_HOUR = 2
    assert create_list(client).status_code == 201
    assert create_list(client).status_code == 201
    refused = create_list(client)
    assert refused.status_code == 429
    assert refused.json()["field"] == "items"
    other = create_list(client.__class__(REMOTE_ADDR="192.0.2.7"))
    assert other.status_code == 201
    assert PickList.objects.count() == 3
    row = CreationCount.objects.order_by("-count").first()
    assert row.count == 3
    assert "127.0.0.1" not in row.client, "the address itself is never stored"


def test_expiring_picks_deletes_nothing_while_the_cache_is_down(db, unreachable):
    PickList.create([])
    PickList.objects.update(updated_at="2001-01-01T00:00:00Z")
    with pytest.raises(CommandError, match="unreachable"):
        call_command("expire_picks")
    assert PickList.objects.count() == 1


# --- Against a real Redis, stopped and started again mid-test ---------------------------------


class PrivateRedis:
    """A redis-server of our own (never the shared one), on a free port, with the maxmemory and
    eviction policy docs/operators/limits.md recommends."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                "64mb",
                "--maxmemory-policy",
                "allkeys-lru",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def keys(self):
        return redis.Redis(port=self.port).dbsize()


@pytest.fixture
def private_redis(settings):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    degrading_cache.OUTAGES.clear()
    settings.CACHES = redis_cache(server.port)
    yield server
    server.stop()
    degrading_cache.OUTAGES.clear()


def test_redis_stopped_and_started_mid_test(client, opml20, private_redis, caplog):
    caplog.set_level(logging.INFO, logger=degrading_cache.__name__)
    urls = every_public_url(opml20)
    page = opml20.get_absolute_url()
    serve_everything(client, urls)
    assert private_redis.keys() > 0, "the cache is in use"
    assert redis.Redis(port=private_redis.port).config_get("maxmemory-policy") == {
        "maxmemory-policy": "allkeys-lru"
    }

    private_redis.stop()
    serve_everything(client, urls)
    assert create_list(client).status_code == 201
    assert len(warnings_in(caplog)) == 1

    private_redis.start()  # empty, on the same port: no restart of ours
    assert private_redis.keys() == 0
    assert client.get(page).status_code == 200
    assert private_redis.keys() > 0, "filled again"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200
    assert len(queries) <= 1, "a hit again: only the version is read"
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    assert create_list(client).status_code == 201
