"""A bounded public cache: only the query parameters a page reads form its cache key, so a
random query string neither makes a new entry nor a new render."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.django_db, pytest.mark.cache]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("/opml20/", "/opml20/?utm_source=x&{junk}=1"),
        ("/opml20/?abstracts=all", "/opml20/?{junk}=2&abstracts=all"),
        ("/search/?q=learning", "/search/?q=learning&{junk}=3"),
        ("/sitemap.xml", "/sitemap.xml?{junk}"),
        ("/opml20/calendar.ics", "/opml20/calendar.ics?nocache={junk}"),
        ("/api/talks/?page=1&page_size=2", "/api/talks/?page_size=2&{junk}=4&page=1"),
        ("/api/conferences/opml20/", "/api/conferences/opml20/?{junk}=5"),
    ],
)
def test_unread_parameters_share_the_pages_entry(client, opml20, first, then):
    _, original = queries_for(client, first)
    for _ in range(3):
        count, response = queries_for(client, then.format(junk=uuid.uuid4().hex))
        assert count <= 1, "a hit: only the version was read"
        assert response.content == original.content


def test_a_parameter_the_page_reads_still_counts(client, opml20):
    compact = client.get("/opml20/").content
    assert client.get("/opml20/?abstracts=all").content != compact
    assert client.get("/search/?q=learning").content != client.get("/search/?q=kubernetes").content


def test_api_links_carry_only_what_the_api_reads(client, opml20):
    data = client.get("/api/talks/", {"page_size": 2, "tracking": "abc"}).json()
    assert "tracking" not in data["next"]
    assert "page_size=2" in data["next"]
