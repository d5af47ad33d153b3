"""The public cache: hits touch none of the program's tables, a change is seen at once, a
conditional request is answered before anything is rendered, staff previews bypass it."""

import gzip
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from program import revisions
from program.models import Session, Talk
from tests.program.test_revisions import public_urls

pytestmark = pytest.mark.cache


def test_a_hit_reads_only_the_version(client, opml20):
    # A picks feed follows its list, which changes without a new program version: not cached.
    urls = [url for url in public_urls(opml20) if url != "/" and not url.startswith("/picks/")]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            second = client.get(url)
        assert second.status_code == 200
        assert second.content == first.content, url
        assert len(queries) <= 1, (url, [q["sql"] for q in queries])
        assert all("program_programversion" in q["sql"] for q in queries), url


def test_an_edit_is_served_at_once(client, opml20):
    session = Session.objects.get(conference=opml20, number=2)
    pages = [opml20.get_absolute_url(), session.get_absolute_url(), opml20.get_calendar_url()]
    for url in pages:
        assert b"Retitled by the committee" not in client.get(url).content
    session.title = "Retitled by the committee"
    session.save()
    for url in pages:
        assert b"Retitled by the committee" in client.get(url).content, url
    speaker = session.talks.first().authorships.first().speaker
    assert b"Renamed Person" not in client.get(speaker.get_absolute_url()).content
    speaker.name = "Renamed Person"
    speaker.save()
    assert b"Renamed Person" in client.get(speaker.get_absolute_url()).content
    assert b"Renamed Person" in client.get(opml20.get_absolute_url()).content


def test_validators_and_304_before_rendering(client, opml20, django_assert_max_num_queries):
    for url in (opml20.get_absolute_url(), opml20.get_calendar_url(), "/sitemap.xml"):
        response = client.get(url)
        etag, last_modified = response["ETag"], response["Last-Modified"]
        assert etag.startswith('"'), "strong, not W/"
        with django_assert_max_num_queries(1):
            assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        with django_assert_max_num_queries(1):
            not_modified = client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified)
        assert not_modified.status_code == 304
        assert not_modified["ETag"] == etag
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    page = client.get(opml20.get_absolute_url())
    assert page["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert client.get(opml20.get_calendar_url())["Cache-Control"] == "public, max-age=300"


def test_a_cold_conditional_request_is_answered_too(client, opml20):
    etag = client.get(opml20.get_absolute_url())["ETag"]
    cache.clear()
    assert client.get(opml20.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_gzip_for_those_who_accept_it(client, opml20):
    plain = client.get(opml20.get_absolute_url())
    packed = client.get(opml20.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in packed["Vary"]
    assert client.get(opml20.get_absolute_url(), HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == (
        200
    )
    feed = client.get(opml20.get_calendar_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert feed["Content-Encoding"] == "gzip"


def test_the_admin_is_not_compressed(admin_client, opml20):
    response = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_staff_previews_neither_read_nor_fill_the_cache(member_client, opml20):
    client = Client()  # the public, beside the logged-in committee member
    draft = Talk.objects.filter(session__conference=opml20).first()
    Talk.objects.filter(pk=draft.pk).update(title="Draft title", is_published=False)
    revisions.record_changes([opml20.pk])
    url = opml20.get_absolute_url()
    assert b"Draft title" not in client.get(url).content  # fills the public cache
    preview = member_client.get(url)
    assert b"Draft title" in preview.content
    assert preview["Cache-Control"] == "private, no-store"
    assert b"Draft title" in member_client.get(url).content
    assert b"Draft title" not in client.get(url).content


def test_live_now_moves_on_when_a_session_starts(client, opml20):
    session = Session.objects.get(conference=opml20, number=3)
    before = session.start - timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=before):
        text = client.get(opml20.get_absolute_url()).content.decode()
    assert "Live now" not in text
    assert "Up next" in text
    with mock.patch("django.utils.timezone.now", return_value=session.start + timedelta(1 / 24)):
        text = client.get(opml20.get_absolute_url()).content.decode()
    assert "Live now" in text
