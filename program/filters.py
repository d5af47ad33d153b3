"""Filters of a conference's program (issue 19): by day, by room and by kind, as plain GET
parameters, so that a filtered program works without JavaScript, can be shared as a link, and
its calendar feed (program/filtered_feed.py) holds exactly what the page shows.

`PARAMETERS` are the only query parameters the filters read (the public cache keys on them)."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

PARAMETERS = ("day", "room", "kind")


class Kind:
    """What the program lists: sessions with their talks (all), sessions alone, or talks."""

    SESSIONS = "session"
    TALKS = "talk"
    CHOICES = {SESSIONS: "Sessions only", TALKS: "Talks only"}


@dataclass(frozen=True)
class ProgramFilter:
    """A valid selection: a value that names no day or room of the conference, or no kind, is
    ignored (a shared link still opens, on the whole program)."""

    day: date | None = None
    room: str = ""
    kind: str = ""

    @classmethod
    def from_query(cls, query, days, rooms):
        """From a QueryDict, given the conference's `days` (dates) and `rooms` (names)."""
        try:
            day = date.fromisoformat(query.get("day", ""))
        except ValueError:
            day = None
        room = query.get("room", "")
        kind = query.get("kind", "")
        return cls(
            day=day if day in days else None,
            room=room if room in rooms else "",
            kind=kind if kind in Kind.CHOICES else "",
        )

    @property
    def is_active(self):
        return bool(self.day or self.room or self.kind)

    @property
    def shows_talks(self):
        return self.kind != Kind.SESSIONS

    def keeps(self, session):
        """Whether a session is in the selection (whatever the kind); its room is `Session.room`,
        the rule that also decides clashes."""
        return (self.day is None or session.day.date == self.day) and (
            not self.room or session.room == self.room
        )

    def query_string(self):
        """The selection as query parameters ("" for the whole program), in a fixed order."""
        values = {"day": self.day and self.day.isoformat(), "room": self.room, "kind": self.kind}
        return urlencode({name: values[name] for name in PARAMETERS if values[name]})

    def describe(self):
        """The selection in words, e.g. "Thursday, July 30 · Room A · Talks only"."""
        parts = []
        if self.day:
            parts.append(f"{self.day:%A, %B} {self.day.day}")
        if self.room:
            parts.append(self.room)
        if self.kind:
            parts.append(Kind.CHOICES[self.kind])
        return " · ".join(parts)
