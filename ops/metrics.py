"""The site's own Prometheus metrics, beside django-prometheus's (requests by view, latencies,
database queries): how the public cache answers, and answers given without the database."""

from prometheus_client import Counter

public_cache = Counter(
    "opml_public_cache_requests_total",
    "Public pages and feeds by how the public cache answered: hit, miss (rendered and kept), "
    "not_modified (304 from the entry's validators) or stale (database unreachable).",
    ["result"],
)
database_unavailable = Counter(
    "opml_database_unavailable_total",
    "Requests answered without the database: 503 page or stale copy.",
    ["answer"],
)
