"""The rules a conference's slug and time zone obey, for the model and the forms alike."""

import zoneinfo

from django.core.exceptions import ValidationError

# Every first path segment the site's own URLs use (opml/urls.py and the apps' urls.py, plus
# static and media files and the well-known files a site may serve), so a conference slug never
# shadows one of them. tests/program/test_urls.py checks the URL resolver against this list.
RESERVED_CONFERENCE_SLUGS = frozenset(
    {
        "admin",
        "api",
        "affiliations",
        "picks",
        "search",
        "speakers",
        "speaker-page",
        "sitemap.xml",
        "static",
        "media",
        "robots.txt",
        "favicon.ico",
        "humans.txt",
        ".well-known",
        "healthz",
        "readyz",
        "metrics",
    }
)


def validate_time_zone(value):
    """Accept only IANA zone names that this Python knows, e.g. "America/Los_Angeles"."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "“%(value)s” is not an IANA time zone name such as America/Los_Angeles.",
            params={"value": value},
            code="invalid_time_zone",
        )


def validate_conference_slug(value):
    """Keep conference slugs from shadowing the site's own top-level URLs."""
    if value in RESERVED_CONFERENCE_SLUGS:
        raise ValidationError(
            "“%(value)s” is reserved for the site's own pages; choose another slug.",
            params={"value": value},
            code="reserved_slug",
        )
