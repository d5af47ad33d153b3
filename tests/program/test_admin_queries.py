"""Changelists and change pages run a bounded number of queries, however large the program."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from program.models import Conference, Day, Session, Talk
from speakers.models import Affiliation, Authorship, Speaker
from tests.program.test_admin_pages import admin_url

MODELS = [Conference, Day, Session, Talk, Affiliation, Speaker, Authorship]
# A changelist: session, user, permissions, the count, the page, prefetches, filters' choices.
CHANGELIST_QUERIES = 16


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(context)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelists_are_bounded_on_a_large_program(large_program, member_client, model):
    url = admin_url(model, "changelist")
    count = queries(member_client, url)
    assert count <= CHANGELIST_QUERIES, count
    # A full page of 100 rows costs no more than a page of 10.
    assert queries(member_client, url, {"q": "1"}) <= count + 1


def test_talk_changelist_with_every_filter(large_program, member_client):
    url = admin_url(Talk, "changelist")
    params = {"session__conference__id__exact": large_program.pk, "missing": "media"}
    assert queries(member_client, url, params) <= CHANGELIST_QUERIES


def test_session_clash_filter_is_bounded(large_program, member_client):
    url = admin_url(Session, "changelist")
    assert queries(member_client, url, {"clash": "speaker"}) <= CHANGELIST_QUERIES


def test_session_page_with_twenty_talks_is_bounded(large_program, member_client):
    session = large_program.sessions.order_by("number").first()
    assert session.talks.count() == 20
    assert queries(member_client, admin_url(Session, "change", session.pk)) <= 20


def test_talk_page_is_bounded(large_program, member_client):
    talk = Talk.objects.filter(session__conference=large_program).first()
    authors = talk.authorships.count()
    # Each author's two autocomplete widgets look up their chosen speaker and affiliation.
    assert queries(member_client, admin_url(Talk, "change", talk.pk)) <= 12 + 2 * authors


def test_readiness_report_is_bounded(large_program, member_client):
    url = reverse("admin:program_conference_readiness", args=[large_program.pk])
    assert queries(member_client, url) <= 20
