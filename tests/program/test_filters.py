"""Filters of the program (issue 19): by day, room and kind as plain GET parameters, and a
calendar feed of exactly what the filtered page shows (parsed back with icalendar)."""

import re

import icalendar
import pytest

from program.caching import READ_PARAMETERS
from program.models import Session

pytestmark = pytest.mark.django_db


def shown(html):
    """The UIDs of the sessions and talks a program page shows (their pick slots)."""
    sessions = set(
        re.findall(
            r'<span class="pick-slot" data-pick="([0-9a-f-]+)" data-pick-title="Session', html
        )
    )
    talks = set(re.findall(r'</h4><span class="pick-slot" data-pick="([0-9a-f-]+)"', html))
    return sessions, talks


def feed_uids(client, url):
    response = client.get(url)
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]).split("@")[0] for event in calendar.walk("VEVENT")}


def test_a_day_filter_shows_that_day_only(client, opml20):
    html = client.get("/opml20/?day=2020-07-30").content.decode()
    assert re.findall(r'<section class="day[^"]*" id="(day-[\d-]+)"', html) == ["day-2020-07-30"]
    assert "Showing Thursday, July 30" in html
    assert 'href="/opml20/">Whole program</a>' in html


def test_kind_session_lists_sessions_without_their_talks(client, opml20):
    html = client.get("/opml20/?kind=session").content.decode()
    sessions, talks = shown(html)
    assert len(sessions) == 8
    assert talks == set()


def test_values_that_name_nothing_are_ignored(client, opml20):
    whole = shown(client.get("/opml20/").content.decode())
    for query in ("day=2031-01-01", "day=yesterday", "kind=keynote", "room=Nowhere"):
        html = client.get(f"/opml20/?{query}").content.decode()
        assert shown(html) == whole, query
        assert "filter-status" not in html


def test_the_form_is_a_plain_get_form_closed_by_default(client, opml20):
    html = client.get("/opml20/?day=2020-07-30").content.decode()
    form = html[
        html.index('<details class="filters">') : html.index(
            "</details>", html.index('<details class="filters">')
        )
    ]
    assert '<form class="filter-form" method="get" action="/opml20/">' in form
    assert '<option value="2020-07-30" selected>Thu, Jul 30</option>' in form
    assert "<summary>Filter: Thursday, July 30</summary>" in form
    # OpML '20 has no rooms: no room filter to offer.
    assert 'name="room"' not in form


@pytest.mark.parametrize(
    "query", ["day=2020-07-30", "kind=session", "kind=talk", "day=2020-08-05&kind=talk", ""]
)
def test_the_selection_feed_holds_exactly_what_the_page_shows(client, opml20, query):
    html = client.get(f"/opml20/?{query}").content.decode()
    sessions, talks = shown(html)
    uids = feed_uids(client, f"/opml20/selection.ics?{query}")
    if "kind=talk" in query:
        assert uids == talks
    elif "kind=session" in query:
        assert uids == sessions
    else:
        # Sessions as events, their talks named inside (OpML '20 talks have no times of their own).
        assert uids == sessions
    if query:
        assert f'/opml20/selection.ics?{query}"' in html.replace("&amp;", "&")


def test_rooms_filter_parallel_sessions(client, parallel_program):
    for session in Session.objects.filter(conference=parallel_program):
        session.location_name = "Room A" if session.number % 2 else "Room B"
        session.save()
    html = client.get("/tracks/?room=Room+B").content.decode()
    sessions, _talks = shown(html)
    room_b = Session.objects.filter(conference=parallel_program, location_name="Room B")
    assert sessions == {str(s.uid) for s in room_b}
    assert "<option selected>Room B</option>" in html
    assert feed_uids(client, "/tracks/selection.ics?room=Room+B&kind=session") == sessions


def test_each_selection_is_cached_apart(client, opml20, django_assert_max_num_queries):
    assert READ_PARAMETERS["program:conference_detail"] == {"abstracts", "day", "room", "kind"}
    day = client.get("/opml20/?day=2020-07-30").content
    whole = client.get("/opml20/").content
    assert day != whole
    with django_assert_max_num_queries(2):
        assert client.get("/opml20/?day=2020-07-30").content == day
