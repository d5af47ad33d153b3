"""Which sessions are on now and which come next, from a clock the caller passes in.

Views pass `timezone.now()`; tests pass a fixed instant, so "Live now" needs no mocked clock.
"""

from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class ProgramClock:
    """Every session in progress (parallel sessions are all live), and the sessions that start
    next (several when they start at once). Templates ask `session in clock.live`."""

    live: tuple = ()
    up_next: tuple = ()


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
    """Mark the sessions in progress as live and those with the next start after `now` as up
    next, but only while the conference is on: from its first day to its last, in its own
    zone. Times are the read model's (program/events.py): a session's slot."""
    sessions = list(sessions)
    if conference_today(conference, sessions, now) is None:
        return ProgramClock()
    live = tuple(s for s in sessions if s.start <= now < s.end)
    next_start = min((s.start for s in sessions if s.start > now), default=None)
    up_next = tuple(s for s in sessions if s.start == next_start)
    return ProgramClock(live=live, up_next=up_next)
