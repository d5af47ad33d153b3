"""iCalendar (RFC 5545, with RFC 7986 properties) for the program's calendar feeds.

Free of the database and the request: `build_calendar(...)` writes the program's events (the
read model, program/events.py), each with its revision (SEQUENCE, last change), as bytes, with
the `icalendar` library (escaping, folding at 75 octets, CRLF), properties in the order added,
so the same input always gives the same bytes.

Times are always UTC (`...Z`), which every client reads alike: no VTIMEZONE, and DST changes
cannot shift an event. No METHOD: a feed is not an iTIP message
(docs/integrators/calendar-clients.md).
Text goes through `speakers.text.normalise_text` on the way out, so a control character that
reached the database some other way never reaches a subscriber.
"""

from datetime import UTC, timedelta

import icalendar
from django.conf import settings

from program.events import paragraphs
from speakers.text import normalise_text

PRODID = "-//OpML program site//Calendar feeds//EN"
REFRESH = timedelta(hours=1)  # PT1H


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
