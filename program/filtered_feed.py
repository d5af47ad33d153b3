"""The calendar feed of a filtered program (issue 19): exactly the events the program page shows
under the same GET parameters (program/filters.py). Kept apart from program/feeds.py, whose
functions it reuses: the sessions' events (with their talks), or the talks' own events.

Withdrawn events are not sent as cancelled here: the selection says what to show, and the whole
conference's feed is the one that follows removals."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from program.feeds import calendar_response, conference_events, feed_sessions, talk_events
from program.filters import Kind, ProgramFilter, room_of
from program.models import Conference, Session, Talk


def filtered_events(conference, program_filter):
    """The events of the sessions (or talks) the filter keeps."""
    sessions = [
        s
        for s in feed_sessions(Session.objects.filter(conference=conference).select_related("day"))
        if program_filter.keeps(s, conference)
    ]
    if program_filter.kind == Kind.TALKS:
        return talk_events(Talk.objects.published().filter(session__in=sessions))
    events = conference_events(sessions)
    if program_filter.kind == Kind.SESSIONS:
        return [e for e in events if e.uid in {s.uid for s in sessions}]
    return events


@require_safe
def filtered_conference_feed(request, slug):
    conference = get_object_or_404(Conference.objects.published(), slug=slug)
    sessions = Session.objects.published().filter(conference=conference).select_related("day")
    program_filter = ProgramFilter.from_query(
        request.GET,
        days={s.day.date for s in sessions},
        rooms={room_of(s, conference) for s in sessions},
    )
    selection = program_filter.describe()
    return calendar_response(
        request,
        name=f"{conference.public_program_title}" + (f" ({selection})" if selection else ""),
        filename=f"{conference.slug}-selection.ics",
        events=filtered_events(conference, program_filter),
        scope=Q(conference=conference),
        withdrawn=lambda event: False,
        since=[conference.updated_at],
    )
