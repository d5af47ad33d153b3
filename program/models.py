"""The program of a conference: its days, sessions and talks.

Times are stored as aware datetimes (UTC in the database), so an instant is exact across DST
changes; each conference carries the IANA zone its program is printed in, and conversion to that
zone happens only at the edges (forms, templates, exports).
"""

import io
import uuid
import zoneinfo
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Case, F, Prefetch, Q, When
from django.db.models.query import ModelIterable
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from PIL import Image, ImageOps

# The bookkeeping's models live beside their docs; importing them here registers them.
from program.history import ChangeLogEntry, EventRevision, ProgramVersion  # noqa: F401
from program.links import path_to
from program.picks import CreationCount, PickList  # noqa: F401 -- defined beside its logic, registered here
from program.validators import validate_conference_slug, validate_time_zone
from speakers.bylines import format_author_line
from speakers.models import Authorship, TimestampedModel, authorships_prefetch
from speakers.text import NormalisedTextMixin, validate_web_url

SHARE_IMAGE_SIZE = (1200, 630)  # what Open Graph and Twitter's large card show uncropped


def share_image_file(image, slug):
    """A 1200 x 630 JPEG cut from the centre of `image` (an uploaded file), for og:image."""
    with Image.open(image) as source:
        picture = ImageOps.exif_transpose(source).convert("RGB")
    picture = ImageOps.fit(picture, SHARE_IMAGE_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85, optimize=True)
    image.seek(0)
    width, height = SHARE_IMAGE_SIZE
    return ContentFile(buffer.getvalue(), name=f"{slug}-{width}x{height}.jpg")


class ProgramItem(TimestampedModel):
    """What sessions and talks share: a draft/published flag, and the UID that calendar apps
    know them by for ever, whatever else changes (see program/ical.py)."""

    is_published = models.BooleanField(
        "published", default=False, help_text="Drafts are visible to staff only."
    )
    uid = models.UUIDField(
        "calendar UID",
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Identifies it to calendar apps for ever, whatever else changes.",
    )

    class Meta:
        abstract = True


# Sent by this project's own bulk writes (`QuerySet.update`), for which Django sends no
# post_save: `objects` are the rows that changed. program/revisions.py records them as it
# records saves.
bulk_changed = Signal()


class PublishableQuerySet(models.QuerySet):
    """What every publishable model's QuerySet shares. Each subclass's `published_q` is the one
    place that says what "published" means for its model, composed through its relations; the
    rest of the site asks `published()`, `visible()` or `drafts()`, never the flag itself."""

    @classmethod
    def published_q(cls, prefix=""):
        """A Q for rows whose public visibility holds, on the model reached by `prefix`."""
        raise NotImplementedError

    def published(self):
        return self.filter(self.published_q())

    def visible(self, include_drafts):
        """Everything for a staff preview (`include_drafts`), else what the public sees."""
        return self if include_drafts else self.published()

    def drafts(self):
        """Rows whose own flag is off (what a publish action would change)."""
        return self.filter(is_published=False)

    def marked_published(self):
        """Rows whose own flag is on (what an unpublish action would change)."""
        return self.filter(is_published=True)

    def set_published(self, value):
        """Turn the own flag of these rows on (`value`) or off, in one UPDATE; returns the rows
        that changed, for the admin's history. The one home for bulk (un)publishing."""
        changing = self.marked_published() if not value else self.drafts()
        changed = list(changing)
        self.model.objects.filter(pk__in=[obj.pk for obj in changed]).update(
            is_published=value, updated_at=timezone.now()
        )
        bulk_changed.send(sender=self.model, objects=changed)
        return changed


class ConferenceQuerySet(PublishableQuerySet):
    @classmethod
    def published_q(cls, prefix=""):
        return Q(**{f"{prefix}is_published": True})

    def with_program(self, *, include_drafts=False):
        """Prefetch days → sessions → talks → authors, in program order, in a fixed number of
        queries. Draft sessions and talks are left out unless `include_drafts` (staff preview)."""
        return self.prefetch_related(
            "days",
            Prefetch("days__sessions", queryset=Session.objects.visible(include_drafts)),
            Prefetch(
                "days__sessions__talks",
                queryset=Talk.objects.visible(include_drafts).with_bylines(),
            ),
        )

    def publish_with_program(self):
        """Publish these conferences and every session and talk in them, in one transaction;
        returns {verbose name plural: [objects that were drafts]}."""
        conferences = list(self)
        changed = {}
        with transaction.atomic():
            for queryset in [
                Conference.objects.filter(pk__in=[c.pk for c in conferences]),
                Session.objects.filter(conference__in=conferences),
                Talk.objects.filter(session__conference__in=conferences),
            ]:
                changed[queryset.model._meta.verbose_name_plural] = queryset.set_published(True)
        return changed


class AttendanceMode(models.TextChoices):
    """schema.org's EventAttendanceModeEnumeration, in the committee's words."""

    ONLINE = "online", "Online"
    OFFLINE = "offline", "In person"
    MIXED = "mixed", "In person and online"


class Conference(NormalisedTextMixin, TimestampedModel):
    """One edition of a conference (OpML '20, OpML '21, …) and the program it publishes."""

    name = models.CharField(max_length=200, help_text="As printed, e.g. “OpML '20”.")
    slug = models.SlugField(
        unique=True,
        validators=[validate_conference_slug],
        help_text="Used in every URL of this conference, e.g. “opml20”.",
    )
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA zone the program is printed in, e.g. America/Los_Angeles.",
    )
    intro = models.TextField(
        blank=True,
        help_text="Shown above the program (Slack workspace invitation, attendee guide). "
        "Separate paragraphs with a blank line.",
    )
    chat_url = models.URLField(
        "chat workspace URL",
        blank=True,
        validators=[validate_web_url],
        help_text="Where attendees talk (e.g. the Slack workspace's sign-up page), linked "
        "under the program's title.",
    )
    guide_url = models.URLField(
        "attendee guide URL",
        blank=True,
        validators=[validate_web_url],
        help_text="The attendee guide, linked under the program's title.",
    )
    time_zone_note = models.TextField(
        blank=True,
        help_text="The program's note on its times, e.g. “All the times listed below are in "
        "Pacific Daylight Time (PDT).”",
    )
    is_published = models.BooleanField(
        "published", default=False, help_text="Drafts are visible to staff only."
    )
    published_name = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="The name as last published, kept by program/revisions.py: what the feeds of "
        "a conference taken back to draft still call it.",
    )
    # Location (frab exports): where sessions without their own location happen.
    default_location_name = models.CharField(
        "default location",
        max_length=200,
        blank=True,
        help_text="Where sessions happen unless they say otherwise: a room, or an online "
        "place. Schedule apps show it as the room.",
    )
    default_location_url = models.URLField(
        "default location URL", blank=True, validators=[validate_web_url]
    )
    # For search engines and shared links (schema.org Event, Open Graph).
    organizer_name = models.CharField(
        "organizer",
        max_length=200,
        blank=True,
        help_text="Who organises the conference, e.g. “USENIX”.",
    )
    organizer_url = models.URLField("organizer URL", blank=True, validators=[validate_web_url])
    attendance_mode = models.CharField(
        max_length=10,
        choices=AttendanceMode.choices,
        blank=True,
        help_text="How attendees take part. Leave blank if not decided.",
    )
    image = models.ImageField(
        upload_to="conferences/",
        blank=True,
        help_text="Shown when a page of the conference is shared, and to search engines. "
        "At least 1200 x 630 pixels; a 1200 x 630 copy is cut from its centre on save.",
    )
    share_image = models.ImageField(
        upload_to="conferences/share/",
        blank=True,
        editable=False,
        help_text="The 1200 x 630 copy of `image` that pages link to, made on save.",
    )

    objects = ConferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return path_to("program:conference_detail", slug=self.slug)

    def get_calendar_url(self):
        return reverse("feeds:conference", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        """Cut the shared-link copy of a new image here, on the write path, never on a GET."""
        if self.image and not self.image._committed:
            self.share_image = share_image_file(self.image, self.slug)
        elif not self.image:
            self.share_image = ""
        super().save(*args, **kwargs)

    @property
    def public_name(self):
        """The name the public may read: the current one while published; once taken back to
        draft (its feeds still send cancelled events), the name last published, so a draft's
        new name stays private."""
        return self.name if self.is_published else self.published_name or self.name

    @property
    def program_title(self):
        return f"{self.name} Conference Program"

    @property
    def public_program_title(self):
        """The program's title under `public_name`, for calendar subscribers."""
        return f"{self.public_name} Conference Program"

    @property
    def chat_label(self):
        """What the chat workspace link says: "Slack workspace" for Slack, else "Chat"."""
        host = urlsplit(self.chat_url).hostname or ""
        return "Slack workspace" if host.endswith("slack.com") else "Chat workspace"

    @cached_property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_hours(self, start, end, *, zone_abbreviation=False):
        """Two instants as this conference's clock shows them: "09:00–10:30 America/Los_Angeles"
        ("09:00–10:30 PDT" with `zone_abbreviation`). The one wording of local hours in the
        admin's errors, warnings and lists, so the committee reads every time the same way."""
        start, end = timezone.localtime(start, self.tz), timezone.localtime(end, self.tz)
        zone = f"{start:%Z}" if zone_abbreviation else self.time_zone
        return f"{start:%H:%M}–{end:%H:%M} {zone}"


class DayQuerySet(models.QuerySet):
    def published(self):
        return self.filter(ConferenceQuerySet.published_q("conference__"))


class Day(models.Model):
    """A date on which a conference holds sessions."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()

    objects = DayQuerySet.as_manager()

    class Meta:
        ordering = ["conference", "date"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "date"], name="unique_day_per_conference")
        ]

    def __str__(self):
        return f"{self.conference}, {self.date.isoformat()}"

    def get_absolute_url(self):
        return f"{self.conference.get_absolute_url()}#day-{self.date.isoformat()}"


class SessionQuerySet(PublishableQuerySet):
    @classmethod
    def published_q(cls, prefix=""):
        return Q(**{f"{prefix}is_published": True}) & ConferenceQuerySet.published_q(
            f"{prefix}conference__"
        )

    def overlapping(self, start, end):
        """Sessions whose times overlap [start, end): the rule of `Session.overlaps` in SQL.
        `start` and `end` may be instants or expressions (`OuterRef("start")`)."""
        return self.filter(Session.overlap_condition(start, end))

    def with_room(self):
        """Sessions annotated with `room_name`: `Session.room` in SQL."""
        return self.annotate(room_name=Session.room_expression())

    def with_talks(self, *, include_drafts=False):
        """Sessions with their conference, day, talks and the talks' authors prefetched."""
        return self.select_related("conference", "day").prefetch_related(
            Prefetch("talks", queryset=Talk.objects.visible(include_drafts)),
            authorships_prefetch("talks__"),
        )


class Session(NormalisedTextMixin, ProgramItem):
    """A block of the program on one day, with its talks and its own Slack channel."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="sessions")
    # RESTRICT: a day with sessions cannot be deleted on its own, only with its conference.
    day = models.ForeignKey(Day, on_delete=models.RESTRICT, related_name="sessions")
    number = models.PositiveSmallIntegerField(help_text="“Session 1” → 1.")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Separate paragraphs with a blank line.")
    start = models.DateTimeField()
    end = models.DateTimeField()
    slack_url = models.URLField("Slack channel URL", blank=True, validators=[validate_web_url])
    slack_label = models.CharField(
        "Slack invitation",
        max_length=300,
        blank=True,
        help_text="The sentence inviting attendees to the channel, as the program prints it. "
        "Leave blank for “Join the discussion on the Session N Slack channel.”",
    )
    order = models.PositiveIntegerField(default=0, help_text="Breaks ties between sessions.")
    # Location (frab exports): blank means the conference's default location.
    location_name = models.CharField(
        "location",
        max_length=200,
        blank=True,
        help_text="A room, or an online place. Leave blank for the conference's default.",
    )
    location_url = models.URLField("location URL", blank=True, validators=[validate_web_url])

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["start", "order", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "number"], name="unique_session_number_per_conference"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"Session {self.number}: {self.title}"

    def get_absolute_url(self):
        return path_to(
            "program:session_detail", conference_slug=self.conference.slug, number=self.number
        )

    def get_calendar_url(self):
        return reverse(
            "feeds:session",
            kwargs={"conference_slug": self.conference.slug, "number": self.number},
        )

    @property
    def slack_invitation(self):
        return (
            self.slack_label or f"Join the discussion on the Session {self.number} Slack channel."
        )

    @property
    def local_hours(self):
        """ "09:00–10:30 America/Los_Angeles", as errors and warnings name a session's hours."""
        return self.conference.local_hours(self.start, self.end)

    # Two sessions overlap when each starts before the other ends. Times are half-open
    # intervals [start, end): a session starting the minute another ends does not overlap it,
    # so back-to-back sessions are no clash. `overlaps` is the rule in Python,
    # `overlap_condition` the same rule in SQL; tests hold them to the same pairs.

    def overlaps(self, other):
        """Whether this session and `other` are on at the same time (see above)."""
        return self.start < other.end and other.start < self.end

    # Overlap is the design of parallel tracks: two sessions *clash* only when they overlap in
    # the same room (a speaker in both is the readiness report's other check). A session's room
    # is its location, else its conference's default location (a conference naming none has one,
    # unnamed). `clashes_with` is the rule in Python, `room_expression` the room in SQL.

    @property
    def room(self):
        return self.location_name or self.conference.default_location_name

    def clashes_with(self, other):
        """Whether this session and `other` overlap in the same room. (Called through the class:
        the admin's session list annotates its rows with an `overlaps` flag of the same name.)"""
        return Session.overlaps(self, other) and self.room == other.room

    @staticmethod
    def room_expression(prefix=""):
        return Case(
            When(
                **{f"{prefix}location_name": ""},
                then=F(f"{prefix}conference__default_location_name"),
            ),
            default=F(f"{prefix}location_name"),
        )

    @staticmethod
    def overlap_condition(start, end, prefix=""):
        """A Q for the sessions (reached through `prefix`, e.g. "talk__session__") that overlap
        [start, end), for querysets of other models; sessions themselves use `overlapping`."""
        return Q(**{f"{prefix}start__lt": end, f"{prefix}end__gt": start})

    def clean(self):
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "The session must end after it starts."
        if self.day_id and self.conference_id:
            if self.day.conference_id != self.conference_id:
                errors["day"] = "Choose a day of this session's conference."
            elif self.start and timezone.localtime(self.start, self.conference.tz).date() != (
                self.day.date
            ):
                errors["start"] = (
                    f"The session must start on its day, {self.day.date:%A, %B} "
                    f"{self.day.date.day} ({self.conference.time_zone})."
                )
        if errors:
            raise ValidationError(errors)


class TalkWithBylineIterable(ModelIterable):
    """Talks, each with its `byline` read in the same pass (see TalkQuerySet.with_bylines)."""

    def __iter__(self):
        talks = list(super().__iter__())
        bylines = Authorship.objects.bylines([talk.pk for talk in talks])
        for talk in talks:
            talk.byline = bylines.get(talk.pk, [])
        return iter(talks)


class TalkQuerySet(PublishableQuerySet):
    @classmethod
    def published_q(cls, prefix=""):
        return Q(**{f"{prefix}is_published": True}) & SessionQuerySet.published_q(
            f"{prefix}session__"
        )

    def with_speakers(self):
        """Talks with their session, day, conference and ordered authors, in fixed queries."""
        return self.select_related("session__conference", "session__day").prefetch_related(
            authorships_prefetch()
        )

    def with_bylines(self):
        """Talks with their `byline` (speakers.bylines.Author values) read in one more query:
        the whole program prints thousands of names, and reading authorships as model
        instances (with their speakers and organisations) was most of its cost."""
        clone = self._chain()
        clone._iterable_class = TalkWithBylineIterable
        return clone


class Talk(NormalisedTextMixin, ProgramItem):
    """A talk or paper presentation in a session, with its ordered authors."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="talks")
    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=120, unique=True)
    abstract = models.TextField(blank=True, help_text="Separate paragraphs with a blank line.")
    order = models.PositiveIntegerField(default=0, help_text="Position within the session.")
    start = models.DateTimeField(null=True, blank=True, help_text="Only if the talk has its own.")
    end = models.DateTimeField(null=True, blank=True)
    has_media = models.BooleanField(
        "media available", default=False, help_text="The program lists “Available Media”."
    )
    media_url = models.URLField("media URL", blank=True, validators=[validate_web_url])

    objects = TalkQuerySet.as_manager()

    class Meta:
        ordering = ["session", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, end__gt=F("start")),
                name="talk_times_both_or_neither_and_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return path_to(
            "program:talk_detail", conference_slug=self.session.conference.slug, slug=self.slug
        )

    def get_calendar_url(self):
        return reverse(
            "feeds:talk",
            kwargs={"conference_slug": self.session.conference.slug, "slug": self.slug},
        )

    @cached_property
    def byline(self):
        """The authors in byline order, as `speakers.bylines.Author`s: read in bulk with the
        talk by `Talk.objects.with_bylines()`, else made from its authorships (prefetch them
        with their speakers and affiliations)."""
        return [authorship.author for authorship in self.authorships.all()]

    @property
    def author_line(self):
        """The byline as the program prints it: "A and B, Org; C, Other Org"."""
        return format_author_line(self.authorships.all())

    def clean(self):
        """A talk's own times, if it has any, lie within its session. Each error names the
        field at fault (and the session's local hours), so the admin shows it on that field,
        on the talk's page and in its row on the session's page, without a rule of its own."""
        if (self.start is None) != (self.end is None):
            missing = "end" if self.end is None else "start"
            raise ValidationError({missing: "Give the talk both a start and an end, or neither."})
        if self.start is None:
            return
        if self.end <= self.start:
            raise ValidationError({"end": "The talk must end after it starts."})
        # The session as edited: in a row of a new session's page, that unsaved session with
        # the times just entered. Without one (or without its own valid times) there is no
        # bound to check yet, and the session's form reports what is missing.
        session = self.session if self.session_id or Talk.session.is_cached(self) else None
        if session is None or not (session.start and session.end and session.conference_id):
            return
        errors = {}
        if not session.start <= self.start <= session.end:
            errors["start"] = f"The talk must start within its session ({session.local_hours})."
        if not session.start <= self.end <= session.end:
            errors["end"] = f"The talk must end within its session ({session.local_hours})."
        if errors:
            raise ValidationError(errors)
