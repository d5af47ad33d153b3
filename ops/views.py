"""Endpoints for the load balancer, orchestrators and Prometheus, and the error page used while
the database cannot be reached. None of them is cached or indexed."""

import ipaddress
import logging
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_prometheus.exports import ExportToDjangoView

from ops import metrics
from program import caching
from program.clients import client_address

logger = logging.getLogger(__name__)
# What a lost or refused database connection raises (Django wraps the driver's errors).
DATABASE_DOWN = (OperationalError, InterfaceError)
READY_KEY = "readyz"
RETRY_AFTER_SECONDS = 30


def not_for_robots(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_safe
def healthz(request):
    """Alive: this process answers. Touches neither the database nor the cache, so a database
    outage does not take every server out of the load balancer at once."""
    return not_for_robots(JsonResponse({"status": "ok"}))


def database_reachable():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        logger.warning("readyz: the database is unreachable", exc_info=True)
        return False


def cache_reachable():
    try:
        cache.set(READY_KEY, 1, timeout=60)
        return cache.get(READY_KEY) == 1
    except Exception:  # any backend's own error (redis.ConnectionError, …) means "not ready"
        logger.warning("readyz: the cache is unreachable", exc_info=True)
        return False


@never_cache
@require_safe
def readyz(request):
    """Ready: the database and the cache both answer (200), or say which does not (503)."""
    checks = {
        "database": "ok" if database_reachable() else "unreachable",
        "cache": "ok" if cache_reachable() else "unreachable",
    }
    ready = all(value == "ok" for value in checks.values())
    return not_for_robots(JsonResponse(checks, status=200 if ready else 503))


def metrics_allowed(request):
    """Prometheus may read the metrics from METRICS_ALLOWED_NETWORKS, or anywhere with the
    bearer token METRICS_TOKEN. The address is the client's as the trusted proxies saw it."""
    token = settings.METRICS_TOKEN
    if token and request.headers.get("Authorization", "") == f"Bearer {token}":
        return True
    try:
        address = ipaddress.ip_address(client_address(request) or "")
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_safe
def prometheus_metrics(request):
    if not metrics_allowed(request):
        return not_for_robots(HttpResponseForbidden("Metrics are not public.\n"))
    return not_for_robots(ExportToDjangoView(request))


def database_unavailable():
    """The clear 503 page: rendered without a request, so nothing on it asks the database."""
    body = loader.get_template("503.html").render()
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return not_for_robots(response)


def server_error(request):
    """handler500: while the database is unreachable, the last public copy of the page marked
    stale, or the 503 page; any other error, Django's 500 page."""
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_DOWN):
        return defaults.server_error(request)
    stale = caching.stale_response(request) if request.method in ("GET", "HEAD") else None
    if stale is not None:
        metrics.database_unavailable.labels(answer="stale").inc()
        metrics.public_cache.labels(result="stale").inc()
        return stale
    metrics.database_unavailable.labels(answer="503").inc()
    return database_unavailable()
