"""sitemap.xml: every public page and no draft, each under its own URL and date, written as
Django's own view and template would."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from program.models import Conference, Session, Talk
from program.sitemaps import SITEMAPS, urlset_xml
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


def test_sitemap_is_what_djangos_own_view_and_template_write(client, opml20):
    """The view writes the XML itself, for speed: the same bytes and headers as Django's."""
    expected = django_sitemap(RequestFactory().get("/sitemap.xml"), SITEMAPS)
    expected.render()
    response = client.get("/sitemap.xml")
    assert response.content == expected.content
    for header in ("Content-Type", "Last-Modified", "X-Robots-Tag"):
        assert response[header] == expected[header], header


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Asia/Kolkata"])
def test_urlset_xml_writes_what_the_template_renders(zone):
    late = datetime(2030, 7, 1, 23, 30, tzinfo=UTC)  # another day in some zones
    urls = [
        dict(location="http://x/a&b'<\"c>/", lastmod=late, changefreq=None, priority=""),
        # Naive: printed as it is, not converted.
        dict(location="http://x/n/", lastmod=datetime(2030, 1, 2, 3), changefreq="daily"),  # noqa: DTZ001
        dict(location="http://x/d/", lastmod=date(999, 1, 2), changefreq="", priority="0.4"),
        dict(location="http://x/none/", lastmod=None, changefreq=None, priority="1.0"),
    ]
    for url in urls:
        url.setdefault("priority", "")
        url["alternates"] = []
    urls[0]["alternates"] = [{"lang_code": "en", "location": "http://x/en/?a=1&b=2"}]
    with timezone.override(zone):
        for some in (urls, urls[:1], []):
            assert urlset_xml(some) == render_to_string("sitemap.xml", {"urlset": some})
