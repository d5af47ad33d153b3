"""What search engines and link previews read: schema.org Event data checked against Google's
documented Event properties and against schema.org's vocabulary, and Open Graph / Twitter card
tags with a raster og:image on every kind of page."""

import html
import io
import json
import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from program.models import AttendanceMode, Session, Talk
from tests.factories import (
    AuthorshipFactory,
    ConferenceFactory,
    DayFactory,
    SessionFactory,
    TalkFactory,
)

# --- A checker of Google's Event rich results, from developers.google.com/search/docs/
# appearance/structured-data/event ---------------------------------------------------------------

# Required: name, startDate, location (a Place needs address, a VirtualLocation needs url).
GOOGLE_REQUIRED = ("name", "startDate", "location")
# Recommended. `offers` is left out on purpose: a program says nothing of tickets or prices.
GOOGLE_RECOMMENDED = (
    "description",
    "endDate",
    "eventAttendanceMode",
    "eventStatus",
    "image",
    "organizer",
    "performer",
)
EVENT_STATUSES = {
    f"https://schema.org/{name}"
    for name in ("EventScheduled", "EventCancelled", "EventPostponed", "EventRescheduled")
}
ATTENDANCE_MODES = {
    f"https://schema.org/{name}"
    for name in (
        "OnlineEventAttendanceMode",
        "OfflineEventAttendanceMode",
        "MixedEventAttendanceMode",
    )
}

# --- schema.org: the types we use and the properties each has (schema.org/Event, /Place, …) ---
SCHEMA_PROPERTIES = {
    "Event": {
        "name", "url", "description", "startDate", "endDate", "location", "eventStatus",
        "eventAttendanceMode", "image", "organizer", "performer", "subEvent", "superEvent",
        "previousStartDate", "offers",
    },
    "Place": {"name", "address", "url"},
    "VirtualLocation": {"name", "url"},
    "Organization": {"name", "url"},
    "Person": {"name", "url", "affiliation"},
}  # fmt: skip


def jsonld(response):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(block) for block in blocks]


def schema_problems(node, path="$"):
    """Unknown @type or property names anywhere in the graph."""
    problems = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            problems += schema_problems(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        kind = node.get("@type")
        if kind not in SCHEMA_PROPERTIES:
            return [f"{path}: unknown @type {kind!r}"]
        for key, value in node.items():
            if key.startswith("@"):
                continue
            if key not in SCHEMA_PROPERTIES[kind]:
                problems.append(f"{path}: {kind} has no property {key!r}")
            problems += schema_problems(value, f"{path}.{key}")
    return problems


def as_list(value):
    return value if isinstance(value, list) else [value]


def google_problems(event, *, recommended=True):
    """What Google's Event documentation would flag: missing required properties, locations
    without their required part, bad enumerations, and (with `recommended`) missing
    recommended ones."""
    problems = [f"missing required {key}" for key in GOOGLE_REQUIRED if not event.get(key)]
    for place in as_list(event.get("location", [])):
        if place["@type"] == "Place" and not (place.get("address") and place.get("name")):
            problems.append("a Place needs name and address")
        if place["@type"] == "VirtualLocation" and not place.get("url", "").startswith("http"):
            problems.append("a VirtualLocation needs a url")
    if event.get("eventStatus", next(iter(EVENT_STATUSES))) not in EVENT_STATUSES:
        problems.append(f"eventStatus {event['eventStatus']}")
    mode = event.get("eventAttendanceMode")
    if mode is not None and mode not in ATTENDANCE_MODES:
        problems.append(f"eventAttendanceMode {mode}")
    for image in as_list(event.get("image", [])):
        if not re.match(r"https?://.+\.(png|jpe?g)$", image):
            problems.append(f"image {image}")
    for performer in as_list(event.get("performer", [])):
        if not performer.get("name"):
            problems.append("a performer needs a name")
    if event.get("organizer") and not event["organizer"].get("name"):
        problems.append("the organizer needs a name")
    if recommended:
        problems += [f"missing recommended {key}" for key in GOOGLE_RECOMMENDED if key not in event]
    return problems


def events_of(page_data):
    """The page's main Event and every Event nested in it."""
    found = [page_data]
    for key in ("subEvent", "superEvent"):
        for child in as_list(page_data.get(key, [])):
            found += events_of(child)
    return found


def page_urls(conference):
    session = conference.sessions.order_by("number").first()
    talk = Talk.objects.filter(session=session).first()
    return {
        "conference": conference.get_absolute_url(),
        "session": session.get_absolute_url(),
        "talk": talk.get_absolute_url(),
    }


@pytest.mark.parametrize("page", ["conference", "session", "talk"])
def test_opml20_events_pass_google_and_schema_org(client, opml20, page):
    data = jsonld(client.get(page_urls(opml20)[page]))
    assert len(data) == 1
    assert data[0]["@context"] == "https://schema.org"
    assert schema_problems(data[0]) == []
    assert google_problems(data[0]) == []
    for nested in events_of(data[0])[1:]:
        # A session's talks and a talk's session are full events too; a session's conference
        # (superEvent) is only named.
        if "startDate" in nested:
            assert google_problems(nested, recommended=False) == [], nested["name"]


def test_opml20_says_online_by_usenix_and_invents_no_place(client, opml20):
    session = Session.objects.get(conference=opml20, number=1)
    (event,) = jsonld(client.get(session.get_absolute_url()))
    assert event["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert event["organizer"] == {"@type": "Organization", "name": "USENIX"}  # no URL in seed
    # No room and no Slack URL in the seed: the place is the session's Slack channel, as in
    # every other channel, found from the session's own page.
    assert event["location"] == {
        "@type": "VirtualLocation",
        "url": f"http://testserver{session.get_absolute_url()}",
        "name": "Session 1 Slack channel",
    }
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["image"] == ["http://testserver/static/img/share-default.png"]
    assert {p["name"] for p in event["performer"]} >= {"Abdul Dakkak", "Cheng Li"}


def conference_with(mode, **session_fields):
    conference = ConferenceFactory(
        attendance_mode=mode, organizer_name="Org", organizer_url="https://org.example/"
    )
    session = SessionFactory(day=DayFactory(conference=conference), **session_fields)
    AuthorshipFactory(talk=TalkFactory(session=session))
    return session


def test_a_slack_channel_is_the_virtual_location(client, db):
    session = conference_with(AttendanceMode.ONLINE, slack_url="https://slack.example/c1")
    (event,) = jsonld(client.get(session.get_absolute_url()))
    assert event["location"] == {
        "@type": "VirtualLocation",
        "url": "https://slack.example/c1",
        "name": f"Session {session.number} Slack channel",
    }
    assert event["organizer"]["url"] == "https://org.example/"


def test_a_room_is_a_place_and_mixed_gives_both(client, db):
    session = conference_with(AttendanceMode.OFFLINE, location_name="Room 101")
    (event,) = jsonld(client.get(session.get_absolute_url()))
    assert event["location"] == {"@type": "Place", "name": "Room 101", "address": "Room 101"}
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert google_problems(event) == []

    session = conference_with(
        AttendanceMode.MIXED, location_name="Hall A", slack_url="https://slack.example/c2"
    )
    for url in page_urls(session.conference).values():
        (event,) = jsonld(client.get(url))
        assert schema_problems(event) == []
        assert google_problems(event) == []
        assert [place["@type"] for place in as_list(event["location"])] == [
            "Place",
            "VirtualLocation",
        ]


def test_a_rescheduled_session_says_so(client, db):
    session = conference_with(AttendanceMode.ONLINE)
    session.start += timedelta(hours=1)
    session.end += timedelta(hours=1)
    session.save()
    (event,) = jsonld(client.get(session.get_absolute_url()))
    assert event["eventStatus"] == "https://schema.org/EventRescheduled"
    assert all(
        sub["eventStatus"] == "https://schema.org/EventRescheduled" for sub in event["subEvent"]
    )
    (event,) = jsonld(client.get(session.conference.get_absolute_url()))
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["subEvent"][0]["eventStatus"] == "https://schema.org/EventRescheduled"


# --- Open Graph and Twitter cards ---------------------------------------------------------------


def meta(response):
    text = response.content.decode()
    found = re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)"', text)
    return {key: html.unescape(value) for key, value in found}


def public_pages(conference):
    talk = Talk.objects.filter(session__conference=conference).first()
    authorship = talk.authorships.select_related("speaker", "affiliation").first()
    return {
        **page_urls(conference),
        "speaker": authorship.speaker.get_absolute_url(),
        "affiliation": authorship.affiliation.get_absolute_url(),
        "search": reverse("program:search") + "?q=learning",
        "picks": reverse("program:picks"),
        "changes": reverse("program:changes", kwargs={"slug": conference.slug}),
    }


def test_every_page_has_open_graph_and_twitter_cards_with_a_raster_image(client, opml20):
    images = set()
    for name, url in public_pages(opml20).items():
        response = client.get(url)
        assert response.status_code == 200, name
        tags = meta(response)
        for key in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
            assert tags.get(key), (name, key)
        assert tags["og:url"] == f"http://testserver{url.split('?')[0]}"
        assert tags["og:image"].startswith("http://testserver/")
        assert tags["og:image:type"] in ("image/png", "image/jpeg")
        assert tags["twitter:card"] == "summary_large_image"
        assert tags["twitter:image"] == tags["og:image"]
        images.add(tags["og:image"])
    talk_tags = meta(client.get(public_pages(opml20)["talk"]))
    assert talk_tags["og:type"] == "article"
    assert talk_tags["og:site_name"] == "OpML '20 Conference Program"
    # OpML '20 has no image of its own: every page shares the site's default, a static PNG.
    assert images == {"http://testserver/static/img/share-default.png"}
    with Image.open(finders.find("img/share-default.png")) as picture:
        assert (picture.format, picture.size) == ("PNG", (1200, 630))


def png(size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("poster.png", buffer.getvalue(), content_type="image/png")


def test_a_conference_image_is_cut_to_1200_by_630_on_save_and_shared(
    client, db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    session = conference_with(AttendanceMode.ONLINE)
    conference = session.conference
    conference.image = png((2000, 1500))
    conference.save()
    assert conference.share_image.name.endswith(".jpg")
    with Image.open(conference.share_image.path) as picture:
        assert (picture.format, picture.size) == ("JPEG", (1200, 630))
    files = sorted(path.name for path in tmp_path.rglob("*") if path.is_file())
    tags = meta(client.get(session.get_absolute_url()))
    assert tags["og:image"] == f"http://testserver{conference.share_image.url}"
    assert tags["og:image:type"] == "image/jpeg"
    (event,) = jsonld(client.get(conference.get_absolute_url()))
    assert event["image"] == [tags["og:image"]]
    # Reading pages made no file: the copy is made on save only.
    assert sorted(path.name for path in tmp_path.rglob("*") if path.is_file()) == files
    # Saving again without a new image keeps the copy; removing the image removes the link.
    conference.save()
    assert conference.share_image
    conference.image = ""
    conference.save()
    assert not conference.share_image
