"""Calendar feeds: each view picks the events, and `calendar_response` reads their revisions,
builds the calendar (program/ical.py) and answers conditional requests with 304.

Feeds only read: revisions are written where the program changes (program/revisions.py)."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from program import ical
from program.events import (
    Event,
    conference_program,
    program_events,
    published_sessions,
    talk_events,
)
from program.models import Conference, EventRevision, Session, Talk
from program.picks import SECRET_LENGTH, PickList, PicksTokenError, decode_picks, note_read
from speakers.models import Speaker, SpeakerAlias


def calendar_response(
    request, *, name, filename, events, scope, withdrawn, since=(), not_found=False
):
    """The feed as a response.

    `events` are (uids, build) as `recorded` takes them. `scope` (a Q on EventRevision) covers
    every event the feed may ever have shown, to notice those withdrawn since and to date the
    feed; `withdrawn(event)` picks the withdrawn events (still in their grace period) that
    belong to it; `since` are other times its content depends on (the calendar's name, a pick
    list's edits). With `not_found` (the object is not published), the feed exists only while
    it has a cancelled event to send."""
    now = timezone.now()
    grace = timedelta(days=settings.CALENDAR_WITHDRAWN_GRACE_DAYS)
    events, revisions = recorded(*events)
    cancelled = []
    for revision in EventRevision.objects.withdrawn_since(now - grace).order_by():
        event = Event.from_snapshot(revision.snapshot)
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
    unrecorded = [revisions[event.uid].modified_at for event in events]
    last_modified = max((time for time in (last_change, *since, *unrecorded) if time), default=None)
    last_modified = last_modified and int(last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, filename)
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=300"
    return response


def recorded(uids, build):
    """The events of these uids as subscribers were last sent them, with their revisions, read
    only.

    An event's revision holds its snapshot as program/revisions.py recorded it on the write path
    (every write reaches it), so a feed reads that one row instead of building the event again.
    Only events never recorded are built, with `build(uids)`, and sent at SEQUENCE 0 until
    `manage.py record_revisions` or the next change records them."""
    uids = list(uids)
    revisions = {r.uid: r for r in EventRevision.objects.filter(uid__in=uids).order_by()}
    missing = [uid for uid in uids if uid not in revisions]
    built = {event.uid: event for event in build(missing)} if missing else {}
    sent = []
    for uid in uids:
        revision = revisions.get(uid)
        if revision is None:
            event = built[uid]
            revisions[uid] = EventRevision(uid=uid, sequence=0, modified_at=event.changed_at)
        elif revision.withdrawn_at is not None:
            continue  # unpublished since it was recorded; the feed sends it as cancelled
        else:
            event = Event.from_snapshot(revision.snapshot)
        sent.append(event)
    return sent, revisions


def built(events):
    """(uids, build) for events already built: `recorded` reads their revisions."""
    by_uid = {event.uid: event for event in events}
    return list(by_uid), lambda uids: [by_uid[uid] for uid in uids]


def talks_of(talks):
    """(uids, build) for published talks (a queryset): one query for their uids; events are
    built only for those never recorded."""
    uids = list(talks.values_list("uid", flat=True))
    return uids, lambda missing: talk_events(Talk.objects.filter(uid__in=missing))


def feed_conference(slug):
    """A published conference, or one that was (its feeds still send cancelled events)."""
    was_published = Conference.objects.filter(
        Exists(EventRevision.objects.filter(conference=OuterRef("pk")))
    )
    return get_object_or_404(Conference.objects.published() | was_published, slug=slug)


@require_safe
def conference_feed(request, slug):
    conference = feed_conference(slug)
    return calendar_response(
        request,
        name=conference.public_program_title,
        filename=f"{conference.slug}.ics",
        events=built(e for e in conference_program(conference) if e.listed),
        scope=Q(conference=conference),
        withdrawn=lambda event: event.conference_id == conference.pk and event.listed,
        since=[conference.updated_at],
        not_found=not conference.is_published,
    )


@require_safe
def session_feed(request, conference_slug, number):
    """The session and its timed talks; once withdrawn, the session as cancelled."""
    canonical = reverse(
        "feeds:session", kwargs={"conference_slug": conference_slug, "number": number}
    )
    if request.path != canonical:  # "/sessions/01/calendar.ics": one address per feed
        return redirect(canonical, permanent=True)
    conference = feed_conference(conference_slug)
    sessions = list(
        published_sessions(Session.objects.filter(conference=conference, number=number))
    )
    key = f"session/{number}"
    uids = {str(session.uid) for session in sessions}
    return calendar_response(
        request,
        name=f"{conference.public_name} – Session {number}"
        + (f": {sessions[0].title}" if sessions else ""),
        filename=f"{conference.slug}-session-{number}.ics",
        events=built(e for e in program_events(sessions) if e.listed),
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
    # Unordered (slugs are unique): ordering by session would join for nothing.
    talk = next(
        iter(
            Talk.objects.published()
            .filter(session__conference__slug=conference_slug, slug=slug)
            .select_related("session__conference")
            .order_by()[:1]
        ),
        None,
    )
    conference = talk.session.conference if talk else feed_conference(conference_slug)
    key = f"talk/{slug}"
    return calendar_response(
        request,
        name=f"{conference.public_name} – {talk.title if talk else slug}",
        filename=f"{slug}.ics",
        events=([talk.uid], lambda _: talk_events(Talk.objects.filter(pk=talk.pk)))
        if talk
        else ([], list),
        scope=Q(conference=conference),
        withdrawn=lambda event: event.conference_id == conference.pk and event.key == key,
        since=[conference.updated_at],
        not_found=talk is None,
    )


@require_safe
def speaker_feed(request, slug):
    """Every published talk the speaker gives, across conferences ("follow this speaker"). A
    speaker merged into another redirects, so their followers' calendars follow the merge."""
    speaker = Speaker.objects.filter(slug=slug).first()
    if speaker is None:
        successor = SpeakerAlias.successor(slug)
        public = Speaker.objects.presenting(Talk.objects.published())
        if successor is None or not public.filter(pk=successor.pk).exists():
            raise Http404("No speaker here.")
        return redirect(successor.get_calendar_url(), permanent=True)
    events = talks_of(Talk.objects.published().filter(authorships__speaker=speaker))
    return calendar_response(
        request,
        name=f"Talks by {speaker.name}",
        filename=f"speaker-{speaker.slug}.ics",
        events=events,
        scope=Q(),
        withdrawn=lambda event: speaker.slug in event.speakers and event.is_talk,
        since=[speaker.updated_at],
        not_found=not events[0],
    )


# --- My picks (program/picks.py) ---------------------------------------------------------------


def picks_events(uids):
    """The picked sessions' events and the picked talks' events, without doubles: a talk without
    its own times is left out when its session is picked (its event would be the session's)."""
    sessions = list(published_sessions(Session.objects.filter(uid__in=uids)))
    events = [
        event
        for event in program_events(sessions)
        if event.uid in uids and (event.listed or not event.is_talk)
    ]
    talks = Talk.objects.published().filter(uid__in=uids).exclude(session__in=sessions)
    return events + talk_events(talks)


@require_safe
def picks_feed(request, token):
    """An attendee's picks: a pick list's stable feed, or a first-version link that lists the
    UIDs itself (kept working, read-only). A read leaves a mark in the cache, never the database."""
    pick_list = PickList.objects.by_feed(token).first()
    since = []
    if pick_list is not None:
        note_read(pick_list)
        uids = set(pick_list.uids)
        since = [pick_list.updated_at]  # a pick added or removed moves the validators
    elif len(token) == SECRET_LENGTH:
        raise Http404("These picks were deleted, or expired unused.")
    else:
        try:
            uids = set(decode_picks(token))
        except PicksTokenError as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    events = picks_events(uids)
    conferences = Conference.objects.filter(pk__in={event.conference_id for event in events})
    names = ", ".join(conferences.values_list("name", flat=True))
    return calendar_response(
        request,
        name=f"My picks – {names}" if names else "My picks",
        filename="my-picks.ics",
        events=built(events),
        scope=Q(uid__in=uids),
        withdrawn=lambda event: event.uid in uids,
        since=since,
    )


# --- End of my picks ----------------------------------------------------------------------------
