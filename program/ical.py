"""iCalendar (RFC 5545, with RFC 7986 properties) for the program's calendar feeds.

Two steps, both free of the database and the request:

* `session_event(session)` / `talk_event(talk)` turn prefetched models into `Event`s: plain,
  host-independent content whose hash tells whether a subscriber would see a change.
* `build_calendar(...)` writes events, each with its revision (SEQUENCE, last change), as bytes,
  with the `icalendar` library (escaping, folding at 75 octets, CRLF), properties in the order
  added, so the same input always gives the same bytes.

Times are always UTC (`...Z`), which every client reads alike: no VTIMEZONE, and DST changes
cannot shift an event. No METHOD: a feed is not an iTIP message (README, "Calendar clients").
Text goes through `speakers.text.normalise_text` on the way out, so a control character that
reached the database some other way never reaches a subscriber.
"""

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import icalendar
from django.conf import settings

from speakers.bylines import format_author_line
from speakers.text import normalise_text

PRODID = "-//OpML program site//Calendar feeds//EN"
REFRESH = timedelta(hours=1)  # PT1H


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


def clean_text(value):
    """A TEXT value as RFC 5545 allows it: control characters dropped (the one rule, in
    speakers/text.py), every line break a plain newline (the library escapes it as \\n)."""
    return normalise_text(value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_param(value):
    """A parameter value: no control characters, no line breaks, and no DQUOTE (which only
    RFC 6868's caret escape could carry, and few clients decode it)."""
    return " ".join(clean_text(value).split()).replace('"', "'")


def text(value):
    return icalendar.vText(clean_text(value))


def write_event(event, revision, base_url, *, cancelled=False):
    page = base_url + event.path
    summary = f"Cancelled: {event.summary}" if cancelled else event.summary
    description = paragraphs(
        "Withdrawn from the program." if cancelled else "", event.description, page
    )
    vevent = icalendar.Event()
    vevent.add("UID", f"{event.uid}@{settings.SITE_DOMAIN}")
    vevent.add("DTSTAMP", revision.modified_at.astimezone(UTC))
    vevent.add("LAST-MODIFIED", revision.modified_at.astimezone(UTC))
    vevent.add("SEQUENCE", revision.sequence)
    vevent.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("DTSTART", event.start.astimezone(UTC))
    vevent.add("DTEND", event.end.astimezone(UTC))
    vevent.add("SUMMARY", text(summary))
    vevent.add("DESCRIPTION", text(description))
    vevent.add("LOCATION", text(event.location))
    # No VALUE=URI: URI is URL's default type, and node-ical and npm's ical turn a property
    # with parameters into an object instead of the address.
    vevent.add("URL", icalendar.vUri(page))
    if event.chat_url:
        # RFC 7986 requires VALUE=URI on CONFERENCE.
        vevent.add(
            "CONFERENCE",
            icalendar.vUri(event.chat_url),
            parameters={
                "VALUE": "URI",
                "FEATURE": "CHAT",
                "LABEL": clean_param(event.chat_label),
            },
        )
    return vevent


def build_calendar(*, name, source_url, base_url, events, revisions, cancelled=()):
    """The feed's bytes. `events` are live, `cancelled` withdrawn ones (rendered from their
    snapshot); `revisions` maps each event's uid to its EventRevision (SEQUENCE, last change).
    `source_url` is the feed's own URL, `base_url` the site's ("https://host")."""
    calendar = icalendar.Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", text(name))
    calendar.add("X-WR-CALNAME", text(name))
    calendar.add("SOURCE", icalendar.vUri(source_url))
    calendar.add("REFRESH-INTERVAL", icalendar.vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH))
    entries = [(event, False) for event in events] + [(event, True) for event in cancelled]
    for event, is_cancelled in sorted(
        entries, key=lambda e: (e[0].start, not e[0].listed, e[0].key)
    ):
        calendar.add_component(
            write_event(event, revisions[event.uid], base_url, cancelled=is_cancelled)
        )
    # In the order written, not sorted by name: the same input always gives the same bytes.
    return calendar.to_ical(sorted=False)
