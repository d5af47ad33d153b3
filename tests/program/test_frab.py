"""frab / c3voc schedule exports: valid against c3voc's schemas (tests/schemas/frab/), parsed
back with lxml and json, with the program's content, times, locations and drafts as documented,
in a constant number of queries. Real consumers read them in test_frab_consumers.py."""

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from lxml import etree

from program import frab
from program.events import Place
from program.models import Conference, ProgramVersion, Session, Talk
from speakers.bylines import format_author_line
from tests.factories import AuthorshipFactory, ConferenceFactory, SessionFactory, TalkFactory

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "frab"
XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "schedule.xml.xsd")))
JSON_SCHEMA = json.loads((SCHEMAS / "schedule.schema.json").read_text(encoding="utf-8"))
JSON_VALIDATOR = jsonschema.Draft6Validator(JSON_SCHEMA, format_checker=jsonschema.FormatChecker())
# The public cache's version look-up, then conference, days, sessions, talks, authors (with
# speakers and organisations), the talks withdrawn during the grace period, and when the first
# of them leaves (the cache entry's end).
QUERIES = 8


def get_xml(client, slug):
    response = client.get(f"/{slug}/schedule.xml")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    XSD.assertValid(root)
    return response, root


def get_json(client, slug):
    response = client.get(f"/{slug}/schedule.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    errors = [error.message for error in JSON_VALIDATOR.iter_errors(document)]
    assert errors == []
    return response, document


def json_events(document):
    return [
        event
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def test_schemas_are_the_shared_copies():
    """The copies kept for a clean clone are c3voc's files as SOURCE.txt lists them."""
    source = (SCHEMAS / "SOURCE.txt").read_text(encoding="utf-8")
    assert "0f64db03e6a43b31ed109d358fecd1750a158488e44a2e52933a33a775208236" in source
    assert "8cc5f7aab933c87fb20a99220e618f5e069655ac2f3a75a8a0df845d7329e51c" in source
    assert JSON_SCHEMA["$id"] == "https://c3voc.de/schedule/schema.json"


def test_opml20_exports_are_valid_and_complete(client, opml20, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERIES):
        xml_response, root = get_xml(client, "opml20")
    with django_assert_max_num_queries(QUERIES):
        json_response, document = get_json(client, "opml20")
    assert xml_response["Content-Type"] == "application/xml; charset=utf-8"
    assert json_response["Content-Type"] == "application/json; charset=utf-8"
    assert xml_response["Content-Disposition"] == 'inline; filename="opml20-schedule.xml"'
    assert json_response["Content-Disposition"] == 'inline; filename="opml20-schedule.json"'

    conference = document["schedule"]["conference"]
    assert conference["title"] == "OpML '20"
    assert conference["acronym"] == "opml20"
    assert conference["time_zone_name"] == "America/Los_Angeles"
    assert conference["daysCount"] == len(conference["days"]) == 8
    assert conference["start"] == "2020-07-28"
    assert conference["days"][0]["day_start"] == "2020-07-28T00:00:00-07:00"
    assert conference["days"][0]["day_end"] == "2020-07-29T00:00:00-07:00"
    # No location was given: by the one place rule, each session's Slack channel is its room
    # (as in the calendars and JSON-LD); each session is a track.
    assert [room["name"] for room in conference["rooms"]] == [
        f"Session {n} Slack channel" for n in range(1, 9)
    ]
    assert [track["slug"] for track in conference["tracks"]] == [
        f"session-{n}" for n in range(1, 9)
    ]

    talks = {str(talk.uid): talk for talk in Talk.objects.published().with_speakers()}
    events = json_events(document)
    assert len(events) == len(talks) == 25
    xml_events = root.findall("day/room/event")
    assert [e.get("guid") for e in xml_events] == [e["guid"] for e in events]
    for event, xml_event in zip(events, xml_events, strict=True):
        talk = talks[event["guid"]]
        authorships = list(talk.authorships.all())
        assert event["id"] == talk.pk == int(xml_event.get("id"))
        assert event["title"] == talk.title == xml_event.findtext("title")
        assert event["url"] == f"http://testserver{talk.get_absolute_url()}"
        room = f"Session {talk.session.number} Slack channel"
        assert event["room"] == room == xml_event.findtext("room")
        # The session's slot: the seed prints no per-talk times, and none is invented.
        assert datetime.fromisoformat(event["date"]) == talk.session.start
        assert event["duration"] == "01:30"
        description = f"{talk.session.description}\n\n{talk.session.slack_invitation}".strip()
        assert event["description"] == description == xml_event.findtext("description")
        assert event["track"] == f"Session {talk.session.number}: {talk.session.title}"
        assert event["slug"] == f"opml20-{talk.pk}-{talk.slug}" == xml_event.findtext("slug")
        # The byline with affiliations, as the program prints it, then the abstract.
        assert event["abstract"] == f"{format_author_line(authorships)}\n\n{talk.abstract}"
        assert xml_event.findtext("abstract") == event["abstract"]
        names = [a.printed_name for a in authorships]
        assert [p["name"] for p in event["persons"]] == names
        assert [p["public_name"] for p in event["persons"]] == names
        assert [p.text for p in xml_event.findall("persons/person")] == names
        assert [int(p.get("id")) for p in xml_event.findall("persons/person")] == [
            a.speaker_id for a in authorships
        ]
        # The seed gives no Slack or media URL: the talk's page only.
        assert event["links"] == [{"url": event["url"], "title": talk.title}]
        assert [link.get("href") for link in xml_event.findall("links/link")] == [event["url"]]


def test_opml20_talks_are_at_their_sessions_times_and_a_withdrawal_moves_no_other(client, opml20):
    _, document = get_json(client, "opml20")
    before = {event["guid"]: (event["date"], event["duration"]) for event in json_events(document)}
    for session in Session.objects.published().with_talks():
        for talk in session.talks.all():
            assert before[str(talk.uid)] == (
                session.start.astimezone(opml20.tz).isoformat(),
                "01:30",
            )
    withdrawn = Talk.objects.get(pk=2)
    withdrawn.is_published = False
    withdrawn.save()
    _, document = get_json(client, "opml20")
    after = {event["guid"]: (event["date"], event["duration"]) for event in json_events(document)}
    assert after == before  # the withdrawn talk stays, cancelled, where it was


def test_large_program_exports_are_valid_in_constant_queries(
    client, large_program, django_assert_max_num_queries
):
    with django_assert_max_num_queries(QUERIES):
        _, root = get_xml(client, "large")
    with django_assert_max_num_queries(QUERIES):
        _, document = get_json(client, "large")
    assert len(root.findall("day/room/event")) == len(json_events(document)) == 2000
    # Five sessions a day, none located: each in its own Slack channel, a track each.
    assert len(document["schedule"]["conference"]["tracks"]) == 100
    assert len(document["schedule"]["conference"]["rooms"]) == 100


def test_drafts_never_appear_and_withdrawn_talks_stay_cancelled(client, opml20):
    withdrawn = Talk.objects.get(pk=1)
    withdrawn.is_published = False
    withdrawn.save()
    draft_session = Session.objects.get(number=2)
    draft_session.is_published = False
    draft_session.save()
    never_published = TalkFactory(session=Session.objects.get(number=1), is_published=False)
    _, document = get_json(client, "opml20")
    _, root = get_xml(client, "opml20")
    events = {event["guid"]: event for event in json_events(document)}
    assert str(never_published.uid) not in events
    # Withdrawn during the grace period: the same guid and id, marked as cancelled, so apps
    # overwrite their row instead of keeping it.
    cancelled = [withdrawn, *draft_session.talks.all()]
    for talk in cancelled:
        event = events[str(talk.uid)]
        assert event["id"] == talk.pk
        assert event["title"] == f"Cancelled: {talk.title}"
        assert event["persons"] == []
        node = root.find(f"day/room/event[@guid='{talk.uid}']")
        assert node.findtext("title") == f"Cancelled: {talk.title}"
    live = [e for e in events.values() if not e["title"].startswith("Cancelled: ")]
    assert len(live) == 25 - len(cancelled)
    assert "session-2" not in {t["slug"] for t in document["schedule"]["conference"]["tracks"]}

    with override_settings(CALENDAR_WITHDRAWN_GRACE_DAYS=0):
        _, document = get_json(client, "opml20")
    assert {e["guid"] for e in json_events(document)} == {e["guid"] for e in live}

    Conference.objects.filter(slug="opml20").set_published(False)
    assert client.get("/opml20/schedule.xml").status_code == 404
    assert client.get("/opml20/schedule.json").status_code == 404
    assert client.get("/nothing/schedule.json").status_code == 404


def test_views_answer_get_and_head_only(client, opml20):
    assert client.head("/opml20/schedule.xml").status_code == 200
    assert client.head("/opml20/schedule.json").status_code == 200
    assert client.post("/opml20/schedule.xml").status_code == 405
    assert client.post("/opml20/schedule.json").status_code == 405


def test_locations_links_and_slugs(client, db):
    conference = ConferenceFactory(
        slug="ml", name="ML Conf", default_location_name="Main hall", time_zone="Europe/Berlin"
    )
    hall = SessionFactory(
        day__conference=conference, day__date=date(2030, 7, 1), slack_url="https://slack.example/s1"
    )
    online = SessionFactory(
        day=hall.day,
        location_name="Online stage",
        location_url="https://stream.example/stage",
        start=hall.start,
        end=hall.end,
    )
    odd = TalkFactory(session=hall, slug="ML_Ops-Review", media_url="https://media.example/1")
    AuthorshipFactory(talk=odd)
    TalkFactory(session=online)

    _, root = get_xml(client, "ml")
    _, document = get_json(client, "ml")
    data = document["schedule"]["conference"]
    assert data["acronym"] == "ml__"  # frab needs four characters
    assert data["rooms"] == [
        {"name": "Main hall", "guid": frab.room_guid(conference, Place("Main hall"))},
        {
            "name": "Online stage",
            "guid": frab.room_guid(conference, Place("Online stage")),
            "url": "https://stream.example/stage",
        },
    ]
    events = {event["id"]: event for event in json_events(document)}
    assert events[odd.pk]["room"] == "Main hall"
    assert events[odd.pk]["slug"] == f"ml__-{odd.pk}-ml-ops-review"
    page = f"http://testserver{odd.get_absolute_url()}"
    assert events[odd.pk]["links"] == [
        {"url": page, "title": odd.title},
        {"url": "https://slack.example/s1", "title": hall.slack_invitation},
        {"url": "https://media.example/1", "title": "Available Media", "type": "media"},
    ]
    xml_links = root.findall(f"day/room/event[@id='{odd.pk}']/links/link")
    assert [(link.get("href"), link.text) for link in xml_links] == [
        (page, odd.title),
        ("https://slack.example/s1", hall.slack_invitation),
        ("https://media.example/1", "Available Media"),
    ]
    assert [room.get("name") for room in root.findall("day/room")] == ["Main hall", "Online stage"]
    # A single untimed talk fills its session.
    assert events[odd.pk]["duration"] == "01:30"
    assert events[odd.pk]["date"] == "2030-07-01T09:00:00+02:00"


@pytest.mark.parametrize("url", ["ftp://files.example/x", "javascript:alert(1)", "mailto:a@b.c"])
def test_location_urls_are_web_addresses_only(db, url):
    session = SessionFactory(location_url=url)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "location_url" in error.value.message_dict
    session.conference.default_location_url = url
    with pytest.raises(ValidationError) as error:
        session.conference.full_clean()
    assert "default_location_url" in error.value.message_dict


def test_a_talk_keeps_its_own_times_and_the_others_their_sessions(client, db):
    session = SessionFactory(day__conference__slug="timed")  # 9:00-10:30
    first, timed = TalkFactory(session=session), TalkFactory(session=session)
    timed.start, timed.end = session.start + timedelta(minutes=30), session.end
    timed.save()
    _, document = get_json(client, "timed")
    events = {event["id"]: event for event in json_events(document)}
    assert events[first.pk]["duration"] == "01:30"
    assert events[timed.pk]["duration"] == "01:00"
    assert datetime.fromisoformat(events[timed.pk]["date"]) == timed.start


def test_version_follows_the_latest_change(client, opml20):
    _, before = get_json(client, "opml20")
    _, xml_before = get_xml(client, "opml20")
    assert xml_before.findtext("version") == before["schedule"]["version"]
    assert before["schedule"]["version"] == get_json(client, "opml20")[1]["schedule"]["version"]
    talk = Talk.objects.get(pk=3)
    talk.title = "Retitled"
    talk.save()
    _, after = get_json(client, "opml20")
    opml20.refresh_from_db()
    assert after["schedule"]["version"] == str(ProgramVersion.objects.get(conference=opml20).number)
    assert int(after["schedule"]["version"]) > int(before["schedule"]["version"])


def test_version_changes_when_a_talk_leaves_without_a_newer_edit(client, opml20):
    _, before = get_json(client, "opml20")
    # Unpublished in bulk (our bulk path records it), or an author removed: a new version.
    Talk.objects.filter(pk=5).set_published(False)
    _, unpublished = get_json(client, "opml20")
    assert unpublished["schedule"]["version"] != before["schedule"]["version"]
    Talk.objects.get(pk=6).authorships.last().delete()
    _, fewer_authors = get_json(client, "opml20")
    assert fewer_authors["schedule"]["version"] != unpublished["schedule"]["version"]


def test_committee_edits_locations_in_the_admin(member_client, opml20):
    session = Session.objects.get(number=1)
    page = member_client.get(f"/admin/program/session/{session.pk}/change/").content.decode()
    assert 'name="location_name"' in page
    assert 'name="location_url"' in page
    page = member_client.get(f"/admin/program/conference/{opml20.pk}/change/").content.decode()
    assert 'name="default_location_name"' in page
    assert 'name="default_location_url"' in page
