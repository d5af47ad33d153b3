"""Which session is on now and which comes next, from a clock the caller passes in.

Views pass `timezone.now()`; tests pass a fixed instant, so "Live now" needs no mocked clock.
"""

from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class ProgramClock:
    """The session in progress and the one after it (either may be None)."""

    live: object = None
    up_next: object = None


def conference_today(conference, sessions, now):
    """Today's date in the conference's zone while the conference is on (from the day of its
    first session to that of its last), else None."""
    sessions = list(sessions)
    if not sessions:
        return None
    today = timezone.localtime(now, conference.tz).date()
    first_day = timezone.localtime(min(s.start for s in sessions), conference.tz).date()
    last_day = timezone.localtime(max(s.end for s in sessions), conference.tz).date()
    return today if first_day <= today <= last_day else None


def program_clock(conference, sessions, now):
    """Mark the session in progress as live and the next one to start as up next, but only
    while the conference is on: from its first day to its last, in its own zone."""
    sessions = list(sessions)
    if conference_today(conference, sessions, now) is None:
        return ProgramClock()
    live = next((s for s in sessions if s.start <= now < s.end), None)
    up_next = next((s for s in sessions if s.start > now), None)
    return ProgramClock(live=live, up_next=up_next)
