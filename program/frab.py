"""frab / c3voc schedule exports: `schedule.json` and `schedule.xml` of a conference.

The format read by phone schedule apps (Giggity, EventFahrplan, ConfClerk) and by the c3voc
recording pipelines, as frab, pretalx and wafer write it; the schemas are c3voc's
(https://c3voc.de/schedule/schema.xsd and schema.json, copied in tests/schemas/frab/).

Plain functions over a conference whose program is already prefetched
(`Conference.objects.published().with_program()`): they read nothing from the database and
know the request only through `absolute_url` (e.g. `request.build_absolute_uri`).
`build_schedule` makes the JSON document; `schedule_xml` writes the same content as XML, so
the two never disagree.

How our program maps onto frab (docs/integrators/frab.md):

* Each talk is an event. A session is its talks' **track** ("Session 1: Title", the theme that
  groups them) and its location is their **room**: frab needs a room for every event, and a
  room is where something happens, not what it is about.
* Each talk is an event of the read model (program/events.py): its effective times (its own,
  else its session's whole slot: never an invented split) and its place by the one place rule
  (the session's location, else the conference's default, else the session's Slack channel).
* A talk withdrawn less than CALENDAR_WITHDRAWN_GRACE_DAYS ago stays, titled "Cancelled: …",
  with the same guid and id, so apps overwrite their row instead of keeping a stale one.
* `<description>` is the session's description and its Slack invitation; `<links>` the talk's
  page, and the Slack channel and media page when their URLs were entered.
"""

import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta

from django.conf import settings
from django.urls import reverse

from program.events import paragraphs, talk_event
from speakers.bylines import format_author_line
from speakers.text import printable

GENERATOR = "opml-program"
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
TIMESLOT_DURATION = "00:05"
EVENT_TYPE = "Talk"


# The schedule's version ------------------------------------------------------------------------


def schedule_version(conference):
    """The program's version, which program/revisions.py raises with every change a subscriber
    can see: "12", or "0" for a program nothing has been recorded for yet."""
    version = getattr(conference, "version", None)  # the reverse one-to-one may be missing
    return str(version.number if version else 0)


# Names frab's patterns accept --------------------------------------------------------------------


def acronym(conference):
    """The conference's slug in frab's acronym pattern (lower case, digits and "_", at least
    four characters): "opml20"."""
    value = re.sub(r"[^a-z0-9_]", "_", conference.slug.lower())
    return value.ljust(4, "_")


def slugify_ascii(value):
    """Lower-case ASCII words joined by "-": what frab's slug patterns accept."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def track_slug(session):
    return f"session-{session.number}"


def track_name(session):
    return str(session)


# Where ------------------------------------------------------------------------------------------


def room_guid(conference, place):
    """Stable for as long as the room keeps its name."""
    return str(
        uuid.uuid5(
            uuid.NAMESPACE_URL,
            f"https://{settings.SITE_DOMAIN}/{conference.slug}/rooms/{place.name}",
        )
    )


def hours_minutes(delta):
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def sessions_of(conference):
    return [session for day in conference.days.all() for session in day.sessions.all()]


# The schedule ------------------------------------------------------------------------------------


def person(author, absolute_url):
    """A byline's name (a `speakers.bylines.Author`) as a frab person."""
    speaker_id = author.speaker_id
    return {
        "id": speaker_id,
        # The schema's recipe for people without an e-mail address: a stable UUID.
        "guid": str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"acct:speaker-{speaker_id}@{settings.SITE_DOMAIN}")
        ),
        "name": author.printed_name,
        "public_name": author.printed_name,
        "url": absolute_url(
            reverse("speakers:speaker_detail", kwargs={"slug": author.speaker_slug})
        ),
    }


def links(event, absolute_url):
    """The talk's page, then the Slack channel and the media page when their URLs were entered."""
    result = [{"url": absolute_url(event.path), "title": event.summary}]
    if event.chat_url:
        result.append({"url": event.chat_url, "title": event.chat_label})
    if event.media_url:
        result.append({"url": event.media_url, "title": "Available Media", "type": "media"})
    return result


def event_data(conference, track, event, absolute_url, *, cancelled=False):
    """A talk's event (program/events.py) as frab's event; a cancelled one keeps its guid and
    id, and links to the Changes page (its own page is gone)."""
    start = event.start.astimezone(conference.tz)
    changes = reverse("program:changes", kwargs={"slug": conference.slug})
    return {
        "guid": str(event.uid),
        "id": event.object_id,
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "duration": hours_minutes(event.end - event.start),
        "room": event.place.name,
        "slug": f"{acronym(conference)}-{event.object_id}-{slugify_ascii(event.slug) or 'talk'}",
        "url": absolute_url(changes if cancelled else event.path),
        "title": f"Cancelled: {event.summary}" if cancelled else event.summary,
        "subtitle": "",
        "track": track,
        "type": EVENT_TYPE,
        "language": None,
        # frab has no affiliations: the abstract opens with the byline as the program prints it.
        "abstract": "Withdrawn from the program."
        if cancelled
        else paragraphs(format_author_line(event.people), event.abstract),
        "description": paragraphs(
            event.session_description,
            "\n".join(part for part in (event.chat_label, event.chat_url) if part),
        )
        or None,
        "persons": [] if cancelled else [person(a, absolute_url) for a in event.people],
        "links": [{"url": absolute_url(changes), "title": "Changes"}]
        if cancelled
        else links(event, absolute_url),
    }


def local_midnight(day, conference):
    return datetime.combine(day, time(), tzinfo=conference.tz)


def talk_events(conference):
    """(track name, event) of each published talk, from the prefetched program."""
    for day in conference.days.all():
        for session in day.sessions.all():
            session.conference = conference  # prefetched: its links then need no query
            for talk in session.talks.all():
                talk.session = session
                yield track_name(session), talk_event(talk, session, talk.byline, conference)


def build_schedule(conference, absolute_url, cancelled=()):
    """The conference's schedule as a dict shaped like c3voc's schedule.json document, with
    each person's numeric `id` (for the XML; `schedule_json` leaves it out). `cancelled` are
    (track name, event) of talks withdrawn during the grace period
    (`program.events.withdrawn_talks`)."""
    entries = [(track, event, False) for track, event in talk_events(conference)]
    entries += [(track, event, True) for track, event in cancelled]
    rooms, by_day = {}, {}
    for track, event, is_cancelled in entries:
        date = event.start.astimezone(conference.tz).date()
        rooms.setdefault(event.place.name, event.place)
        by_day.setdefault(date, {}).setdefault(event.place.name, []).append(
            event_data(conference, track, event, absolute_url, cancelled=is_cancelled)
        )
    days = []
    for index, day in enumerate(conference.days.all(), start=1):
        day_rooms = {
            name: sorted(events, key=lambda e: (e["date"], e["id"]))
            for name, events in by_day.get(day.date, {}).items()
        }
        days.append(
            {
                "index": index,
                "date": day.date.isoformat(),
                "day_start": local_midnight(day.date, conference).isoformat(),
                "day_end": local_midnight(day.date + timedelta(days=1), conference).isoformat(),
                "rooms": day_rooms,
            }
        )
    dates = [day["date"] for day in days]
    base_url = absolute_url(conference.get_absolute_url())
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": {
            "url": absolute_url(reverse("program:schedule_json", args=[conference.slug])),
            "version": schedule_version(conference),
            "base_url": base_url,
            "conference": {
                "acronym": acronym(conference),
                "title": conference.name,
                "start": dates[0] if dates else None,
                "end": dates[-1] if dates else None,
                "daysCount": len(days),
                "timeslot_duration": TIMESLOT_DURATION,
                "time_zone_name": conference.time_zone,
                "url": base_url,
                "rooms": [
                    {"name": place.name, "guid": room_guid(conference, place)}
                    | ({"url": place.url} if place.url else {})
                    for place in rooms.values()
                ],
                "tracks": [
                    {"name": track_name(session), "slug": track_slug(session)}
                    for session in sessions_of(conference)
                ],
                "days": days,
            },
        },
    }


def schedule_json(conference, absolute_url, cancelled=()):
    """schedule.json, as UTF-8 bytes."""
    document = build_schedule(conference, absolute_url, cancelled)
    # The JSON schema takes a person as frab's (`public_name` and `id`) or pretalx's (`name`),
    # but not both: we give both names for older and newer apps, and so no numeric id.
    for day in document["schedule"]["conference"]["days"]:
        for events in day["rooms"].values():
            for event_data in events:
                for person_data in event_data["persons"]:
                    del person_data["id"]
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


# XML -------------------------------------------------------------------------------------------


def element(parent, tag, text=None, **attributes):
    child = ET.SubElement(parent, tag, {k: str(v) for k, v in attributes.items()})
    if text is not None:
        child.text = str(text)
    return child


def event_xml(parent, data):
    node = element(parent, "event", id=data["id"], guid=data["guid"])
    for tag in ("date", "start", "duration", "room", "slug", "url", "title", "subtitle"):
        element(node, tag, data[tag])
    element(node, "track", data["track"])
    element(node, "type", data["type"])
    element(node, "abstract", data["abstract"])
    element(node, "description", data["description"] or "")
    persons = element(node, "persons")
    for person_data in data["persons"]:
        element(
            persons,
            "person",
            person_data["public_name"],
            id=person_data["id"],
            guid=person_data["guid"],
        )
    links_node = element(node, "links")
    for link in data["links"]:
        attributes = {"href": link["url"]} | ({"type": link["type"]} if "type" in link else {})
        element(links_node, "link", link["title"], **attributes)


def schedule_xml(conference, absolute_url, cancelled=()):
    """schedule.xml, as UTF-8 bytes: the content of `build_schedule` in frab's XML."""
    document = build_schedule(conference, absolute_url, cancelled)
    schedule = document["schedule"]
    data = schedule["conference"]
    root = ET.Element("schedule")
    element(root, "generator", name=GENERATOR)
    element(root, "url", absolute_url(reverse("program:schedule_xml", args=[conference.slug])))
    element(root, "version", schedule["version"])
    node = element(root, "conference")
    element(node, "acronym", data["acronym"])
    element(node, "title", data["title"])
    if data["start"]:
        element(node, "start", data["start"])
        element(node, "end", data["end"])
    element(node, "days", data["daysCount"])
    element(node, "timeslot_duration", data["timeslot_duration"])
    element(node, "base_url", schedule["base_url"])
    element(node, "url", data["url"])
    element(node, "time_zone_name", data["time_zone_name"])
    for track in data["tracks"]:
        element(node, "track", name=track["name"], slug=track["slug"])
    guids = {room["name"]: room["guid"] for room in data["rooms"]}
    for day in data["days"]:
        day_node = element(
            root,
            "day",
            index=day["index"],
            date=day["date"],
            start=day["day_start"],
            end=day["day_end"],
        )
        for name, events in day["rooms"].items():
            room_node = element(day_node, "room", name=name, guid=guids[name])
            for event_data in events:
                event_xml(room_node, event_data)
    ET.indent(root)
    # Whatever the database holds, nothing XML 1.0 forbids is written (speakers/text.py).
    document = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return printable(document).encode() + b"\n"
