"""The published program of a conference as events: the one home of "an event".

Every channel reads what is built here (the pages' times and places, the live/next clock, the
iCal feeds, frab XML and JSON, the JSON API, JSON-LD, the sitemap, the change log and its Atom
feed), so none of them works out on its own when a talk happens, where, or what it is:

* `Event`: one session or talk, with an explicit `kind`, its identity (uid, slug, session uid),
  its effective start and end, its place, its people, its links and when it last changed. Its
  calendar content (`as_snapshot`, `content_hash`) is what program/revisions.py records and
  what subscribers' SEQUENCE follows.
* `talk_times(talk, session)`: a talk's effective time is its own when the committee set one,
  else its session's slot. Never an estimate: no channel splits a session into invented times.
* `place_of(session)`: a session's own location, else its conference's default, else the
  online channel (the session's Slack channel). Talks happen where their session does.
* `program_events(sessions)` builds the events of prefetched published sessions once;
  `conference_program(conference)` and `talk_events(talks)` are its two entry points.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Prefetch

from program.models import EventRevision, Session, Talk
from speakers.bylines import format_author_line
from speakers.models import Authorship


class Kind(StrEnum):
    SESSION = "session"
    TALK = "talk"


@dataclass(frozen=True)
class Place:
    """Where a session and its talks happen. `name` is what schedule apps show as the room;
    `online` marks the place of last resort, the session's own Slack channel."""

    name: str
    url: str = ""
    online: bool = False

    @property
    def label(self):
        """The place in one line of text (a calendar's LOCATION): its name, or for the online
        channel the channel's address when it has one."""
        return (self.url or self.name) if self.online else self.name


def place_of(session, conference=None):
    """The one place rule: the session's own location, else the conference's default, else
    the session's Slack channel. `conference` saves a query when the caller has it."""
    conference = conference or session.conference
    if session.location_name or session.location_url:
        return Place(session.location_name or session.location_url, session.location_url)
    if conference.default_location_name or conference.default_location_url:
        return Place(
            conference.default_location_name or conference.default_location_url,
            conference.default_location_url,
        )
    return Place(f"Session {session.number} Slack channel", session.slack_url, online=True)


def talk_times(talk, session):
    """A talk's effective (start, end): its own times when the committee set them, else its
    session's slot."""
    if talk.start is not None:
        return talk.start, talk.end
    return session.start, session.end


# What a calendar subscriber sees of an event, in the order EventRevision.snapshot has always
# stored it: its hash decides SEQUENCE, so this list (and its values) must never change shape.
SNAPSHOT_FIELDS = (
    "uid",
    "conference_id",
    "key",
    "listed",
    "session_uid",
    "speakers",
    "summary",
    "description",
    "start",
    "end",
    "location",
    "path",
    "chat_url",
    "chat_label",
)


@dataclass(frozen=True)
class Event:
    """One session or talk of the published program.

    The fields up to `chat_label` are what calendar subscribers see (see SNAPSHOT_FIELDS);
    `listed` events are in the whole-conference feed (sessions, and talks with their own times).
    The fields after them are for the other channels and never change a SEQUENCE."""

    uid: uuid.UUID
    conference_id: int
    key: str
    listed: bool
    session_uid: str
    speakers: tuple[str, ...]
    summary: str
    description: str
    start: datetime
    end: datetime
    location: str
    path: str
    chat_url: str = ""
    chat_label: str = ""
    changed_at: datetime | None = field(default=None, compare=False)
    kind: Kind = field(default=Kind.SESSION, compare=False)
    slug: str = field(default="", compare=False)
    object_id: int | None = field(default=None, compare=False)
    place: Place | None = field(default=None, compare=False)
    people: tuple = field(default=(), compare=False)
    abstract: str = field(default="", compare=False)
    session_description: str = field(default="", compare=False)
    media_url: str = field(default="", compare=False)

    @property
    def is_talk(self):
        return self.kind == Kind.TALK

    def as_snapshot(self):
        """The event as JSON-ready data, for EventRevision.snapshot: the subscriber's fields
        only, exactly as they have always been stored."""
        data = {name: getattr(self, name) for name in SNAPSHOT_FIELDS}
        data |= {
            "uid": str(self.uid),
            "speakers": list(self.speakers),
            "start": self.start.astimezone(UTC).isoformat(),
            "end": self.end.astimezone(UTC).isoformat(),
        }
        return data

    @classmethod
    def from_snapshot(cls, data):
        """An event as it was recorded (a withdrawn one, sent as cancelled). Snapshots hold no
        kind of their own: the key they were recorded under says it."""
        return cls(
            **data
            | {
                "uid": uuid.UUID(data["uid"]),
                "speakers": tuple(data["speakers"]),
                "start": datetime.fromisoformat(data["start"]),
                "end": datetime.fromisoformat(data["end"]),
                "kind": Kind.TALK if data["key"].startswith("talk/") else Kind.SESSION,
                "slug": data["key"].partition("/")[2],
            }
        )

    @property
    def content_hash(self):
        canonical = json.dumps(self.as_snapshot(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def paragraphs(*parts):
    return "\n\n".join(part for part in parts if part)


def slack_text(session):
    """The program's Slack invitation, and the channel's address when there is one."""
    return "\n".join(part for part in (session.slack_invitation, session.slack_url) if part)


def session_event(session, talks, authors, conference=None):
    """The session's event: its description, Slack invitation and its talks with authors.
    `authors` maps a talk's id to its Authors in byline order."""
    conference = conference or session.conference
    talk_list = "\n".join(
        "\n  ".join(line for line in (f"• {t.title}", format_author_line(authors[t.pk])) if line)
        for t in talks
    )
    session_authors = [author for talk in talks for author in authors[talk.pk]]
    place = place_of(session, conference)
    return Event(
        uid=session.uid,
        conference_id=session.conference_id,
        key=f"session/{session.number}",
        listed=True,
        session_uid=str(session.uid),
        speakers=tuple(sorted({author.speaker_slug for author in session_authors})),
        summary=str(session),
        description=paragraphs(
            session.description, slack_text(session), talk_list and f"Talks:\n{talk_list}"
        ),
        start=session.start,
        end=session.end,
        location=place.label,
        path=session.get_absolute_url(),
        chat_url=session.slack_url,
        chat_label=session.slack_invitation,
        changed_at=max(
            [session.updated_at]
            + [talk.updated_at for talk in talks]
            + [author.changed_at for author in session_authors if author.changed_at]
        ),
        kind=Kind.SESSION,
        slug=str(session.number),
        object_id=session.pk,
        place=place,
        people=tuple(dict.fromkeys(session_authors)),
        abstract=session.description,
        session_description=session.description,
    )


def talk_event(talk, session, authors, conference=None):
    """The talk's event, at its effective times (`talk_times`) and its session's place;
    `authors` are its Authors in byline order."""
    conference = conference or session.conference
    start, end = talk_times(talk, session)
    place = place_of(session, conference)
    return Event(
        uid=talk.uid,
        conference_id=session.conference_id,
        key=f"talk/{talk.slug}",
        listed=talk.start is not None,
        session_uid=str(session.uid),
        speakers=tuple(sorted(author.speaker_slug for author in authors)),
        summary=talk.title,
        description=paragraphs(
            format_author_line(authors), talk.abstract, str(session), slack_text(session)
        ),
        start=start,
        end=end,
        location=place.label,
        path=talk.get_absolute_url(),
        chat_url=session.slack_url,
        chat_label=session.slack_invitation,
        changed_at=max(
            [talk.updated_at, session.updated_at, *(a.changed_at for a in authors if a.changed_at)]
        ),
        kind=Kind.TALK,
        slug=talk.slug,
        object_id=talk.pk,
        place=place,
        people=tuple(authors),
        abstract=talk.abstract,
        session_description=session.description,
        media_url=talk.media_url,
    )


def published_sessions(sessions):
    """Published sessions (a Session queryset) with their conference and published talks."""
    return (
        sessions.published()
        .select_related("conference")
        .prefetch_related(Prefetch("talks", queryset=Talk.objects.published()))
    )


def program_events(sessions):
    """Each session's event followed by each of its talks' events, for sessions read by
    `published_sessions`: the one builder every channel's events come from."""
    sessions = list(sessions)
    authors = Authorship.objects.bylines(
        Talk.objects.published().filter(session__in=sessions), dated=True
    )
    events = []
    for session in sessions:
        talks = list(session.talks.all())
        events.append(session_event(session, talks, authors))
        for talk in talks:
            talk.session = session
            events.append(talk_event(talk, session, authors[talk.pk]))
    return events


def conference_program(conference):
    """Every event of the conference's published program, in program order."""
    return program_events(published_sessions(Session.objects.filter(conference=conference)))


def talk_events(talks):
    """Each talk's event (`talks` is a queryset of published talks)."""

    talks = list(talks.select_related("session__conference"))
    authors = Authorship.objects.bylines([talk.pk for talk in talks], dated=True)
    return [talk_event(talk, talk.session, authors[talk.pk]) for talk in talks]


def withdrawn_talks(conference, now):
    """(session, event) of the conference's talks withdrawn less than
    CALENDAR_WITHDRAWN_GRACE_DAYS before `now`, as last published (from their revisions), with
    their row's id and their session's place. A talk deleted outright has no row left and no
    id to keep: only its calendar copy stays (program/feeds.py)."""
    cutoff = now - timedelta(days=settings.CALENDAR_WITHDRAWN_GRACE_DAYS)
    events = [
        Event.from_snapshot(snapshot)
        for snapshot in EventRevision.objects.withdrawn_since(cutoff)
        .filter(conference=conference)
        .values_list("snapshot", flat=True)
    ]
    events = [event for event in events if event.is_talk]
    talks = Talk.objects.filter(uid__in=[event.uid for event in events]).select_related("session")
    rows = {talk.uid: talk for talk in talks}
    return [
        (
            rows[event.uid].session,
            replace(
                event,
                object_id=rows[event.uid].pk,
                place=place_of(rows[event.uid].session, conference),
            ),
        )
        for event in events
        if event.uid in rows
    ]
