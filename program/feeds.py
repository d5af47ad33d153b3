"""Calendar feeds: each view picks the events, and `calendar_response` reads their revisions,
builds the calendar (program/ical.py) and answers conditional requests with 304.

Feeds only read: revisions are written where the program changes (program/revisions.py)."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from program import ical
from program.models import Conference, EventRevision, Session, Talk
from program.picks import SECRET_LENGTH, PickList, PicksTokenError, decode_picks, note_read
from speakers.models import Authorship, Speaker, SpeakerAlias


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
    events, revisions = recorded(events)
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
        response["Content-Disposition"] = content_disposition_header(True, filename)
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=300"
    return response


def recorded(events):
    """The events as subscribers were last sent them, with their revisions, read only.

    An event whose content differs from its revision (changed by a write that skipped the
    bookkeeping) is sent as recorded, so a SEQUENCE never goes out with two contents; an event
    never recorded is sent at SEQUENCE 0 until `manage.py record_revisions` or the next change
    records it."""
    revisions = {r.uid: r for r in EventRevision.objects.filter(uid__in=[e.uid for e in events])}
    sent = []
    for event in events:
        revision = revisions.get(event.uid)
        if revision is None:
            revisions[event.uid] = EventRevision(
                uid=event.uid, sequence=0, modified_at=event.changed_at
            )
        elif revision.withdrawn_at is not None:
            continue  # unpublished since it was recorded; the feed sends it as cancelled
        elif revision.content_hash != event.content_hash:
            event = ical.Event.from_snapshot(revision.snapshot)
        sent.append(event)
    return sent, revisions


def feed_sessions(sessions):
    """Published sessions with their conference and published talks."""
    return (
        sessions.published()
        .select_related("conference")
        .prefetch_related(Prefetch("talks", queryset=Talk.objects.published()))
    )


def conference_events(sessions):
    """A session's event, and an event for each of its talks that has its own times."""
    sessions = list(sessions)
    authors = Authorship.objects.bylines(
        Talk.objects.published().filter(session__in=sessions), dated=True
    )
    events = []
    for session in sessions:
        talks = list(session.talks.all())
        events.append(ical.session_event(session, talks, authors))
        events += [ical.talk_event(talk, authors[talk.pk]) for talk in talks if talk.start]
    return events


def talk_events(talks):
    """Each talk's own event (`talks` is a queryset of published talks)."""
    talks = talks.select_related("session__conference")
    authors = Authorship.objects.bylines(talks, dated=True)
    return [ical.talk_event(talk, authors[talk.pk]) for talk in talks]


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
        events=conference_events(feed_sessions(Session.objects.filter(conference=conference))),
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
    sessions = list(feed_sessions(Session.objects.filter(conference=conference, number=number)))
    key = f"session/{number}"
    uids = {str(session.uid) for session in sessions}
    return calendar_response(
        request,
        name=f"{conference.public_name} – Session {number}"
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
    conference = feed_conference(conference_slug)
    events = talk_events(Talk.objects.published().filter(session__conference=conference, slug=slug))
    key = f"talk/{slug}"
    return calendar_response(
        request,
        name=f"{conference.public_name} – {events[0].summary if events else slug}",
        filename=f"{slug}.ics",
        events=events,
        scope=Q(conference=conference),
        withdrawn=lambda event: event.conference_id == conference.pk and event.key == key,
        since=[conference.updated_at],
        not_found=not events,
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
    events = talk_events(Talk.objects.published().filter(authorships__speaker=speaker))
    return calendar_response(
        request,
        name=f"Talks by {speaker.name}",
        filename=f"speaker-{speaker.slug}.ics",
        events=events,
        scope=Q(),
        withdrawn=lambda event: speaker.slug in event.speakers and event.key.startswith("talk/"),
        since=[speaker.updated_at],
        not_found=not events,
    )


# --- My picks (program/picks.py) ---------------------------------------------------------------


def picks_events(uids):
    """The picked sessions' events and the picked talks' events, without doubles: a talk without
    its own times is left out when its session is picked (its event would be the session's)."""
    sessions = list(feed_sessions(Session.objects.filter(uid__in=uids)))
    authors = Authorship.objects.bylines(
        Talk.objects.published().filter(session__in=sessions), dated=True
    )
    events = [ical.session_event(s, list(s.talks.all()), authors) for s in sessions]
    talks = (
        Talk.objects.published()
        .filter(uid__in=uids)
        .exclude(session__in=[s.pk for s in sessions], start=None)
    )
    return events + talk_events(talks)


@require_safe
def picks_feed(request, token):
    """An attendee's picks: a pick list's stable feed, or a first-version link that lists the
    UIDs itself (kept working, read-only). A read leaves a mark in the cache, never the database."""
    pick_list = PickList.objects.by_feed(token).first()
    if pick_list is not None:
        note_read(pick_list)
        uids = set(pick_list.uids)
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
        events=events,
        scope=Q(uid__in=uids),
        withdrawn=lambda event: event.uid in uids,
    )


# --- End of my picks ----------------------------------------------------------------------------
