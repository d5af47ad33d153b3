"""The index pages (a conference's sessions, speakers and change log; everyone's speakers and
organisations; the home page) list all they should in a fixed number of SQL queries, whatever
the size of the program: pinned on the generated 2,000-talk program, the public cache emptied
so that each page really renders. The sitemap's: tests/program/test_sitemap.py."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from program.changes import MAX_ENTRIES
from program.management.commands.generate_program import LARGE_PROGRAM
from program.models import ChangeLogEntry, Session, Talk
from speakers.models import Affiliation, Speaker
from tests.factories import ConferenceFactory

pytestmark = pytest.mark.django_db

SPEAKER_LINK = re.compile(r'<li><a href="/speakers/[^"/]+/">')
AFFILIATION_LINK = re.compile(r'<li><a href="/affiliations/[^"/]+/">')


def render(client, url, django_assert_max_num_queries, queries):
    cache.clear()
    with django_assert_max_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# Each count is the page's own queries +1: the version the public cache checks on a miss.


def test_sessions_index(client, large_program, django_assert_max_num_queries):
    url = reverse("program:session_list", kwargs={"slug": large_program.slug})
    # The conference, its sessions, their talks.
    html = render(client, url, django_assert_max_num_queries, 4)
    sessions = Session.objects.filter(conference=large_program).count()
    links = re.findall(rf'<a href="{url}\d+/">', html)
    assert len(links) == sessions >= 100
    assert html.count(f"({LARGE_PROGRAM['talks_per_session']} talks)") == sessions


def test_conference_speakers_index(client, large_program, django_assert_max_num_queries):
    url = reverse("program:speaker_list", kwargs={"slug": large_program.slug})
    # The conference, its speakers with their organisations.
    html = render(client, url, django_assert_max_num_queries, 3)
    talks = Talk.objects.published().filter(session__conference=large_program)
    assert len(SPEAKER_LINK.findall(html)) == Speaker.objects.presenting(talks).count() > 2000


def test_change_log(client, large_program, django_assert_max_num_queries):
    first = ChangeLogEntry.objects.get(conference=large_program)  # "… published."
    ChangeLogEntry.objects.bulk_create(
        ChangeLogEntry(
            conference=large_program,
            kind=ChangeLogEntry.Kind.RETITLED,
            text=f"Change {n}",
            changed_at=first.changed_at + timedelta(minutes=n),
        )
        for n in range(1, MAX_ENTRIES + 50)
    )
    url = reverse("program:changes", kwargs={"slug": large_program.slug})
    # The conference, its newest entries.
    html = render(client, url, django_assert_max_num_queries, 3)
    assert html.count('<li id="change-') == MAX_ENTRIES
    assert f"Change {MAX_ENTRIES + 49}<" in html
    assert first.text not in html


def test_site_speakers_index(client, large_program, django_assert_max_num_queries):
    # The speakers of published talks, with their organisations.
    html = render(client, reverse("speakers:speaker_list"), django_assert_max_num_queries, 2)
    assert len(SPEAKER_LINK.findall(html)) == Speaker.objects.count() > 2000


def test_organisations_index(client, large_program, django_assert_max_num_queries):
    # The organisations of published talks and of their speakers.
    html = render(client, reverse("speakers:affiliation_list"), django_assert_max_num_queries, 2)
    assert len(AFFILIATION_LINK.findall(html)) == Affiliation.objects.count() > 100


def test_home(client, large_program, django_assert_max_num_queries):
    other = ConferenceFactory()
    # The published conferences.
    html = render(client, reverse("program:home"), django_assert_max_num_queries, 2)
    assert large_program.get_absolute_url() in html
    assert other.get_absolute_url() in html
