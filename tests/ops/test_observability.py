"""/healthz, /readyz, /metrics, request ids in JSON logs, and the answer given while the
database is unreachable."""

import json
import logging
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from ops import requestid
from ops.logs import JsonFormatter
from ops.requestid import RequestIdFilter
from program.history import ChangeLogEntry

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")


def test_readyz_says_what_is_reachable(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")
    with mock.patch("ops.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"database": "unreachable", "cache": "ok"}


def test_operators_endpoints_are_kept_from_robots_and_the_sitemap(client, opml20):
    robots = client.get("/robots.txt").content.decode()
    for path in ["/healthz", "/readyz", "/metrics"]:
        assert f"Disallow: {path}\n" in robots
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/opml20/" in sitemap
    assert "healthz" not in sitemap
    assert "readyz" not in sitemap
    assert "metrics" not in sitemap


def test_metrics_count_views_cache_answers_and_queries(client, opml20):
    for _ in range(2):  # a miss, then a hit
        assert client.get("/opml20/").status_code == 200
    text = client.get("/metrics").content.decode()
    assert 'django_http_requests_total_by_view_transport_method_total{method="GET",' in text
    assert 'view="program:conference_detail"' in text
    assert 'opml_public_cache_requests_total{result="hit"}' in text
    assert 'opml_public_cache_requests_total{result="miss"}' in text
    # Queries are counted on PostgreSQL, the production database (opml/settings.py).
    assert ("django_db_execute_total{" in text) == (connection.vendor == "postgresql")


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"REMOTE_ADDR": "127.0.0.1"}, True),
        ({"REMOTE_ADDR": "203.0.113.7"}, False),
        ({"REMOTE_ADDR": "203.0.113.7", "HTTP_AUTHORIZATION": "Bearer wrong"}, False),
        ({"REMOTE_ADDR": "203.0.113.7", "HTTP_AUTHORIZATION": "Bearer s3cret-token"}, True),
        # A forged X-Forwarded-For changes nothing without a trusted proxy.
        ({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}, False),
    ],
)
def test_metrics_are_read_from_allowed_networks_or_with_the_token(
    client, settings, headers, allowed
):
    settings.METRICS_TOKEN = "s3cret-token"
    response = client.get("/metrics", **headers)
    assert response.status_code == (200 if allowed else 403)
    assert ("django_http_requests" in response.content.decode()) is allowed


def test_the_request_id_comes_from_the_balancer_or_is_made(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="7F000001:C350_7F000001:1F90_6571")
    assert given["X-Request-ID"] == "7F000001:C350_7F000001:1F90_6571"
    made = [client.get("/healthz")["X-Request-ID"] for _ in range(2)]
    assert len(made[0]) == 32
    assert made[0] != made[1]
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\nINFO fake line")
    assert "\n" not in forged["X-Request-ID"]
    assert len(forged["X-Request-ID"]) == 32


def test_every_log_line_of_a_request_carries_its_id_as_json(client, opml20):
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django")
    logger.addHandler(handler)
    try:
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-42")
        logging.getLogger("django").warning("outside any request")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    records = [json.loads(line) for line in lines]  # one object per line
    assert records[0]["message"] == "Not Found: /no-such-page/"
    assert records[0]["request_id"] == "req-42"
    assert records[0]["level"] == "WARNING"
    assert records[0]["logger"] == "django.request"
    assert records[-1]["request_id"] == ""


def database_down():
    return mock.patch(
        "program.caching.current_version", side_effect=OperationalError("connection refused")
    )


def test_without_the_database_a_page_is_a_clear_503(opml20):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get("/opml20/sessions/1/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "Back in a moment" in text
    assert "database is not answering" in text
    assert "Traceback" not in text
    assert "connection refused" not in text
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"


def test_without_the_database_a_cached_public_page_is_served_marked_stale(opml20):
    client = Client(raise_request_exception=False)
    fresh = client.get("/opml20/")
    assert fresh.status_code == 200
    with database_down():
        stale = client.get("/opml20/")
    assert stale.status_code == 200
    assert stale.content == fresh.content
    assert stale["ETag"] == fresh["ETag"]
    assert stale["X-Cache"] == "stale"
    assert stale["Warning"] == '110 - "Response is Stale"'
    assert stale["Cache-Control"] == "no-cache"
    # Another page, never cached, has no copy to fall back on.
    with database_down():
        assert client.get("/opml20/sessions/2/").status_code == 503


def test_a_staff_preview_is_never_what_an_outage_serves(opml20, member):
    staff = Client(raise_request_exception=False)
    staff.force_login(member)
    preview = staff.get("/opml20/")
    assert preview["Cache-Control"] == "private, no-store"
    with database_down():
        response = Client(raise_request_exception=False).get("/opml20/")
    assert response.status_code == 503  # staff's page was never kept, so nothing stale exists


def test_other_errors_keep_the_500_page(opml20):
    client = Client(raise_request_exception=False)
    with mock.patch("program.caching.current_version", side_effect=RuntimeError("bug")):
        response = client.get("/opml20/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_a_change_log_entry_names_the_request_that_made_it(opml20):
    token = requestid.current.set("req-change-7")
    try:
        entry = ChangeLogEntry.objects.create(
            conference=opml20, kind="retitled", text="t", changed_at=opml20.version.changed_at
        )
    finally:
        requestid.current.reset(token)
    assert ChangeLogEntry.objects.get(pk=entry.pk).request_id == "req-change-7"
    # The previous release's servers, during a rolling deploy, insert without the column.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO program_changelogentry (conference_id, kind, text, path, changed_at)"
            " VALUES (%s, 'retitled', 'old code', '', %s)",
            [opml20.pk, opml20.version.changed_at],
        )
    assert ChangeLogEntry.objects.get(text="old code").request_id == ""
