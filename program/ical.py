"""iCalendar (RFC 5545, with RFC 7986 properties) for the program's calendar feeds.

Two steps, both free of the database and the request:

* `session_event(session)` / `talk_event(talk)` turn prefetched models into `Event`s: plain,
  host-independent content whose hash tells whether a subscriber would see a change.
* `build_calendar(...)` writes events, each with its revision (SEQUENCE, last change), as bytes.

We write the text ourselves rather than through a library: every property, parameter and fold is
then exactly what clients need (icalendar 7 drops some VALUE parameters and mis-writes
durations), and the same input always gives the same bytes. Times are always UTC (`...Z`), which
every client reads alike, so no VTIMEZONE is needed and DST changes cannot shift an event.
"""

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from django.conf import settings

from speakers.bylines import format_author_line

PRODID = "-//OpML program site//Calendar feeds//EN"
REFRESH = "PT1H"
MAX_LINE_OCTETS = 75


@dataclass(frozen=True)
class Event:
    """One VEVENT as subscribers see it. `listed` events are in the whole-conference feed;
    `key`, `session_uid` and `speakers` let a feed find its withdrawn events again."""

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

    def as_snapshot(self):
        """The event as JSON-ready data (without `changed_at`), for EventRevision.snapshot."""
        data = asdict(self)
        del data["changed_at"]
        data |= {
            "uid": str(self.uid),
            "speakers": list(self.speakers),
            "start": self.start.astimezone(UTC).isoformat(),
            "end": self.end.astimezone(UTC).isoformat(),
        }
        return data

    @classmethod
    def from_snapshot(cls, data):
        return cls(
            **data
            | {
                "uid": uuid.UUID(data["uid"]),
                "speakers": tuple(data["speakers"]),
                "start": datetime.fromisoformat(data["start"]),
                "end": datetime.fromisoformat(data["end"]),
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


def location(session):
    return session.slack_url or f"Session {session.number} Slack channel"


@dataclass(frozen=True)
class Organisation:
    name: str


@dataclass(frozen=True)
class Author:
    """One name of a byline, read as plain values (a feed reads thousands); it quacks like an
    Authorship where `speakers.models.format_author_line` looks."""

    printed_name: str
    speaker_slug: str
    affiliation_id: int | None
    affiliation: Organisation | None
    changed_at: datetime

    @classmethod
    def from_values(cls, credited_name, name, slug, speaker_changed, org_id, org_name, org_changed):
        return cls(
            printed_name=credited_name or name,
            speaker_slug=slug,
            affiliation_id=org_id,
            affiliation=Organisation(org_name) if org_id else None,
            changed_at=max(speaker_changed, org_changed) if org_id else speaker_changed,
        )


def session_event(session, talks, authors):
    """The session's event: its description, Slack invitation and its talks with authors.
    `authors` maps a talk's id to its Authors in byline order; the session's conference must be
    loaded with it."""
    talk_list = "\n".join(
        "\n  ".join(line for line in (f"• {t.title}", format_author_line(authors[t.pk])) if line)
        for t in talks
    )
    session_authors = [author for talk in talks for author in authors[talk.pk]]
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
        location=location(session),
        path=session.get_absolute_url(),
        chat_url=session.slack_url,
        chat_label=session.slack_invitation,
        changed_at=max(
            [session.updated_at]
            + [talk.updated_at for talk in talks]
            + [author.changed_at for author in session_authors]
        ),
    )


def talk_event(talk, authors):
    """The talk's own event, at its own times or else its session's. The talk's session and
    its conference must be loaded with it; `authors` are its Authors in byline order."""
    session = talk.session
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
        start=talk.start or session.start,
        end=talk.end or session.end,
        location=location(session),
        path=talk.get_absolute_url(),
        chat_url=session.slack_url,
        chat_label=session.slack_invitation,
        changed_at=max([talk.updated_at, session.updated_at, *(a.changed_at for a in authors)]),
    )


# --- Writing RFC 5545 text ------------------------------------------------------------------------


def escape_text(value):
    """TEXT value escaping (RFC 5545 §3.3.11); line breaks become the two characters \\n."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    for char, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(char, escaped)
    return value


def quote_param(value):
    """A parameter value, quoted; DQUOTE and control characters cannot appear in one."""
    cleaned = "".join(" " if ord(char) < 32 else char for char in value).replace('"', "'")
    return f'"{cleaned}"'


def fold(line):
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character;
    continuation lines start with a space (RFC 5545 §3.1)."""
    encoded = line.encode()
    if len(encoded) <= MAX_LINE_OCTETS:
        return [line]
    lines, start, limit = [], 0, MAX_LINE_OCTETS
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1  # back off to the first byte of a character
        lines.append((" " if start else "") + encoded[start:end].decode())
        start, limit = end, MAX_LINE_OCTETS - 1
    return lines


def utc(value):
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class Writer:
    def __init__(self):
        self.lines = []

    def add(self, name, value, **params):
        params_text = "".join(f";{key.replace('_', '-')}={val}" for key, val in params.items())
        self.lines.extend(fold(f"{name}{params_text}:{value}"))

    def text(self, name, value):
        self.add(name, escape_text(value))

    def bytes(self):
        return "".join(f"{line}\r\n" for line in self.lines).encode()


def write_event(writer, event, revision, base_url, *, cancelled=False):
    page = base_url + event.path
    summary = f"Cancelled: {event.summary}" if cancelled else event.summary
    description = paragraphs(
        "Withdrawn from the program." if cancelled else "", event.description, page
    )
    writer.add("BEGIN", "VEVENT")
    writer.add("UID", f"{event.uid}@{settings.SITE_DOMAIN}")
    writer.add("DTSTAMP", utc(revision.modified_at))
    writer.add("LAST-MODIFIED", utc(revision.modified_at))
    writer.add("SEQUENCE", revision.sequence)
    writer.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    writer.add("DTSTART", utc(event.start))
    writer.add("DTEND", utc(event.end))
    writer.text("SUMMARY", summary)
    writer.text("DESCRIPTION", description)
    writer.text("LOCATION", event.location)
    writer.add("URL", page, VALUE="URI")
    if event.chat_url:
        writer.add(
            "CONFERENCE",
            event.chat_url,
            VALUE="URI",
            FEATURE="CHAT",
            LABEL=quote_param(event.chat_label),
        )
    writer.add("END", "VEVENT")


def build_calendar(*, name, source_url, base_url, events, revisions, cancelled=()):
    """The feed's bytes. `events` are live, `cancelled` withdrawn ones (rendered from their
    snapshot); `revisions` maps each event's uid to its EventRevision (SEQUENCE, last change).
    `source_url` is the feed's own URL, `base_url` the site's ("https://host")."""
    writer = Writer()
    writer.add("BEGIN", "VCALENDAR")
    writer.add("VERSION", "2.0")
    writer.add("PRODID", PRODID)
    writer.add("CALSCALE", "GREGORIAN")
    writer.text("NAME", name)
    writer.text("X-WR-CALNAME", name)
    writer.add("SOURCE", source_url, VALUE="URI")
    writer.add("REFRESH-INTERVAL", REFRESH, VALUE="DURATION")
    writer.add("X-PUBLISHED-TTL", REFRESH)
    entries = [(event, False) for event in events] + [(event, True) for event in cancelled]
    for event, is_cancelled in sorted(
        entries, key=lambda e: (e[0].start, not e[0].listed, e[0].key)
    ):
        write_event(writer, event, revisions[event.uid], base_url, cancelled=is_cancelled)
    writer.add("END", "VCALENDAR")
    return writer.bytes()
