"""Several conferences (issue 19): the home page shows the one on now, then those to come, then
past ones by year; speaker and organisation pages name each talk's conference and year, grouped
by conference, newest first."""

from datetime import UTC, date, datetime
from unittest import mock

import pytest

from program.models import Session, Talk
from speakers.models import Authorship, Speaker
from tests.factories import ConferenceFactory, DayFactory, SessionFactory, TalkFactory
from tests.program.test_views import page_text

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)


def conference_on(name, slug, *days):
    conference = ConferenceFactory(name=name, slug=slug)
    for day in days:
        SessionFactory(day=DayFactory(conference=conference, date=day))
    return conference


def test_home_shows_the_conference_on_now_then_upcoming_then_past_by_year(client):
    conference_on("Old '24", "old24", date(2024, 5, 1))
    conference_on("Past '25", "past25", date(2025, 3, 1), date(2025, 3, 2))
    conference_on("Earlier '25", "earlier25", date(2025, 1, 10))
    conference_on("Now '26", "now26", date(2026, 12, 6), date(2026, 12, 7), date(2026, 12, 8))
    conference_on("Next '27", "next27", date(2027, 6, 1))
    conference_on("Later '27", "later27", date(2027, 9, 1))
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        text = page_text(client.get("/"))
    order = [
        "On now",
        "Now '26",
        "Upcoming",
        "Next '27",
        "Later '27",
        "2025",
        "Past '25",
        "Earlier '25",
        "2024",
        "Old '24",
    ]
    positions = [text.index(f" {item} ") for item in order]
    assert positions == sorted(positions), text


def test_a_speaker_page_names_each_talks_conference_and_year_newest_first(client, opml20):
    speaker = Speaker.objects.get(name="John Zedlewski")
    first = Authorship.objects.filter(speaker=speaker).first()
    later = conference_on("OpML '26", "opml26", date(2026, 7, 1))
    talk = TalkFactory(
        session=Session.objects.get(conference=later), title="Session 1 again, six years on"
    )
    Authorship.objects.create(talk=talk, speaker=speaker, position=0)
    text = page_text(client.get(speaker.get_absolute_url()))
    talks = text[text.index("Talks") :]
    assert talks.index("OpML '26 (2026)") < talks.index(talk.title)
    assert talks.index(talk.title) < talks.index("OpML '20 (2020)")
    assert talks.index("OpML '20 (2020)") < talks.index(first.talk.title)

    affiliation = speaker.affiliation
    Authorship.objects.filter(talk=talk).update(affiliation=affiliation)
    text = page_text(client.get(affiliation.get_absolute_url()))
    talks = text[text.index("Talks") :]
    assert talks.index("OpML '26 (2026)") < talks.index("OpML '20 (2020)")


def test_speaker_page_queries_stay_constant_across_conferences(
    client, opml20, django_assert_max_num_queries
):
    speaker = Speaker.objects.get(name="John Zedlewski")
    for n in range(3):
        conference = conference_on(f"Extra '{n}", f"extra{n}", date(2027 + n, 1, 1))
        talk = TalkFactory(session=Session.objects.get(conference=conference))
        Authorship.objects.create(talk=talk, speaker=speaker, position=0)
    assert Talk.objects.filter(authorships__speaker=speaker).count() == 4
    with django_assert_max_num_queries(8):
        client.get(speaker.get_absolute_url())
