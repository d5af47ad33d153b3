"""frab / c3voc schedule exports: `schedule.json` and `schedule.xml` of a conference.

The format read by phone schedule apps (Giggity, EventFahrplan, ConfClerk) and by the c3voc
recording pipelines, as frab, pretalx and wafer write it; the schemas are c3voc's
(https://c3voc.de/schedule/schema.xsd and schema.json, copied in tests/schemas/frab/).

Plain functions over a conference whose program is already prefetched
(`Conference.objects.published().with_program()`): they read nothing from the database and
know the request only through `absolute_url` (e.g. `request.build_absolute_uri`).
`build_schedule` makes the JSON document; `schedule_xml` writes the same content as XML, so
the two never disagree.

How our program maps onto frab (see the README, "For apps and integrators"):

* Each talk is an event. A session is its talks' **track** ("Session 1: Title", the theme that
  groups them) and its location is their **room**: frab needs a room for every event, and a
  room is where something happens, not what it is about.
* A session's location is its own, else the conference's default, else a room named after the
  conference: we never invent a place.
* Talks without their own times share their session's slot evenly, in talk order, in whole
  minutes (`talk_slots`), so apps never show two of them at once.
"""

import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.urls import reverse

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


def event_slug(conference, talk):
    """`<acronym>-<id>-<slug>` (c3voc's voc-slug), e.g. "opml20-7-ml-in-production"."""
    return f"{acronym(conference)}-{talk.pk}-{slugify_ascii(talk.slug) or 'talk'}"


def track_slug(session):
    return f"session-{session.number}"


def track_name(session):
    return str(session)


# Where and when ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Room:
    name: str
    url: str = ""

    def guid(self, conference):
        """Stable for as long as the room keeps its name."""
        return str(
            uuid.uuid5(
                uuid.NAMESPACE_URL,
                f"https://{settings.SITE_DOMAIN}/{conference.slug}/rooms/{self.name}",
            )
        )


def room_of(conference, session):
    """Where a session happens: its own location, the conference's default, or (never
    inventing one) a room named after the conference."""
    if session.location_name or session.location_url:
        return Room(session.location_name or session.location_url, session.location_url)
    if conference.default_location_name or conference.default_location_url:
        return Room(
            conference.default_location_name or conference.default_location_url,
            conference.default_location_url,
        )
    return Room(conference.name)


@dataclass(frozen=True)
class Slot:
    talk: object
    start: datetime
    end: datetime


def spread(start, end, talks):
    """`talks` one after the other from `start` to `end`, in equal shares of whole minutes."""
    minutes = int((end - start).total_seconds() // 60)
    bounds = [start + timedelta(minutes=i * minutes // len(talks)) for i in range(len(talks))]
    bounds.append(end)
    return [Slot(talk, bounds[i], bounds[i + 1]) for i, talk in enumerate(talks)]


def talk_slots(session):
    """Each published talk of `session` (prefetched) with its times, in talk order.

    A talk with its own times keeps them. Each run of untimed talks shares evenly the time
    between the timed talks around it (or the session's start and end), so that no two talks
    overlap. When a run has less than a minute per talk there (timed talks out of order or
    filling the session), it shares the whole session instead."""
    talks = list(session.talks.all())
    slots, run, free_from = [], [], session.start

    def place(run, until):
        if not run:
            return
        if until - free_from >= timedelta(minutes=len(run)):
            slots.extend(spread(free_from, until, run))
        else:
            slots.extend(spread(session.start, session.end, run))

    for talk in talks:
        if talk.start is None:
            run.append(talk)
            continue
        place(run, talk.start)
        run = []
        slots.append(Slot(talk, talk.start, talk.end))
        free_from = max(free_from, talk.end)
    place(run, session.end)
    order = {talk.pk: i for i, talk in enumerate(talks)}
    return sorted(slots, key=lambda slot: order[slot.talk.pk])


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


def links(session, talk):
    """The Slack channel and the media page, only when the committee entered their URLs."""
    result = []
    if session.slack_url:
        result.append({"url": session.slack_url, "title": session.slack_invitation})
    if talk.media_url:
        result.append({"url": talk.media_url, "title": "Available Media", "type": "media"})
    return result


def event(conference, session, room, slot, absolute_url):
    talk = slot.talk
    authors = talk.byline
    url = reverse(
        "program:talk_detail", kwargs={"conference_slug": conference.slug, "slug": talk.slug}
    )
    return {
        "guid": str(talk.uid),
        "id": talk.pk,
        "date": slot.start.astimezone(conference.tz).isoformat(),
        "start": slot.start.astimezone(conference.tz).strftime("%H:%M"),
        "duration": hours_minutes(slot.end - slot.start),
        "room": room.name,
        "slug": event_slug(conference, talk),
        "url": absolute_url(url),
        "title": talk.title,
        "subtitle": "",
        "track": track_name(session),
        "type": EVENT_TYPE,
        "language": None,
        # frab has no affiliations: the abstract opens with the byline as the program prints it.
        "abstract": "\n\n".join(
            part for part in (format_author_line(authors), talk.abstract) if part
        ),
        "description": None,
        "persons": [person(author, absolute_url) for author in authors],
        "links": links(session, talk),
    }


def local_midnight(day, conference):
    return datetime.combine(day, time(), tzinfo=conference.tz)


def build_schedule(conference, absolute_url):
    """The conference's schedule as a dict shaped like c3voc's schedule.json document, with
    each person's numeric `id` (for the XML; `schedule_json` leaves it out)."""
    days, rooms = [], {}
    for index, day in enumerate(conference.days.all(), start=1):
        day_rooms = {}
        for session in day.sessions.all():
            room = room_of(conference, session)
            slots = talk_slots(session)
            if not slots:
                continue
            rooms.setdefault(room.name, room)
            day_rooms.setdefault(room.name, []).extend(
                event(conference, session, room, slot, absolute_url) for slot in slots
            )
        for events in day_rooms.values():
            events.sort(key=lambda event: event["date"])
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
                    {"name": room.name, "guid": room.guid(conference)}
                    | ({"url": room.url} if room.url else {})
                    for room in rooms.values()
                ],
                "tracks": [
                    {"name": track_name(session), "slug": track_slug(session)}
                    for session in sessions_of(conference)
                ],
                "days": days,
            },
        },
    }


def schedule_json(conference, absolute_url):
    """schedule.json, as UTF-8 bytes."""
    document = build_schedule(conference, absolute_url)
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


def schedule_xml(conference, absolute_url):
    """schedule.xml, as UTF-8 bytes: the content of `build_schedule` in frab's XML."""
    document = build_schedule(conference, absolute_url)
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
