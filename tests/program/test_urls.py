"""No conference slug can take a URL the site itself uses."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import URLPattern, get_resolver

from program.models import Conference
from program.validators import RESERVED_CONFERENCE_SLUGS


def first_segments(patterns, prefix=""):
    """The literal first path segment of every URL pattern (None where it is a parameter, as
    in "<slug:slug>/"), following includes that add no segment of their own."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern).removeprefix("^")
        if "/" not in route and not isinstance(pattern, URLPattern):
            yield from first_segments(pattern.url_patterns, route)
            continue
        head = route.split("/", 1)[0]
        if not head:
            continue  # the home page
        yield None if "<" in head or "(" in head else head


def test_every_literal_top_level_segment_is_reserved():
    segments = set(first_segments(get_resolver().url_patterns))
    assert {"admin", "picks", "search", "speakers", "sitemap.xml"} <= segments  # it looked
    literal = segments - {None}
    assert literal - RESERVED_CONFERENCE_SLUGS == set()


def test_static_and_media_prefixes_are_reserved():
    for url in [settings.STATIC_URL, settings.MEDIA_URL]:
        head = url.strip("/").split("/", 1)[0]
        if head:
            assert head in RESERVED_CONFERENCE_SLUGS


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["picks", "search", "admin", "affiliations"])
def test_a_conference_cannot_take_a_reserved_slug(slug):
    conference = Conference(name="X", slug=slug, time_zone="UTC")
    with pytest.raises(ValidationError) as error:
        conference.full_clean()
    assert error.value.message_dict["slug"] == [
        f"“{slug}” is reserved for the site's own pages; choose another slug."
    ]
