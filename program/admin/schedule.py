"""The committee's admin of conferences, days, sessions and talks.

Times are shown and entered in the conference's own zone (each change page runs inside
`timezone.override`), drafts can be previewed on the site, clashes are warnings rather than
errors, and every changelist runs a fixed number of queries whatever the size of the program.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Max, OuterRef
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from program import admin_views
from program.admin.common import (
    URL_FIELDS,
    ChoiceListFilter,
    ConcurrentEditMixin,
    FilledInFilter,
    PublicLinkMixin,
    PublishActionsMixin,
    changelist_link,
    count_of,
    log_published,
    subquery_count,
)
from program.admin.people import send_links_and_tell
from program.admin.talk_times import ProposeTalkTimesMixin
from program.forms import SessionAdminForm, TalkAdminForm
from program.models import Conference, Day, Session, Talk
from program.readiness import session_warnings, with_clash_flags
from speakers.models import Authorship, Speaker, authorships_prefetch


class ConferenceTimeZoneMixin:
    """Show and read the change page's times in the conference's zone, and say so beside them.

    The page, its inlines included, is rendered inside `timezone.override(conference.tz)`:
    Django's datetime fields convert to and from the current zone."""

    time_fields = ("start", "end")
    conference_path = "conference"  # from the model to its conference

    def conference_for(self, request, obj):
        """The conference of `obj`, or for a new object the one its form names."""
        raise NotImplementedError

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.conference_path)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        lookup = self.model.objects.select_related(self.conference_path)
        obj = object_or_none(lookup, unquote(object_id)) if object_id else None
        conference = self.conference_for(request, obj)
        extra_context = {**(extra_context or {}), "program_conference": conference}
        tz = conference.tz if conference else timezone.get_current_timezone()
        with timezone.override(tz):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        note = zone_note(self.conference_for(request, obj))
        for name in self.time_fields:
            if name in form.base_fields:
                field = form.base_fields[name]
                field.help_text = " ".join(filter(None, [field.help_text, note]))
        return form


def zone_note(conference):
    if conference is not None:
        return (
            f"Local time of {conference}: {conference.time_zone}. Times here are in the "
            "conference's zone, whatever your device's zone."
        )
    zones = ", ".join(f"{c.name}: {c.time_zone}" for c in Conference.objects.all())
    return f"In the chosen conference's own time zone ({zones})." if zones else ""


def object_or_none(queryset, pk):
    try:
        return queryset.get(pk=pk) if pk else None
    except (ObjectDoesNotExist, ValueError, TypeError):
        return None


# --- Conference ---------------------------------------------------------------------------------


def sessions_per_day():
    """The number of sessions of each day, as an annotation."""
    return subquery_count(Session.objects.filter(day=OuterRef("pk")))


class DayInline(admin.TabularInline):
    model = Day
    extra = 0
    fields = ["date", "session_count"]
    readonly_fields = ["session_count"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_sessions=sessions_per_day())

    @admin.display(description="sessions")
    def session_count(self, obj):
        return getattr(obj, "n_sessions", 0)


@admin.register(Conference)
class ConferenceAdmin(ConcurrentEditMixin, PublishActionsMixin, PublicLinkMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "time_zone",
        "is_published",
        "day_count",
        "session_count",
        "talk_count",
        "readiness_link",
        "public_link",
    ]
    list_filter = ["is_published"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = URL_FIELDS
    fields = [
        "name",
        "slug",
        "time_zone",
        "time_zone_note",
        "intro",
        "chat_url",
        "guide_url",
        "default_location_name",
        "default_location_url",
        "organizer_name",
        "organizer_url",
        "attendance_mode",
        "image",
        "is_published",
    ]
    inlines = [DayInline]
    actions = ["publish_with_program", "publish", "unpublish", "send_speaker_links"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_days=subquery_count(Day.objects.filter(conference=OuterRef("pk"))),
                n_sessions=subquery_count(Session.objects.filter(conference=OuterRef("pk"))),
                n_talks=subquery_count(Talk.objects.filter(session__conference=OuterRef("pk"))),
            )
        )

    @admin.display(description="days", ordering="n_days")
    def day_count(self, obj):
        return obj.n_days

    @admin.display(description="sessions", ordering="n_sessions")
    def session_count(self, obj):
        return changelist_link(Session, "conference__id__exact", obj.pk, obj.n_sessions)

    @admin.display(description="talks", ordering="n_talks")
    def talk_count(self, obj):
        return changelist_link(Talk, "session__conference", obj.pk, obj.n_talks)

    @admin.display(description="readiness")
    def readiness_link(self, obj):
        url = reverse("admin:program_conference_readiness", args=[obj.pk])
        return format_html('<a href="{}">Report</a>', url)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "import/",
                wrap(lambda request: admin_views.import_program(self, request)),
                name="program_conference_import",
            ),
            path(
                "<path:object_id>/readiness/",
                wrap(lambda request, object_id: admin_views.readiness(self, request, object_id)),
                name="program_conference_readiness",
            ),
            *super().get_urls(),
        ]

    def publish_program(self, request, conferences):
        """Publish the conferences and all their sessions and talks, recording each change in
        its history; returns "1 conference, 8 sessions, 25 talks": what were drafts."""
        changed = Conference.objects.filter(pk__in=[c.pk for c in conferences])
        changed = changed.publish_with_program()
        for objects in changed.values():
            log_published(request, objects)
        return ", ".join(
            count_of(len(changed[model._meta.verbose_name_plural]), model)
            for model in (Conference, Session, Talk)
        )

    @admin.action(
        description="E-mail every speaker of the selected conferences a link to their own page",
        permissions=["send_speaker_links"],
    )
    def send_speaker_links(self, request, queryset):
        speakers = Speaker.objects.filter(
            pk__in=Authorship.objects.filter(talk__session__conference__in=queryset).values(
                "speaker"
            )
        )
        send_links_and_tell(self, request, speakers)

    def has_send_speaker_links_permission(self, request):
        return request.user.has_perm("speakers.change_speaker")

    @admin.action(
        description="Publish selected conferences with all their sessions and talks",
        permissions=["change"],
    )
    def publish_with_program(self, request, queryset):
        counts = self.publish_program(request, list(queryset))
        self.message_user(
            request,
            f"Published {counts}.",
        )


@admin.register(Day)
class DayAdmin(PublicLinkMixin, admin.ModelAdmin):
    list_display = ["date", "weekday", "conference", "session_count", "public_link"]
    list_select_related = ["conference"]
    list_filter = ["conference"]
    search_fields = ["conference__name", "date"]
    date_hierarchy = "date"
    ordering = ["conference__name", "date"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_sessions=sessions_per_day())

    @admin.display(description="weekday")
    def weekday(self, obj):
        return f"{obj.date:%A}"

    @admin.display(description="sessions", ordering="n_sessions")
    def session_count(self, obj):
        return obj.n_sessions


# --- Session ------------------------------------------------------------------------------------


class SortableInlineMixin:
    """Inline rows are dragged into order (templates/admin/program/change_form.html renumbers
    their order field); the number stays editable for keyboards and scripts."""

    classes = ["sortable-inline"]


BYLINE_NAMES_SHOWN = 3  # in the talk lists' Authors column


class ShortBylineMixin:
    """The talk lists' Authors column (the session's inline and the talk list)."""

    @admin.display(description="authors")
    def authors(self, obj):
        """The first names of the byline, short enough for one or two lines; the whole byline,
        with organisations, in the tooltip."""
        names = [authorship.printed_name for authorship in obj.authorships.all()]
        shown = ", ".join(names[:BYLINE_NAMES_SHOWN])
        if len(names) > BYLINE_NAMES_SHOWN:
            shown += f" and {len(names) - BYLINE_NAMES_SHOWN} more"
        return format_html('<span title="{}">{}</span>', obj.author_line, shown)


class TalkInline(ShortBylineMixin, SortableInlineMixin, admin.TabularInline):
    model = Talk
    form = TalkAdminForm
    formfield_overrides = URL_FIELDS
    extra = 0
    fields = ["order", "title", "slug", "authors", "start", "end", "is_published"]
    readonly_fields = ["authors"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True
    ordering = ["order", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(authorships_prefetch())


class ClashFilter(ChoiceListFilter):
    title = "clashes"
    parameter_name = "clash"

    def lookups(self, request, model_admin):
        return [
            ("overlap", "Same room at the same time"),
            ("speaker", "A speaker is double-booked"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overlap":
            return queryset.filter(overlaps=True)
        if self.value() == "speaker":
            return queryset.filter(double_booked=True)
        return queryset


class MissingSlackFilter(FilledInFilter):
    title = "Slack link"
    parameter_name = "slack"
    field = "slack_url"
    labels = ("Has one", "Missing")


@admin.register(Session)
class SessionAdmin(
    ConferenceTimeZoneMixin,  # first: it changes the form that ConcurrentEditMixin makes
    ConcurrentEditMixin,
    ProposeTalkTimesMixin,
    PublishActionsMixin,
    PublicLinkMixin,
    admin.ModelAdmin,
):
    form = SessionAdminForm
    formfield_overrides = URL_FIELDS
    list_display = [
        "number",
        "title",
        "conference",
        "local_time",
        "talk_count",
        "slack_url",
        "clashes",
        "is_published",
        "public_link",
    ]
    list_display_links = ["number", "title"]
    # The readiness report's missing Slack links are filled here, one screen for all of them.
    list_editable = ["slack_url"]
    list_select_related = ["conference", "day"]
    list_filter = ["conference", "is_published", MissingSlackFilter, ClashFilter]
    search_fields = ["title", "description", "talks__title"]
    ordering = ["conference__name", "start", "order", "number"]
    fieldsets = [
        (None, {"fields": ["conference", "day", "number", "title", "start", "end"]}),
        (None, {"fields": ["description", "slack_url", "slack_label"]}),
        (None, {"fields": ["location_name", "location_url"]}),
        (None, {"fields": ["order", "is_published", "uid"]}),
    ]
    readonly_fields = ["uid"]
    inlines = [TalkInline]
    actions = [*PublishActionsMixin.actions, "propose_talk_times"]

    def conference_for(self, request, obj):
        if obj is not None:
            return obj.conference
        pk = request.POST.get("conference") or request.GET.get("conference")
        return object_or_none(Conference.objects.all(), pk)

    def get_queryset(self, request):
        return with_clash_flags(super().get_queryset(request)).annotate(
            n_talks=subquery_count(Talk.objects.filter(session=OuterRef("pk")))
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        conference = self.conference_for(request, obj)
        days = form.base_fields["day"].queryset.select_related("conference")
        if conference is not None:
            days = days.filter(conference=conference)
        form.base_fields["day"].queryset = days
        return form

    @admin.display(description="time", ordering="start")
    def local_time(self, obj):
        start = timezone.localtime(obj.start, obj.conference.tz)
        hours = obj.conference.local_hours(obj.start, obj.end, zone_abbreviation=True)
        return f"{start:%a %d %b}, {hours}"

    @admin.display(description="talks", ordering="n_talks")
    def talk_count(self, obj):
        return obj.n_talks

    @admin.display(description="clashes")
    def clashes(self, obj):
        found = []
        if obj.overlaps:
            found.append("room clash")
        if obj.double_booked:
            found.append("speaker double-booked")
        return format_html_join(", ", '<span class="clash">⚠ {}</span>', ((f,) for f in found))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for warning in session_warnings(form.instance):
            self.message_user(request, warning, messages.WARNING)


# --- Talk ---------------------------------------------------------------------------------------


class AuthorshipInline(SortableInlineMixin, admin.TabularInline):
    model = Authorship
    extra = 0
    fields = ["position", "speaker", "credited_name", "affiliation"]
    autocomplete_fields = ["speaker", "affiliation"]
    ordering = ["position", "pk"]
    verbose_name = "author"
    verbose_name_plural = "authors, in byline order"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("talk", "speaker", "affiliation")


class MissingFilter(ChoiceListFilter):
    title = "missing"
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [("abstract", "Abstract"), ("media", "Media link"), ("authors", "Authors")]

    def queryset(self, request, queryset):
        if self.value() == "abstract":
            return queryset.filter(abstract="")
        if self.value() == "media":
            return queryset.filter(media_url="")
        if self.value() == "authors":
            return queryset.filter(authorships__isnull=True)
        return queryset


@admin.register(Talk)
class TalkAdmin(
    ConferenceTimeZoneMixin,  # first: it changes the form that ConcurrentEditMixin makes
    ConcurrentEditMixin,
    ShortBylineMixin,
    PublishActionsMixin,
    PublicLinkMixin,
    admin.ModelAdmin,
):
    form = TalkAdminForm
    formfield_overrides = URL_FIELDS
    list_display = [
        "title",
        "session_link",
        "authors",
        "has_abstract",
        "media_url",
        "is_published",
        "public_link",
    ]
    # The readiness report's missing media links are filled here, one screen for all of them;
    # the order within a session is set on the session's page, by dragging.
    list_editable = ["media_url"]
    list_select_related = ["session__conference"]
    list_filter = ["session__conference", "is_published", MissingFilter, "has_media"]
    search_fields = [
        "title",
        "slug",
        "authorships__speaker__name",
        "authorships__credited_name",
        "authorships__affiliation__name",
    ]
    ordering = ["session__conference__name", "session__start", "session__number", "order"]
    fieldsets = [
        (None, {"fields": ["session", "order", "title", "slug", "start", "end"]}),
        (None, {"fields": ["abstract", "has_media", "media_url"]}),
        (None, {"fields": ["is_published", "uid"]}),
    ]
    readonly_fields = ["uid"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [AuthorshipInline]

    conference_path = "session__conference"

    def conference_for(self, request, obj):
        if obj is not None:
            return obj.session.conference
        pk = request.POST.get("session") or request.GET.get("session")
        session = object_or_none(Session.objects.select_related("conference"), pk)
        return session.conference if session else None

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(authorships_prefetch())

    @admin.display(description="session", ordering="session__start")
    def session_link(self, obj):
        url = reverse("admin:program_session_change", args=[obj.session_id])
        return format_html(
            '<a href="{}">{} · Session {}</a>', url, obj.session.conference, obj.session.number
        )

    @admin.display(description="abstract", boolean=True)
    def has_abstract(self, obj):
        return bool(obj.abstract.strip())

    def save_formset(self, request, form, formset, change):
        if formset.model is not Authorship:
            return super().save_formset(request, form, formset, change)
        # Reordering swaps positions, which are unique per talk: park the moved rows on free
        # positions first, so no intermediate state breaks the constraint.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        moved = [obj for obj, fields in formset.changed_objects if "position" in fields]
        if moved:
            talk = formset.instance
            top = max(
                talk.authorships.aggregate(top=Max("position"))["top"] or 0,
                *(obj.position for obj in instances),
            )
            for offset, obj in enumerate(moved, start=1):
                Authorship.objects.filter(pk=obj.pk).update(position=top + offset)
        for obj in instances:
            obj.save()
        formset.save_m2m()
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        talk = form.instance
        speakers = set(talk.authorships.values_list("speaker", flat=True))
        for warning in session_warnings(talk.session, speaker_ids=speakers, overlaps=False):
            self.message_user(request, warning, messages.WARNING)
