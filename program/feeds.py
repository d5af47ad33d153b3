"""Calendar feeds: each view picks the events, and `calendar_response` records their revisions,
builds the calendar (program/ical.py) and answers conditional requests with 304."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from program import ical
from program.models import Conference, EventRevision, Session, Talk
from program.picks import PicksTokenError, decode_picks
from speakers.models import Authorship, Speaker


def calendar_response(
    request, *, name, filename, events, scope, withdrawn, since=(), not_found=False
):
    """The feed as a response.

    `scope` (a Q on EventRevision) covers every event the feed may ever have shown, to notice
    those withdrawn since and to date the feed; `withdrawn(event)` picks the withdrawn events
    (still in their grace period) that belong to it; `since` are other times its content depends
    on (the calendar's name). With `not_found` (the object is not published), the feed exists
    only while it has a cancelled event to send."""
    now = timezone.now()
    grace = timedelta(days=settings.CALENDAR_WITHDRAWN_GRACE_DAYS)
    with transaction.atomic():
        revisions = EventRevision.objects.record(events, scope, now)
        cancelled = []
        for revision in EventRevision.objects.withdrawn_since(now - grace):
            event = ical.Event.from_snapshot(revision.snapshot)
            if withdrawn(event):
                cancelled.append(event)
                revisions[event.uid] = revision
        last_change = EventRevision.objects.filter(scope).last_change(now - grace, grace)
    if not_found and not cancelled:
        raise Http404("Nothing published here has a calendar.")
    body = ical.build_calendar(
        name=name,
        source_url=request.build_absolute_uri(request.path),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        events=events,
        revisions=revisions,
        cancelled=cancelled,
    )
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    last_modified = max((time for time in (last_change, *since) if time), default=None)
    last_modified = last_modified and int(last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=300"
    return response


def feed_authorships(prefix=""):
    """Authors with only what a feed prints and dates: thousands of them are read per feed, so
    the speakers' affiliations, bios and creation times are left in the database."""
    return Prefetch(
        f"{prefix}authorships",
        queryset=Authorship.objects.select_related("speaker", "affiliation").only(
            "talk_id",
            "credited_name",
            "speaker__name",
            "speaker__slug",
            "speaker__updated_at",
            "affiliation__name",
            "affiliation__updated_at",
        ),
    )


def feed_sessions(sessions):
    """Published sessions with their published talks and authors, read as lean as a feed can."""
    talks = Talk.objects.filter(is_published=True).defer("media_url", "has_media", "created_at")
    return (
        sessions.published()
        .select_related("conference")
        .defer("created_at", "conference__intro", "conference__time_zone_note")
        .prefetch_related(Prefetch("talks", queryset=talks), feed_authorships("talks__"))
    )


def conference_events(sessions):
    """A session's event, and an event for each of its talks that has its own times."""
    events = []
    for session in sessions:
        events.append(ical.session_event(session))
        events += [ical.talk_event(talk) for talk in session.talks.all() if talk.start]
    return events


@require_safe
def conference_feed(request, slug):
    conference = get_object_or_404(Conference.objects.published(), slug=slug)
    sessions = feed_sessions(Session.objects.filter(conference=conference))
    return calendar_response(
        request,
        name=conference.program_title,
        filename=f"{conference.slug}.ics",
        events=conference_events(sessions),
        scope=Q(conference=conference),
        withdrawn=lambda event: event.conference_id == conference.pk and event.listed,
        since=[conference.updated_at],
    )


@require_safe
def session_feed(request, conference_slug, number):
    """The session and its timed talks; once withdrawn, the session as cancelled."""
    conference = get_object_or_404(Conference.objects.published(), slug=conference_slug)
    sessions = list(feed_sessions(Session.objects.filter(conference=conference, number=number)))
    key = f"session/{number}"
    uids = {str(session.uid) for session in sessions}
    return calendar_response(
        request,
        name=f"{conference.name} – Session {number}"
        + (f": {sessions[0].title}" if sessions else ""),
        filename=f"{conference.slug}-session-{number}.ics",
        events=conference_events(sessions),
        scope=Q(conference=conference),
        withdrawn=lambda event: (
            event.conference_id == conference.pk
            and (event.key == key or (event.listed and event.session_uid in uids))
        ),
        since=[conference.updated_at],
        not_found=not sessions,
    )


@require_safe
def talk_feed(request, conference_slug, slug):
    """The talk, at its own times or its session's; once withdrawn, the talk as cancelled."""
    conference = get_object_or_404(Conference.objects.published(), slug=conference_slug)
    talks = list(
        Talk.objects.published().filter(session__conference=conference, slug=slug).with_speakers()
    )
    key = f"talk/{slug}"
    return calendar_response(
        request,
        name=f"{conference.name} – {talks[0].title if talks else slug}",
        filename=f"{slug}.ics",
        events=[ical.talk_event(talk) for talk in talks],
        scope=Q(conference=conference),
        withdrawn=lambda event: event.conference_id == conference.pk and event.key == key,
        since=[conference.updated_at],
        not_found=not talks,
    )


@require_safe
def speaker_feed(request, slug):
    """Every published talk the speaker gives, across conferences ("follow this speaker")."""
    speaker = get_object_or_404(Speaker.objects.with_talks(), slug=slug)
    talks = [authorship.talk for authorship in speaker.authorships.all()]
    return calendar_response(
        request,
        name=f"Talks by {speaker.name}",
        filename=f"speaker-{speaker.slug}.ics",
        events=[ical.talk_event(talk) for talk in talks],
        scope=Q(),
        withdrawn=lambda event: speaker.slug in event.speakers and event.key.startswith("talk/"),
        since=[speaker.updated_at],
    )


@require_safe
def picks_feed(request, token):
    """The sessions and talks an attendee starred; the token in the URL lists them."""
    try:
        uids = set(decode_picks(token))
    except PicksTokenError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    sessions = Session.objects.published().filter(uid__in=uids).with_talks()
    talks = Talk.objects.published().filter(uid__in=uids).with_speakers()
    events = [ical.session_event(s) for s in sessions] + [ical.talk_event(t) for t in talks]
    return calendar_response(
        request,
        name="My picks",
        filename="my-picks.ics",
        events=events,
        scope=Q(uid__in=uids),
        withdrawn=lambda event: event.uid in uids,
    )
