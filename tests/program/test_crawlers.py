"""Crawler housekeeping and unsafe methods: robots.txt, noindex on search, one address per
page (301 from other spellings), and 405 with Allow for writes to read-only addresses."""

import pytest
from django.test import Client
from django.urls import reverse

from program.models import Session, Talk
from program.validators import RESERVED_CONFERENCE_SLUGS


def test_robots_txt_names_the_sitemap_by_its_absolute_url(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "robots.txt" in RESERVED_CONFERENCE_SLUGS


def test_search_pages_are_not_indexed(client, db):
    for url in ("/search/", "/search/?q=learning"):
        assert '<meta name="robots" content="noindex">' in client.get(url).content.decode()


def test_other_spellings_of_a_page_redirect_permanently(client, opml20):
    response = client.get("/opml20/sessions/01/")
    assert response.status_code == 301
    assert response["Location"] == "/opml20/sessions/1/"
    response = client.get("/opml20/sessions/001/?utm_source=x")
    # Parameters no page reads are dropped before the view (they would make cache entries).
    assert response["Location"] == "/opml20/sessions/1/"
    assert client.get("/opml20/sessions/1/").status_code == 200
    assert client.get("/opml20/sessions/09/").status_code == 404  # no session 9
    response = client.get("/opml20/sessions/01/calendar.ics")
    assert (response.status_code, response["Location"]) == (301, "/opml20/sessions/1/calendar.ics")


def read_only_urls(conference):
    session = Session.objects.get(conference=conference, number=1)
    talk = Talk.objects.filter(session=session).first()
    authorship = talk.authorships.select_related("speaker", "affiliation").first()
    return [
        "/",
        "/robots.txt",
        "/sitemap.xml",
        "/search/?q=x",
        "/picks/",
        conference.get_absolute_url(),
        session.get_absolute_url(),
        talk.get_absolute_url(),
        authorship.speaker.get_absolute_url(),
        authorship.affiliation.get_absolute_url(),
        conference.get_calendar_url(),
        session.get_calendar_url(),
        talk.get_calendar_url(),
        reverse("feeds:speaker", kwargs={"slug": authorship.speaker.slug}),
        reverse("program:schedule_xml", kwargs={"conference_slug": conference.slug}),
        reverse("program:schedule_json", kwargs={"conference_slug": conference.slug}),
        reverse("program:changes", kwargs={"slug": conference.slug}),
        reverse("program:changes_feed", kwargs={"slug": conference.slug}),
    ]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unsafe_methods_get_405_with_allow_not_a_csrf_403(method, opml20):
    client = Client(enforce_csrf_checks=True)  # as browsers meet it
    for url in read_only_urls(opml20):
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url, response.status_code)
        assert response["Allow"] == "GET, HEAD", url


def test_picks_json_endpoints_still_take_writes(client, db):
    response = client.post(reverse("program:picks_lists"), "{}", content_type="application/json")
    assert response.status_code != 405
