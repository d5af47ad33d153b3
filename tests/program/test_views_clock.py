""" "Live now" and "Up next", from a fixed clock."""

import json
import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from program.clock import program_clock
from program.models import Session, Talk
from tests.factories import TalkFactory
from tests.program.test_views import page_text

pytestmark = pytest.mark.django_db

# Thursday, July 30, 2020, 9:45 am PDT: Session 3 (9:00–10:30 am) is on.
DURING_SESSION_3 = datetime(2020, 7, 30, 16, 45, tzinfo=UTC)


def sessions_of(conference):
    return list(Session.objects.filter(conference=conference))


def test_the_session_in_progress_is_live_and_the_next_one_up_next(opml20):
    clock = program_clock(opml20, sessions_of(opml20), DURING_SESSION_3)
    assert [s.number for s in clock.live] == [3]
    assert [s.number for s in clock.up_next] == [4]


def test_between_sessions_only_the_next_is_marked(opml20):
    # Saturday, August 1: the program resumes on Tuesday, August 4.
    clock = program_clock(opml20, sessions_of(opml20), datetime(2020, 8, 1, 12, tzinfo=UTC))
    assert clock.live == ()
    assert [s.number for s in clock.up_next] == [5]


def test_a_session_is_live_from_its_start_until_just_before_its_end(opml20):
    session = Session.objects.get(conference=opml20, number=3)
    sessions = sessions_of(opml20)
    assert program_clock(opml20, sessions, session.start).live == (session,)
    assert program_clock(opml20, sessions, session.end).live == ()
    assert program_clock(opml20, sessions, session.start - timedelta(seconds=1)).live == ()


@pytest.mark.parametrize(
    "now",
    [datetime(2020, 7, 1, tzinfo=UTC), datetime(2020, 8, 8, 12, tzinfo=UTC)],
    ids=["weeks before", "the day after"],
)
def test_nothing_is_marked_outside_the_conference(opml20, now):
    clock = program_clock(opml20, sessions_of(opml20), now)
    assert clock.live == ()
    assert clock.up_next == ()


def test_program_page_marks_live_now_with_its_slack_line_prominent(client, opml20):
    with mock.patch("django.utils.timezone.now", return_value=DURING_SESSION_3):
        response = client.get(opml20.get_absolute_url())
    text = page_text(response)
    assert "Live now Session 3: Features, Explainability, and Analytics" in text
    assert text.count("Live now") == 1  # on the session itself, which the page opens on
    assert text.count("Up next") == 1
    html = response.content.decode()
    assert '<article class="session is-live" id="session-3"' in html
    # Each Slack line once per session (issue 19), the live one prominent.
    assert (
        html.count(
            '<p class="slack slack-live">Join the discussion at the Session 3 Slack channel.</p>'
        )
        == 1
    )


def test_session_page_says_it_is_live(client, opml20):
    session = Session.objects.get(conference=opml20, number=3)
    with mock.patch("django.utils.timezone.now", return_value=DURING_SESSION_3):
        text = page_text(client.get(session.get_absolute_url()))
    assert text.startswith("OpML '20 Conference Program Live now Session 3")


def test_no_badge_after_the_conference(client, opml20):
    after = datetime(2021, 1, 1, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=after):
        text = page_text(client.get(opml20.get_absolute_url()))
    assert "Live now" not in text
    assert "Up next" not in text


def json_ld(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


def test_program_page_describes_the_conference_as_an_event(client, opml20):
    data = json_ld(client.get(opml20.get_absolute_url()))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "OpML '20"
    assert data["startDate"] == "2020-07-28T09:00:00-07:00"
    assert data["endDate"] == "2020-08-07T10:30:00-07:00"
    assert [event["name"] for event in data["subEvent"]][:2] == [
        "Session 1: Deep Learning and GPU Accelerated Data Science",
        "Session 2: Model Life Cycle",
    ]
    assert data["subEvent"][0]["url"] == "http://testserver/opml20/sessions/1/"


def test_session_page_event_lists_its_talks(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    data = json_ld(client.get(session.get_absolute_url()))
    assert data["name"] == "Session 1: Deep Learning and GPU Accelerated Data Science"
    assert data["superEvent"]["name"] == "OpML '20"
    assert [talk["name"] for talk in data["subEvent"]] == [
        "DLSpec: A Deep Learning Task Exchange Specification",
        "End-to-End Data Science on GPUs with RAPIDS",
    ]


def test_talk_page_event_names_its_performers_and_session(client, opml20):
    talk = Talk.objects.get(title__startswith="SPOK")
    data = json_ld(client.get(talk.get_absolute_url()))
    assert data["name"] == talk.title
    assert data["url"] == f"http://testserver{talk.get_absolute_url()}"
    assert [p["name"] for p in data["performer"]] == ["Nagaraj Janardhana", "Mike Arov"]
    assert data["performer"][1]["affiliation"]["name"] == "Intuit"
    assert data["superEvent"]["name"] == "Session 7: Model Training"
    assert data["startDate"] == "2020-08-06T09:00:00-07:00"


def test_json_ld_cannot_close_its_script_element(client):
    talk = TalkFactory(title="</script><script>alert(1)</script>")
    html = client.get(talk.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in html
    assert json_ld(client.get(talk.get_absolute_url()))["name"] == talk.title


def test_parallel_sessions_are_all_live_and_simultaneous_starts_all_up_next(
    client, parallel_program
):
    sessions = list(Session.objects.filter(conference=parallel_program).order_by("start", "pk"))
    first, second = sessions[0], sessions[1]
    assert first.overlaps(second)
    now = second.start + timedelta(minutes=1)  # both on
    clock = program_clock(parallel_program, sessions, now)
    assert set(clock.live) == {first, second}
    later = [s for s in sessions if s.start > now]
    starts = min(s.start for s in later)
    assert set(clock.up_next) == {s for s in later if s.start == starts}
    with mock.patch("django.utils.timezone.now", return_value=now):
        html = client.get(parallel_program.get_absolute_url()).content.decode()
        session_html = client.get(second.get_absolute_url()).content.decode()
    # No banner repeats them (each Slack link once per session): both sessions carry the badge.
    assert html.count('<p class="badge badge-live">Live now</p>') == 2
    assert '<aside class="now-on"' not in html
    assert f'id="session-{first.number}"' in html
    for session in (first, second):
        assert f'<article class="session is-live" id="session-{session.number}"' in html
    assert "Live now" in session_html


def test_sessions_starting_at_once_are_all_up_next(opml20):
    sessions = sessions_of(opml20)
    session = next(s for s in sessions if s.number == 4)
    twin = Session(
        conference=opml20,
        day=session.day,
        number=99,
        title="Twin",
        start=session.start,
        end=session.end,
    )
    clock = program_clock(opml20, [*sessions, twin], DURING_SESSION_3)
    assert {s.number for s in clock.up_next} == {4, 99}
