"""The calendar feed of a filtered program (issue 19): exactly the events the program page shows
under the same GET parameters (program/filters.py). Kept apart from program/feeds.py, whose
functions it reuses: the sessions' events (with their talks), or the talks' own events.

Withdrawn events are not sent as cancelled here: the selection says what to show, and the whole
conference's feed is the one that follows removals."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from program.events import program_events, published_sessions
from program.feeds import built, calendar_response
from program.filters import Kind, ProgramFilter
from program.models import Conference, Session


def filtered_events(conference, program_filter):
    """The read model's events of the sessions the filter keeps: the sessions' and their listed
    talks' (as the whole conference's feed), only the sessions', or every talk's own."""
    sessions = published_sessions(Session.objects.filter(conference=conference)).select_related(
        "day"
    )
    events = program_events(s for s in sessions if program_filter.keeps(s))
    if program_filter.kind == Kind.TALKS:
        return [e for e in events if e.is_talk]
    if program_filter.kind == Kind.SESSIONS:
        return [e for e in events if not e.is_talk]
    return [e for e in events if e.listed]


@require_safe
def filtered_conference_feed(request, slug):
    conference = get_object_or_404(Conference.objects.published(), slug=slug)
    sessions = Session.objects.published().filter(conference=conference)
    sessions = list(sessions.select_related("day", "conference"))
    program_filter = ProgramFilter.from_query(
        request.GET, days={s.day.date for s in sessions}, rooms={s.room for s in sessions}
    )
    selection = program_filter.describe()
    return calendar_response(
        request,
        name=f"{conference.public_program_title}" + (f" ({selection})" if selection else ""),
        filename=f"{conference.slug}-selection.ics",
        events=built(filtered_events(conference, program_filter)),
        scope=Q(conference=conference),
        withdrawn=lambda event: False,
        since=[conference.updated_at],
    )
