"""Calendar feeds as subscribers' calendar apps read them: parsed back with icalendar and with
vobject (an independent implementation), over HTTP, through edits, withdrawals and rebuilds."""

from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from program import revisions
from program.importer import apply_program
from program.models import Conference, EventRevision, Session, Talk
from program.parser import parse_program
from program.picks import encode_picks
from speakers.models import Affiliation, Speaker
from tests.factories import (
    AuthorshipFactory,
    ConferenceFactory,
    DayFactory,
    SessionFactory,
    SpeakerFactory,
    TalkFactory,
)

# Feeds come from the public cache: every edit below must show at once, whatever backs it.
pytestmark = pytest.mark.cache

UTC_ZONE = ZoneInfo("UTC")


def parse(raw):
    """The feed checked as clients would: CRLF, 75-octet lines, and two parsers agreeing.
    Returns {uid: icalendar VEVENT} and the icalendar Calendar."""
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    calendar = icalendar.Calendar.from_ical(raw)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert len(events) == len(calendar.walk("VEVENT")), "a UID appears twice"
    other = vobject.readOne(raw.decode())
    other_events = {e.uid.value: e for e in getattr(other, "vevent_list", [])}
    assert other_events.keys() == events.keys()
    for uid, event in events.items():
        assert other_events[uid].dtstart.value == event.decoded("DTSTART")
        assert other_events[uid].dtend.value == event.decoded("DTEND")
        assert other_events[uid].summary.value == str(event["SUMMARY"])
        assert other_events[uid].description.value == str(event["DESCRIPTION"])
    return events, calendar


def fetch(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def conference_url(conference):
    return reverse("feeds:conference", kwargs={"slug": conference.slug})


def sessions_by_number(events):
    return {
        int(str(event["SUMMARY"]).split(":")[0].removeprefix("Session ")): event
        for event in events.values()
        if str(event["SUMMARY"]).startswith("Session ")
    }


# --- OpML '20 ----------------------------------------------------------------------------------


def test_opml20_feed_has_every_session_at_the_seed_times(client, opml20, seed_text):
    events, calendar = parse(fetch(client, conference_url(opml20)).content)
    parsed = {session.number: session for session in parse_program(seed_text).sessions}
    by_number = sessions_by_number(events)
    assert by_number.keys() == parsed.keys()
    assert len(by_number) == 8
    for number, session in parsed.items():
        event = by_number[number]
        assert event.decoded("DTSTART") == session.start.astimezone(UTC)
        assert event.decoded("DTEND") == session.end.astimezone(UTC)
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert str(event["SUMMARY"]) == f"Session {number}: {session.title}"
        description = str(event["DESCRIPTION"])
        assert session.slack_label in description
        for talk in session.talks:
            assert talk.title in description
        assert str(event["STATUS"]) == "CONFIRMED"
    # As the issue states it: 9:00 am PDT is 16:00 UTC.
    assert by_number[1].decoded("DTSTART") == datetime(2020, 7, 28, 16, 0, tzinfo=UTC)
    assert by_number[1].decoded("DTEND") == datetime(2020, 7, 28, 17, 30, tzinfo=UTC)
    assert str(calendar["X-WR-CALNAME"]) == "OpML '20 Conference Program"
    assert str(calendar["NAME"]) == "OpML '20 Conference Program"


def test_calendar_properties_and_raw_text(client, opml20):
    raw = fetch(client, conference_url(opml20)).content
    text = raw.decode()
    for line in (
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        f"SOURCE:http://testserver{conference_url(opml20)}",
    ):
        assert f"\r\n{line}\r\n" in text
    assert "\r\nPRODID:" in text
    assert "METHOD" not in text
    assert "TZID" not in text  # every time is UTC, nothing floats
    for line in text.split("\r\n"):
        if line.startswith(("DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED")):
            assert line.endswith("Z"), line


def test_event_content_links_and_uids(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    events, _ = parse(fetch(client, conference_url(opml20)).content)
    event = events[f"{session.uid}@{settings.SITE_DOMAIN}"]
    page = f"http://testserver{session.get_absolute_url()}"
    assert str(event["URL"]) == page
    assert page in str(event["DESCRIPTION"])
    assert "Abdul Dakkak and Cheng Li, University of Illinois at Urbana-Champaign" in str(
        event["DESCRIPTION"]
    )
    assert str(event["LOCATION"]) == "Session 1 Slack channel"
    assert "CONFERENCE" not in event  # OpML '20 gives no Slack URL; we invent none


def test_slack_url_becomes_a_chat_conference_property(client, db):
    session = SessionFactory(slack_url="https://example.org/slack/s1", slack_label="Chat, here")
    raw = fetch(client, conference_url(session.conference)).content
    events, _ = parse(raw)
    event = events[f"{session.uid}@{settings.SITE_DOMAIN}"]
    assert 'CONFERENCE;VALUE=URI;FEATURE=CHAT;LABEL="Chat, here":https://example.org/slack/s1' in (
        raw.decode().replace("\r\n ", "")
    )
    assert str(event["CONFERENCE"]) == "https://example.org/slack/s1"
    assert "https://example.org/slack/s1" in str(event["DESCRIPTION"])


def test_text_is_escaped_and_long_lines_fold_without_breaking_characters(client, db):
    title = "Commas, semicolons; back\\slashes and “quotes” — " + "é" * 80
    session = SessionFactory(title=title, description="Line one\nline two")
    events, _ = parse(fetch(client, conference_url(session.conference)).content)
    event = events[f"{session.uid}@{settings.SITE_DOMAIN}"]
    assert str(event["SUMMARY"]) == f"Session {session.number}: {title}"
    assert str(event["DESCRIPTION"]).startswith("Line one\nline two")


def test_timed_talks_get_their_own_events(client, db):
    session = SessionFactory()
    timed = TalkFactory(
        session=session, start=session.start, end=session.start + timedelta(minutes=20)
    )
    untimed = TalkFactory(session=session)
    events, _ = parse(fetch(client, conference_url(session.conference)).content)
    domain = settings.SITE_DOMAIN
    assert set(events) == {f"{session.uid}@{domain}", f"{timed.uid}@{domain}"}
    assert events[f"{timed.uid}@{domain}"].decoded("DTEND") == timed.end
    assert untimed.title in str(events[f"{session.uid}@{domain}"]["DESCRIPTION"])


def test_feed_is_byte_identical_while_nothing_changes(client, opml20):
    first = fetch(client, conference_url(opml20))
    second = fetch(client, conference_url(opml20))
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert first["Last-Modified"] == second["Last-Modified"]


# --- Identity across re-import and rebuild -------------------------------------------------------


def empty_program_tables():
    """What a rebuilt database starts from: no program, no people, no feed revisions."""
    Conference.objects.all().delete()
    Speaker.objects.all().delete()
    Affiliation.objects.all().delete()
    assert not EventRevision.objects.exists()


def test_uids_survive_reimport_and_rebuild_from_fixture(client, opml20, seed_text):
    before = fetch(client, conference_url(opml20)).content
    apply_program(parse_program(seed_text), "opml20", publish=True)
    assert fetch(client, conference_url(opml20)).content == before

    empty_program_tables()
    call_command("loaddata", "opml20", verbosity=0)
    assert fetch(client, conference_url(opml20)).content == before


def test_import_into_an_empty_database_gives_the_fixtures_uids(client, opml20, seed_text):
    events_before, _ = parse(fetch(client, conference_url(opml20)).content)
    empty_program_tables()
    apply_program(parse_program(seed_text), "opml20", publish=True)
    events_after, _ = parse(fetch(client, conference_url(opml20)).content)
    assert events_after.keys() == events_before.keys()


# --- Updates -------------------------------------------------------------------------------------


def event_of(client, conference, obj):
    events, _ = parse(fetch(client, conference_url(conference)).content)
    return events.get(f"{obj.uid}@{settings.SITE_DOMAIN}")


def test_edits_keep_the_uid_and_raise_sequence_and_last_modified(client, opml20):
    session = Session.objects.get(conference=opml20, number=3)
    before = event_of(client, opml20, session)
    first_response = fetch(client, conference_url(opml20))

    session.title = "A new title"
    session.start += timedelta(hours=1)
    session.end += timedelta(hours=1)
    session.save()
    after = event_of(client, opml20, session)
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert after.decoded("DTSTAMP") == after.decoded("LAST-MODIFIED")
    assert str(after["SUMMARY"]) == "Session 3: A new title"
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(hours=1)
    second_response = fetch(client, conference_url(opml20))
    assert second_response["ETag"] != first_response["ETag"]
    assert parsedate_to_datetime(second_response["Last-Modified"]) >= parsedate_to_datetime(
        first_response["Last-Modified"]
    )
    # Polling again changes nothing more.
    assert event_of(client, opml20, session)["SEQUENCE"] == after["SEQUENCE"]


def test_a_speaker_rename_updates_the_sessions_event(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    before = event_of(client, opml20, session)
    speaker = session.talks.first().authorships.first().speaker
    speaker.name = "Renamed Person"
    speaker.save()
    after = event_of(client, opml20, session)
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert "Renamed Person" in str(after["DESCRIPTION"])


def test_an_author_removed_without_timestamps_still_raises_sequence(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    before = event_of(client, opml20, session)
    authorship = session.talks.first().authorships.last()
    authorship.delete()
    after = event_of(client, opml20, session)
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


@pytest.mark.parametrize("withdraw", ["unpublish", "delete"])
def test_withdrawn_session_stays_cancelled_then_leaves(client, opml20, withdraw, settings):
    session = Session.objects.get(conference=opml20, number=4)
    uid = f"{session.uid}@{settings.SITE_DOMAIN}"
    before = event_of(client, opml20, session)
    first = fetch(client, conference_url(opml20))
    if withdraw == "unpublish":
        session.is_published = False
        session.save()
    else:
        session.delete()

    events, _ = parse(fetch(client, conference_url(opml20)).content)
    cancelled = events[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["SEQUENCE"] == before["SEQUENCE"] + 1
    assert cancelled.decoded("DTSTART") == before.decoded("DTSTART")
    assert str(cancelled["SUMMARY"]).startswith("Cancelled: Session 4")
    second = fetch(client, conference_url(opml20))
    assert parsedate_to_datetime(second["Last-Modified"]) >= parsedate_to_datetime(
        first["Last-Modified"]
    )

    settings.CALENDAR_WITHDRAWN_GRACE_DAYS = 0
    third = fetch(client, conference_url(opml20))
    events, _ = parse(third.content)
    assert uid not in events
    assert len(sessions_by_number(events)) == 7
    assert parsedate_to_datetime(third["Last-Modified"]) >= parsedate_to_datetime(
        second["Last-Modified"]
    )


def test_republished_session_comes_back_with_a_higher_sequence(client, opml20):
    session = Session.objects.get(conference=opml20, number=2)
    event_of(client, opml20, session)
    session.is_published = False
    session.save()
    cancelled = event_of(client, opml20, session)
    session.is_published = True
    session.save()
    back = event_of(client, opml20, session)
    assert str(back["STATUS"]) == "CONFIRMED"
    assert back["SEQUENCE"] == cancelled["SEQUENCE"] + 1


# --- DST -----------------------------------------------------------------------------------------


def test_a_conference_across_a_dst_change_keeps_local_times(client, db):
    conference = ConferenceFactory(time_zone="America/Los_Angeles")
    # US daylight saving time began on Sunday 10 March 2030.
    before = SessionFactory(day=DayFactory(conference=conference, date=date(2030, 3, 9)))
    after = SessionFactory(day=DayFactory(conference=conference, date=date(2030, 3, 11)))
    events, _ = parse(fetch(client, conference_url(conference)).content)
    start_before = events[f"{before.uid}@{settings.SITE_DOMAIN}"].decoded("DTSTART")
    start_after = events[f"{after.uid}@{settings.SITE_DOMAIN}"].decoded("DTSTART")
    assert start_before == datetime(2030, 3, 9, 17, 0, tzinfo=UTC)  # 9:00 PST = UTC-8
    assert start_after == datetime(2030, 3, 11, 16, 0, tzinfo=UTC)  # 9:00 PDT = UTC-7
    for start in (start_before, start_after):
        assert start.astimezone(conference.tz).hour == 9


# --- HTTP ----------------------------------------------------------------------------------------


def test_conditional_requests_get_304(client, opml20):
    response = fetch(client, conference_url(opml20))
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('"')  # strong, not W/"..."
    assert response["Content-Disposition"] == 'attachment; filename="opml20.ics"'
    assert "max-age" in response["Cache-Control"]
    assert client.get(conference_url(opml20), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert (
        client.get(conference_url(opml20), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    )
    assert client.get(conference_url(opml20), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_drafts_never_appear(client, db):
    session = SessionFactory()
    draft_talk = TalkFactory(
        session=session,
        is_published=False,
        start=session.start,
        end=session.start + timedelta(minutes=10),
    )
    draft_session = SessionFactory(day__conference=session.conference, is_published=False)
    raw = fetch(client, conference_url(session.conference)).content
    events, _ = parse(raw)
    assert set(events) == {f"{session.uid}@{settings.SITE_DOMAIN}"}
    assert draft_talk.title.encode() not in raw
    assert draft_session.title.encode() not in raw
    talk_url = reverse(
        "feeds:talk", kwargs={"conference_slug": session.conference.slug, "slug": draft_talk.slug}
    )
    assert client.get(talk_url).status_code == 404
    draft_conference = ConferenceFactory(is_published=False)
    assert client.get(conference_url(draft_conference)).status_code == 404


def test_a_conference_with_nothing_published_gives_an_empty_valid_calendar(client, db):
    conference = ConferenceFactory()
    SessionFactory(day__conference=conference, is_published=False)
    events, calendar = parse(fetch(client, conference_url(conference)).content)
    assert events == {}
    assert str(calendar["X-WR-CALNAME"]) == conference.program_title


# --- Session, talk, speaker and picks feeds -----------------------------------------------------


def test_session_talk_and_speaker_feeds(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    talk = session.talks.first()
    speaker = talk.authorships.first().speaker
    domain = settings.SITE_DOMAIN

    url = reverse("feeds:session", kwargs={"conference_slug": "opml20", "number": 1})
    events, calendar = parse(fetch(client, url).content)
    assert set(events) == {f"{session.uid}@{domain}"}
    assert "Session 1" in str(calendar["X-WR-CALNAME"])

    url = reverse("feeds:talk", kwargs={"conference_slug": "opml20", "slug": talk.slug})
    events, _ = parse(fetch(client, url).content)
    event = events[f"{talk.uid}@{domain}"]
    assert str(event["SUMMARY"]) == talk.title
    assert event.decoded("DTSTART") == session.start  # no times of its own: its session's
    assert talk.author_line in str(event["DESCRIPTION"])

    url = reverse("feeds:speaker", kwargs={"slug": speaker.slug})
    events, calendar = parse(fetch(client, url).content)
    expected = Talk.objects.published().filter(authorships__speaker=speaker)
    assert set(events) == {f"{t.uid}@{domain}" for t in expected}
    assert speaker.name in str(calendar["X-WR-CALNAME"])


def test_speaker_feed_follows_talks_across_conferences(client, db):
    speaker = SpeakerFactory()
    talks = [AuthorshipFactory(speaker=speaker).talk for _ in range(2)]
    assert talks[0].session.conference != talks[1].session.conference
    url = reverse("feeds:speaker", kwargs={"slug": speaker.slug})
    events, _ = parse(fetch(client, url).content)
    assert set(events) == {f"{t.uid}@{settings.SITE_DOMAIN}" for t in talks}

    talks[0].delete()
    events, _ = parse(fetch(client, url).content)
    assert str(events[f"{talks[0].uid}@{settings.SITE_DOMAIN}"]["STATUS"]) == "CANCELLED"


def test_withdrawn_talk_feed_sends_cancelled_then_404(client, opml20, settings):
    talk = Talk.objects.filter(session__conference=opml20).first()
    url = reverse("feeds:talk", kwargs={"conference_slug": "opml20", "slug": talk.slug})
    fetch(client, url)
    talk.delete()
    events, _ = parse(fetch(client, url).content)
    assert str(events[f"{talk.uid}@{settings.SITE_DOMAIN}"]["STATUS"]) == "CANCELLED"
    settings.CALENDAR_WITHDRAWN_GRACE_DAYS = 0
    assert client.get(url).status_code == 404


def test_picks_feed(client, opml20):
    session = Session.objects.get(conference=opml20, number=5)
    talk = Talk.objects.filter(session__number=2, session__conference=opml20).first()
    url = reverse("feeds:picks", kwargs={"token": encode_picks([session.uid, talk.uid])})
    events, _ = parse(fetch(client, url).content)
    assert set(events) == {f"{o.uid}@{settings.SITE_DOMAIN}" for o in (session, talk)}
    # The same picks in another order give the same URL.
    assert url == reverse("feeds:picks", kwargs={"token": encode_picks([talk.uid, session.uid])})

    session.is_published = False
    session.save()
    events, _ = parse(fetch(client, url).content)
    assert str(events[f"{session.uid}@{settings.SITE_DOMAIN}"]["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not*base64", "may only contain"),
        ("abc", "incomplete"),
        ("A" * 5000, "at most 100"),
    ],
)
def test_bad_picks_tokens_get_a_clear_400(client, db, token, message):
    response = client.get(f"/picks/{token}.ics")
    assert response.status_code == 400
    assert message in response.content.decode()


# --- Query counts ---------------------------------------------------------------------------------


def test_feeds_run_a_constant_number_of_queries(
    client, large_program, django_assert_max_num_queries
):
    session = large_program.sessions.get(number=50)
    talk = session.talks.first()
    speaker = talk.authorships.first().speaker
    urls = [
        conference_url(large_program),
        reverse("feeds:session", kwargs={"conference_slug": "large", "number": 50}),
        reverse("feeds:talk", kwargs={"conference_slug": "large", "slug": talk.slug}),
        reverse("feeds:speaker", kwargs={"slug": speaker.slug}),
        reverse("feeds:picks", kwargs={"token": encode_picks([session.uid, talk.uid])}),
    ]
    for url in urls:
        fetch(client, url)  # records the revisions once
        with django_assert_max_num_queries(12):
            fetch(client, url)
    events, _ = parse(fetch(client, urls[0]).content)
    assert len(sessions_by_number(events)) == 100


# --- Pages advertise their feeds ----------------------------------------------------------------


def test_pages_advertise_their_feed_with_subscribe_and_download_links(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    talk = session.talks.first()
    speaker = talk.authorships.first().speaker
    pages = [
        (opml20.get_absolute_url(), opml20.get_calendar_url()),
        (session.get_absolute_url(), session.get_calendar_url()),
        (talk.get_absolute_url(), talk.get_calendar_url()),
        (speaker.get_absolute_url(), reverse("feeds:speaker", kwargs={"slug": speaker.slug})),
    ]
    for page, feed in pages:
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="text/calendar"' in html, page
        assert f'href="{feed}"' in html, page
        assert f'href="webcal://testserver{feed}"' in html, page
        assert f'<a href="{feed}" download>' in html, page
        parse(fetch(client, feed).content)


def test_program_page_offers_stars_and_the_picks_panel(client, opml20):
    html = client.get(opml20.get_absolute_url()).content.decode()
    for obj in [*Session.objects.filter(conference=opml20), *Talk.objects.all()]:
        assert f'data-pick="{obj.uid}"' in html
    assert "data-picks-feed" in html
    # Controls that need JavaScript are made by static/js/picks.js, not sent without it (the
    # header's search form and the filter form submit without JavaScript).
    assert '<button type="button"' not in html.split("</header>", 1)[1]


def test_an_unpublished_conference_sends_its_events_cancelled_then_404(client, opml20, settings):
    fetch(client, conference_url(opml20))
    opml20.is_published = False
    opml20.save()
    events, _ = parse(fetch(client, conference_url(opml20)).content)
    assert len(events) == 8
    assert {str(event["STATUS"]) for event in events.values()} == {"CANCELLED"}
    settings.CALENDAR_WITHDRAWN_GRACE_DAYS = 0
    assert client.get(conference_url(opml20)).status_code == 404


def test_a_conference_back_in_draft_keeps_its_published_name_in_feeds(client, opml20):
    """A new name given while the conference is a draft again stays private: its feeds, still
    sending cancelled events during the grace period, use the name last published."""
    session = Session.objects.get(conference=opml20, number=1)
    opml20.is_published = False
    opml20.name = "Secret Rename '21"
    opml20.save()
    for url in [conference_url(opml20), session.get_calendar_url()]:
        body = fetch(client, url).content.decode()
        assert "Secret Rename" not in body, url
        assert "OpML '20" in body, url
    opml20.is_published = True
    opml20.save()
    assert "Secret Rename '21 Conference Program" in fetch(client, conference_url(opml20)).text


def test_an_edit_answers_a_stale_conditional_request_with_the_new_feed(client, opml20):
    first = fetch(client, conference_url(opml20))
    Session.objects.filter(conference=opml20, number=1).update(
        title="Retitled", updated_at=parsedate_to_datetime(first["Last-Modified"]) + timedelta(1)
    )
    # update() sends no signals: code that writes in bulk records its changes itself.
    revisions.record_changes([opml20.pk])
    response = client.get(
        conference_url(opml20),
        HTTP_IF_NONE_MATCH=first["ETag"],
        HTTP_IF_MODIFIED_SINCE=first["Last-Modified"],
    )
    assert response.status_code == 200
    assert b"Session 1: Retitled" in response.content
