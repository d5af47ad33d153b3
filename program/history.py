"""The bookkeeping's tables: what calendar subscribers were sent (EventRevision), the versions
public responses are cached under (ProgramVersion) and the public change log (ChangeLogEntry).

Only program/revisions.py writes them, on the write path; feeds, the cache and the Changes page
read them. They are models of the `program` app, registered through program/models.py.
"""

from django.db import models
from django.db.models import Max, Q

from ops import requestid
from program.links import path_to


class EventRevisionQuerySet(models.QuerySet):
    def withdrawn_since(self, cutoff):
        """Withdrawn events still inside their grace period (feeds send them as CANCELLED)."""
        return self.filter(withdrawn_at__gte=cutoff)

    def last_change(self, cutoff, grace):
        """When these events last changed for subscribers: the latest revision, or the moment a
        withdrawn event left the feeds at the end of its grace period. Rows are never deleted
        (but with their conference), so this never moves backwards."""
        latest = self.aggregate(
            revised=Max("modified_at"),
            expired=Max("withdrawn_at", filter=Q(withdrawn_at__lt=cutoff)),
        )
        times = [latest["revised"], latest["expired"] and latest["expired"] + grace]
        return max((time for time in times if time), default=None)


class EventRevision(models.Model):
    """What calendar subscribers were last sent for one session or talk, keyed by its UID.

    A hash of the event's visible content, its SEQUENCE and when it last changed: feeds stay
    byte-identical until something a subscriber sees changes, and then SEQUENCE goes up. A
    withdrawn (unpublished or deleted) event is sent once more as CANCELLED, rendered from
    `snapshot`, for `CALENDAR_WITHDRAWN_GRACE_DAYS` (a setting). Rows are kept
    afterwards, so a feed's Last-Modified never moves backwards."""

    uid = models.UUIDField("calendar UID", unique=True)
    conference = models.ForeignKey(
        "program.Conference", on_delete=models.CASCADE, related_name="event_revisions"
    )
    content_hash = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField(default=0)
    modified_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(help_text="The event as last sent, to send it as cancelled.")

    objects = EventRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["conference", "uid"]

    def __str__(self):
        return f"{self.snapshot.get('summary', self.uid)} (sequence {self.sequence})"


class ProgramVersion(models.Model):
    """What public responses are cached under: one row for the whole site and one per
    conference. Every visible change gives the rows it touches a new `token` (random, so a key
    never repeats, not even after a database is restored) and a higher `number`."""

    SITE = "site"

    scope = models.CharField(max_length=40, unique=True)
    conference = models.OneToOneField(
        "program.Conference",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="version",
    )
    number = models.PositiveBigIntegerField(default=0)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["scope"]

    def __str__(self):
        return f"{self.scope} version {self.number}"


class ChangeLogEntryQuerySet(models.QuerySet):
    def rescheduled(self, uids):
        """{uid: previous start} for the UIDs among `uids` whose times the change log says
        changed, in one query: the start before the latest change (None when the entry predates
        the column that keeps it)."""
        rows = (
            self.filter(uid__in=uids, kind=ChangeLogEntry.Kind.RESCHEDULED)
            .order_by("changed_at", "pk")
            .values_list("uid", "previous_start")
        )
        return dict(rows)


class ChangeLogEntry(models.Model):
    """One change attendees can see, for a conference's public "Changes" page and Atom feed."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Program published"
        ADDED = "added", "Added"
        WITHDRAWN = "withdrawn", "Withdrawn"
        MOVED = "moved", "Moved"
        RESCHEDULED = "rescheduled", "Time changed"
        RETITLED = "retitled", "Retitled"
        SPEAKERS = "speakers", "Speakers changed"

    conference = models.ForeignKey(
        "program.Conference", on_delete=models.CASCADE, related_name="change_log"
    )
    uid = models.UUIDField("calendar UID", null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=1000)
    path = models.CharField(max_length=500, blank=True)
    previous_start = models.DateTimeField(
        null=True, blank=True, help_text="For a time change: when the event started before it."
    )
    changed_at = models.DateTimeField(db_index=True)
    # The request that made the change (its X-Request-ID), to find its log lines. Added without
    # downtime (docs/operators/deployment.md, "Zero-downtime migrations"): the database default
    # lets servers still running the previous code insert rows that do not name the column.
    request_id = models.CharField(
        max_length=128, blank=True, default=requestid.current_id, db_default=""
    )

    objects = ChangeLogEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name_plural = "change log entries"

    def __str__(self):
        return self.text

    @property
    def public_path(self):
        """Where the entry links: its object's page, but for a withdrawal (whose page is gone)
        the Changes page itself, at this entry."""
        if self.kind == self.Kind.WITHDRAWN or not self.path:
            return f"{path_to('program:changes', slug=self.conference.slug)}#change-{self.pk}"
        return self.path
