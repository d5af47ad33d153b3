"""sitemap.xml: every public page and no draft, each under its own URL and date."""

import xml.etree.ElementTree as ET
from datetime import UTC

import pytest

from program.models import Conference, Session, Talk
from speakers.models import Affiliation, Speaker

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(response):
    """{path: lastmod (or None)} of each <url>, in the sitemap's order."""
    assert response.status_code == 200
    entries = {}
    for url in ET.fromstring(response.content).findall("s:url", NS):
        location = url.findtext("s:loc", namespaces=NS)
        assert location.startswith("http://testserver/"), location
        path = location.removeprefix("http://testserver")
        assert path not in entries, f"{path} listed twice"
        entries[path] = url.findtext("s:lastmod", namespaces=NS)
    return entries


def test_pages_are_listed_under_their_own_url_and_date_in_order(client, opml20):
    """Built from value rows and path templates, not models: the same paths, dates and order
    as the models' own."""
    talks = Talk.objects.published()
    pages = [
        *Conference.objects.published(),
        *Session.objects.published(),
        *talks,
        *Speaker.objects.presenting(talks),
        *Affiliation.objects.public(talks),
    ]
    expected = {
        page.get_absolute_url(): page.updated_at.astimezone(UTC).date().isoformat()
        for page in pages
    }
    entries = sitemap_entries(client.get("/sitemap.xml"))
    assert list(entries.items()) == list(expected.items())
    assert len(entries) > 100  # it looked
