"""sitemap.xml: every public page (details and indexes) and no draft, each answering a visitor
under its own URL and date, written as Django's own view and template would, in a fixed number
of queries."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_http_date

from program.models import Conference, Session, Talk
from program.sitemaps import SITEMAPS, urlset_xml
from speakers.models import Affiliation, Speaker
from tests.factories import ConferenceFactory, SessionFactory, TalkFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
INDEX_PAGES = ("program:session_list", "program:speaker_list", "program:changes")
SITE_INDEX_PAGES = ("speakers:speaker_list", "speakers:affiliation_list")


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


def index_paths(conference):
    return [reverse(name, kwargs={"slug": conference.slug}) for name in INDEX_PAGES]


def site_index_paths():
    return [reverse(name) for name in SITE_INDEX_PAGES]


@pytest.fixture
def drafts(opml20):
    """A draft conference with a session and a talk; a draft talk in OpML '20."""
    hidden = ConferenceFactory(is_published=False, slug="hidden")
    TalkFactory(session=SessionFactory(day__conference=hidden))
    TalkFactory(session=Session.objects.get(conference=opml20, number=1), is_published=False)
    return hidden


def test_sitemap_lists_every_public_page(client, opml20, drafts):
    entries = sitemap_entries(client.get("/sitemap.xml"))
    assert "/opml20/" in entries
    assert "/opml20/sessions/8/" in entries
    assert Talk.objects.get(title__startswith="SPOK").get_absolute_url() in entries
    assert "/speakers/mikhail-arov/" in entries
    assert "/affiliations/intuit/" in entries
    for path in [
        "/opml20/sessions/",
        "/opml20/speakers/",
        "/opml20/changes/",
        "/speakers/",
        "/affiliations/",
    ]:
        assert path in entries
    assert not [path for path in entries if path.startswith("/hidden/")]
    assert Talk.objects.drafts().get().get_absolute_url() not in entries


def test_every_page_in_the_sitemap_answers_a_visitor(client, opml20, drafts):
    entries = sitemap_entries(client.get("/sitemap.xml"))
    assert len(entries) > 100  # it looked
    for path in entries:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    for path in index_paths(drafts):  # why a draft's index pages are left out
        assert client.get(path).status_code == 404, path


def test_pages_are_listed_under_their_own_url_in_order(client, opml20):
    """Built from value rows and path templates, not models: the same paths and order as the
    models' own."""
    talks = Talk.objects.published()
    pages = [
        *Conference.objects.published(),
        *Session.objects.published(),
        *talks,
        *Speaker.objects.presenting(talks),
        *Affiliation.objects.public(talks),
    ]
    indexes = {*index_paths(opml20), *site_index_paths()}
    entries = sitemap_entries(client.get("/sitemap.xml"))
    assert [path for path in entries if path not in indexes] == [
        page.get_absolute_url() for page in pages
    ]


def lastmods(client):
    """{path: (sitemap lastmod, the page's own Last-Modified as a date)} of every listed page."""
    entries = sitemap_entries(client.get("/sitemap.xml"))
    return {
        path: (
            lastmod,
            datetime.fromtimestamp(parse_http_date(client.get(path)["Last-Modified"]), UTC)
            .date()
            .isoformat(),
        )
        for path, lastmod in entries.items()
    }


def test_every_page_is_dated_as_the_page_dates_itself(client, opml20):
    for path, (lastmod, last_modified) in lastmods(client).items():
        assert lastmod == last_modified, path


def test_after_a_retitle_a_move_and_a_withdrawal_lastmod_moves_with_the_pages(client, opml20):
    """The issue's case: the program, session and speaker pages said one date in the sitemap
    and another in their Last-Modified."""
    when = timezone.now() + timedelta(days=3)
    before = lastmods(client)
    with mock.patch("django.utils.timezone.now", return_value=when):
        talk = Talk.objects.published().filter(session__conference=opml20).first()
        talk.title = "A new title"
        talk.session = Session.objects.get(conference=opml20, number=6)
        talk.save()
        withdrawn = Talk.objects.published().filter(session__number=6).exclude(pk=talk.pk).first()
        withdrawn.is_published = False
        withdrawn.save()
    after = lastmods(client)
    for path in ("/opml20/", "/opml20/sessions/6/", talk.get_absolute_url()):
        assert after[path] == (f"{when:%Y-%m-%d}",) * 2, path
        assert before[path] != after[path]
    for path, dates in after.items():
        assert dates[0] == dates[1], path


def test_sitemap_is_what_djangos_own_view_and_template_write(client, opml20, drafts):
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


def test_sitemap_runs_constant_queries_on_a_large_program(
    client, large_program, django_assert_max_num_queries
):
    draft = ConferenceFactory(is_published=False)
    cache.clear()
    # One query a section (lists: no COUNT for the paginator), two for the index pages (the
    # conferences with their versions, the site's version), the site's version again for the
    # speakers' and organisations' sections; +1: the version the cache checks.
    with django_assert_max_num_queries(10):
        entries = sitemap_entries(client.get("/sitemap.xml"))
    assert reverse("program:session_list", kwargs={"slug": large_program.slug}) in entries
    assert not set(index_paths(draft)) & entries.keys()
    assert len(entries) == (
        Conference.objects.published().count() * (1 + len(INDEX_PAGES))
        + len(SITE_INDEX_PAGES)
        + Session.objects.count()
        + Talk.objects.count()
        + Speaker.objects.count()
        + Affiliation.objects.count()
    )
