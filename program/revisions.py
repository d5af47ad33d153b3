"""Bookkeeping on the write path: calendar revisions, program versions and the change log.

Reads never write. Whatever changes the program (an admin save with its inlines, a bulk action,
a merge, an import, a management command, a plain ORM save or delete) leads here, and here only
are written:

* each event's `EventRevision` (SEQUENCE, LAST-MODIFIED, the snapshot a CANCELLED copy is
  rendered from), compared with what the feeds would now show;
* a `ChangeLogEntry` for every change attendees can see (a talk added, withdrawn, moved,
  retitled…);
* a new `ProgramVersion` for each conference touched and for the site, which the public response
  cache (program/caching.py) keys its entries on.

Signals (connected in `ProgramConfig.ready`) catch saves and deletes of the program's models. On
their own they record at once; inside `deferred()` (every non-GET request, the importer,
`loaddata`) they are collected and recorded once, at the end, in the same transaction. Code that
writes with `QuerySet.update()` or `bulk_create()` sends no signals and calls
`record_changes(conference_ids)` itself.

Concurrent writers are serialised per conference by locking its row (`select_for_update`) before
anything is read, and SEQUENCE is only ever raised with `F("sequence") + 1`: it rises with every
visible change and never repeats with different content.
"""

import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone

from program.events import Event, conference_program
from program.models import (
    ChangeLogEntry,
    Conference,
    Day,
    EventRevision,
    ProgramVersion,
    Session,
    Talk,
    bulk_changed,
)
from speakers.models import Affiliation, Authorship, Speaker

_state = threading.local()


@dataclass
class Pending:
    """What changed in a block of writes, resolved to conferences when it is recorded."""

    conferences: set = field(default_factory=set)
    sessions: set = field(default_factory=set)
    talks: set = field(default_factory=set)
    speakers: set = field(default_factory=set)
    affiliations: set = field(default_factory=set)
    everything: bool = False
    site: bool = False

    def __bool__(self):
        return bool(
            self.conferences
            or self.sessions
            or self.talks
            or self.speakers
            or self.affiliations
            or self.everything
            or self.site
        )

    def conference_ids(self):
        if self.everything:
            return set(Conference.objects.values_list("pk", flat=True))
        ids = set(self.conferences)
        if self.sessions:
            ids |= set(
                Session.objects.filter(pk__in=self.sessions).values_list("conference_id", flat=True)
            )
        if self.talks:
            ids |= set(
                Talk.objects.filter(pk__in=self.talks).values_list(
                    "session__conference_id", flat=True
                )
            )
        if self.speakers or self.affiliations:
            ids |= set(
                Authorship.objects.filter(
                    Q(speaker__in=self.speakers)
                    | Q(affiliation__in=self.affiliations)
                    | Q(speaker__affiliation__in=self.affiliations)
                ).values_list("talk__session__conference_id", flat=True)
            )
        return ids


@contextmanager
def deferred():
    """Collect the changes made in the block and record them once, at its end, in the same
    transaction (the block runs inside `transaction.atomic`). Nested blocks join the outer one."""
    if getattr(_state, "pending", None) is not None:
        yield
        return
    _state.pending = Pending()
    try:
        with transaction.atomic():
            yield
            pending, _state.pending = _state.pending, None
            if pending:
                record_changes(pending.conference_ids(), site=True)
    finally:
        _state.pending = None


def note(**changes):
    """Note a change: recorded at the end of the current `deferred()` block, or at once."""
    if (
        getattr(_state, "deleting", None) is not None
        and not transaction.get_connection().in_atomic_block
    ):
        _state.pending = _state.deleting = None  # a deletion that failed half-way
    pending = getattr(_state, "pending", None)
    if pending is None:
        with deferred():
            note(**changes)
        return
    for name, values in changes.items():
        if name in ("everything", "site"):
            setattr(pending, name, getattr(pending, name) or values)
        else:
            getattr(pending, name).update(value for value in values if value is not None)


# --- Signals: what each model's saves and deletes touch ------------------------------------------


def conference_changed(sender, instance, **kwargs):
    if kwargs.get("signal") is post_delete:
        note(site=True)  # its revisions, versions and log go with it
    else:
        note(conferences=[instance.pk])


def day_changed(sender, instance, **kwargs):
    note(conferences=[instance.conference_id])


def session_changed(sender, instance, **kwargs):
    note(conferences=[instance.conference_id], sessions=[instance.pk])


def talk_changed(sender, instance, **kwargs):
    # A deleted talk's session may be gone too (cascade): its revision still names the
    # conference.
    note(
        sessions=[instance.session_id],
        conferences=EventRevision.objects.filter(uid=instance.uid).values_list(
            "conference_id", flat=True
        ),
    )


def authorship_changed(sender, instance, **kwargs):
    note(talks=[instance.talk_id])


def speaker_changed(sender, instance, **kwargs):
    if kwargs.get("signal") is post_delete:
        note(everything=True)  # a merge: its talks moved to another speaker first
    else:
        note(speakers=[instance.pk])


def affiliation_changed(sender, instance, **kwargs):
    if kwargs.get("signal") is post_delete:
        note(everything=True)  # a merge: its people and bylines moved with QuerySet.update
    else:
        note(affiliations=[instance.pk])


HANDLERS = [
    (Conference, conference_changed),
    (Day, day_changed),
    (Session, session_changed),
    (Talk, talk_changed),
    (Authorship, authorship_changed),
    (Speaker, speaker_changed),
    (Affiliation, affiliation_changed),
]


def objects_changed(objects):
    """For writes that send no signals (`QuerySet.update`, `bulk_create`): note the objects as
    changed, as their signals would have."""
    handlers = dict(HANDLERS)
    with deferred():
        for obj in objects:
            handlers[type(obj)](type(obj), obj)


def bulk_written(sender, objects, **kwargs):
    objects_changed(objects)


def before_delete(sender, instance, **kwargs):
    """A deletion cascades (a conference takes its sessions, talks and authorships with it):
    Django sends every pre_delete first, then deletes and sends each post_delete. Outside
    `deferred()`, the whole cascade is collected and recorded once, after its last deletion."""
    if getattr(_state, "pending", None) is None:
        _state.pending, _state.deleting = Pending(), 0
    if getattr(_state, "deleting", None) is not None:
        _state.deleting += 1


def after_delete(handler):
    def receiver(sender, instance, **kwargs):
        handler(sender, instance, **kwargs)
        if getattr(_state, "deleting", None) is not None:
            _state.deleting -= 1
            if _state.deleting == 0:
                pending, _state.pending, _state.deleting = _state.pending, None, None
                if pending:
                    record_changes(pending.conference_ids(), site=True)

    return receiver


RECEIVERS = []


def connect():
    """Called once from ProgramConfig.ready()."""
    for model, handler in HANDLERS:
        uid = f"program.revisions.{model.__name__}"
        receiver = after_delete(handler)
        RECEIVERS.append(receiver)  # signals hold receivers weakly
        post_save.connect(handler, sender=model, dispatch_uid=uid + ".save")
        pre_delete.connect(before_delete, sender=model, dispatch_uid=uid + ".pre_delete")
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + ".delete")
    bulk_changed.connect(bulk_written, dispatch_uid="program.revisions.bulk")


# --- Recording ------------------------------------------------------------------------------------


def record_changes(conference_ids, *, site=True, now=None):
    """Bring the revisions, change log and versions of these conferences up to date with what
    is in the database, and give them (and the site, with `site`) a new version. Safe to call
    at any time and as often as wanted: an unchanged program writes only its new version."""
    now = now or timezone.now()
    with transaction.atomic():
        # One writer per conference at a time: the lock is held until the transaction ends,
        # and everything below is read after it was taken.
        locked = list(
            Conference.objects.select_for_update()
            .filter(pk__in=[pk for pk in conference_ids if pk is not None])
            .order_by("pk")
        )
        for conference in locked:
            record_conference(conference, now)
        bump_versions([c.pk for c in locked], now, site=site)


@dataclass(frozen=True)
class Recorded:
    """What a revision says of an event, as plain values: its snapshot and hash, whether it
    was withdrawn, and whether it was recorded under the conference being compared."""

    snapshot: dict
    content_hash: str
    withdrawn: bool = False
    here: bool = True


@dataclass
class Changes:
    """What `diff` found: events to record for the first time or again (`added`), changed ones
    (`changed`, with what was recorded before), withdrawn ones, and the change log's lines
    (kind, text, snapshot) in attendees' words."""

    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    withdrawn: list = field(default_factory=list)
    log: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.added or self.changed or self.withdrawn)


def diff(previous, events, tz):
    """What changed between the recorded events (`previous`: {uid: Recorded}) and the program
    now (`events`: {uid: Event}), in a conference printed in zone `tz`. Pure: no database."""
    changes = Changes()
    log = ChangeLog(events, tz)
    for uid, recorded in previous.items():
        if recorded.here and not recorded.withdrawn and uid not in events:
            changes.withdrawn.append(recorded)
            log.withdrawn(recorded.snapshot)
    for uid, event in events.items():
        recorded = previous.get(uid)
        if recorded is None or recorded.withdrawn:
            changes.added.append(event)
            log.added(event)
        elif recorded.content_hash != event.content_hash:
            changes.changed.append((recorded, event))
            log.changed(recorded.snapshot, event)
    changes.log = log.lines
    return changes


def record_conference(conference, now):
    """Revisions and change log of one (locked) conference, and the name it was last published
    under (what its feeds say once it is a draft again): read, `diff`, `write`."""
    if conference.is_published and conference.published_name != conference.name:
        conference.published_name = conference.name
        Conference.objects.filter(pk=conference.pk).update(published_name=conference.name)
    events = {event.uid: event for event in conference_program(conference)}
    revisions = {r.uid: r for r in EventRevision.objects.filter(conference=conference)}
    missing = events.keys() - revisions.keys()
    if missing:  # an event that moved here from another conference
        revisions |= {r.uid: r for r in EventRevision.objects.filter(uid__in=missing)}
    gone = [uid for uid, r in revisions.items() if r.conference_id == conference.pk]
    gone = {uid for uid in gone if uid not in events and revisions[uid].withdrawn_at is None}
    # An event that left for another conference is that one's to record, not a withdrawal.
    elsewhere = still_published(gone) if gone else set()
    previous = {
        uid: Recorded(
            snapshot=r.snapshot,
            content_hash=r.content_hash,
            withdrawn=r.withdrawn_at is not None,
            here=r.conference_id == conference.pk,
        )
        for uid, r in revisions.items()
        if uid not in elsewhere
    }
    changes = diff(previous, events, conference.tz)
    write(conference, changes, revisions, first_publication=not revisions, now=now)


def still_published(uids):
    return set(
        Session.objects.published().filter(uid__in=uids).values_list("uid", flat=True)
    ) | set(Talk.objects.published().filter(uid__in=uids).values_list("uid", flat=True))


def write(conference, changes, revisions, *, first_publication, now):
    """Store what `diff` found: revisions (SEQUENCE only ever rises, with `F() + 1`) and the
    change log's rows."""
    withdrawn = [revisions[uuid.UUID(r.snapshot["uid"])] for r in changes.withdrawn]
    EventRevision.objects.filter(pk__in=[r.pk for r in withdrawn]).update(
        withdrawn_at=now, modified_at=now, sequence=F("sequence") + 1
    )
    created, updated = [], []
    for event in changes.added + [event for _, event in changes.changed]:
        revision = revisions.get(event.uid)
        if revision is None:
            created.append(
                EventRevision(
                    uid=event.uid,
                    conference=conference,
                    content_hash=event.content_hash,
                    modified_at=event.changed_at,
                    snapshot=event.as_snapshot(),
                )
            )
            continue
        # The objects' own timestamps say when an edit happened; a change that leaves none
        # (an author removed) is dated now.
        revision.modified_at = event.changed_at if event.changed_at > revision.modified_at else now
        revision.sequence = F("sequence") + 1
        revision.content_hash = event.content_hash
        revision.snapshot = event.as_snapshot()
        revision.conference = conference
        revision.withdrawn_at = None
        updated.append(revision)
    if created:
        EventRevision.objects.bulk_create(created, ignore_conflicts=True)
    if updated:
        EventRevision.objects.bulk_update(
            updated,
            ["modified_at", "sequence", "content_hash", "snapshot", "conference", "withdrawn_at"],
        )
    if first_publication and created:
        ChangeLogEntry.objects.create(
            conference=conference,
            kind=ChangeLogEntry.Kind.PUBLISHED,
            text=f"{conference.program_title} published.",
            path=conference.get_absolute_url(),
            changed_at=now,
        )
        return
    ChangeLogEntry.objects.bulk_create(
        ChangeLogEntry(
            conference=conference,
            uid=snapshot["uid"],
            kind=kind,
            text=text[:1000],
            path=snapshot["path"],
            previous_start=previous_start,
            changed_at=now,
        )
        for kind, text, snapshot, previous_start in changes.log
    )


def bump_versions(conference_ids, now, *, site=True):
    """A new version for these conferences (and the site): cached responses keyed on the old
    ones are never served again."""
    scopes = {f"conference:{pk}": pk for pk in conference_ids}
    if site:
        scopes[ProgramVersion.SITE] = None
    if not scopes:
        return
    token = uuid.uuid4().hex
    ProgramVersion.objects.bulk_create(
        [
            ProgramVersion(scope=scope, conference_id=pk, number=0, token="", changed_at=now)
            for scope, pk in scopes.items()
        ],
        ignore_conflicts=True,
    )
    ProgramVersion.objects.filter(scope__in=scopes).update(
        number=F("number") + 1, token=token, changed_at=now
    )


# --- The change log -------------------------------------------------------------------------------


def local_time(tz, value):
    local = timezone.localtime(value, tz)
    return f"{local:%a %b} {local.day}, {local:%H:%M %Z}"


class ChangeLog:
    """Words one comparison's differences in attendees' words: (kind, text, snapshot, previous
    start) lines, each thing said once."""

    def __init__(self, events, tz):
        self.events, self.tz = events, tz
        self.lines = []

    def add(self, kind, text, snapshot, previous_start=None):
        self.lines.append((kind, text, snapshot, previous_start))

    def session_name(self, session_uid):
        session = self.events.get(uuid.UUID(session_uid))
        return session.summary if session else "another session"

    def added(self, event):
        snapshot = event.as_snapshot()
        if event.is_talk:
            text = f"Talk added: “{event.summary}”, in {self.session_name(event.session_uid)}."
        else:
            text = f"Session added: {event.summary}, {local_time(self.tz, event.start)}."
        self.add(ChangeLogEntry.Kind.ADDED, text, snapshot)

    def withdrawn(self, snapshot):
        kind = "Talk" if Event.from_snapshot(snapshot).is_talk else "Session"
        self.add(
            ChangeLogEntry.Kind.WITHDRAWN, f"{kind} withdrawn: “{snapshot['summary']}”.", snapshot
        )

    def changed(self, old, event):
        new = event.as_snapshot()
        if old["summary"] != new["summary"]:
            self.add(
                ChangeLogEntry.Kind.RETITLED,
                f"Retitled: “{old['summary']}” is now “{new['summary']}”.",
                new,
            )
        if event.is_talk and old["session_uid"] != new["session_uid"]:
            self.add(
                ChangeLogEntry.Kind.MOVED,
                f"“{event.summary}” moved to {self.session_name(event.session_uid)}.",
                new,
            )
        elif (old["start"], old["end"]) != (new["start"], new["end"]) and (
            not event.is_talk or event.listed or old["listed"]
        ):
            when = local_time(self.tz, event.start)
            name = f"“{event.summary}”" if event.is_talk else event.summary
            self.add(
                ChangeLogEntry.Kind.RESCHEDULED,
                f"{name} now starts {when}.",
                new,
                datetime.fromisoformat(old["start"]),
            )
        if event.is_talk and old["speakers"] != new["speakers"]:
            byline = event.description.split("\n\n")[0] if event.speakers else "no one"
            self.add(
                ChangeLogEntry.Kind.SPEAKERS,
                f"Speakers of “{event.summary}” changed: now {byline}.",
                new,
            )


def grace_expiry(now, grace_days):
    """When the earliest cancelled event still in the feeds leaves them (None if none is)."""
    grace = timedelta(days=grace_days)
    first = (
        EventRevision.objects.filter(withdrawn_at__gte=now - grace)
        .order_by("withdrawn_at")
        .values_list("withdrawn_at", flat=True)
        .first()
    )
    return first and first + grace


class RecordChangesMiddleware:
    """Every request that may write (anything but GET, HEAD, OPTIONS) runs inside `deferred()`:
    an admin save with its inlines, an action or a merge is recorded once, in its transaction.
    GET and HEAD run as they are, and never write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        with deferred():
            return self.get_response(request)
