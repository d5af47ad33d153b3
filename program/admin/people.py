"""The committee's admin of speakers, affiliations and authorships, with the merge actions.

Merging runs in one transaction after a confirmation page that lists everything that moves.
The kept record's history records the merge, including any bio or name that the merge drops.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, F, OuterRef
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from program.admin.common import (
    ChoiceListFilter,
    ConcurrentEditMixin,
    FilledInFilter,
    PublicLinkMixin,
    changelist_link,
    log_changes,
    subquery_count,
)
from program.models import Conference, Talk
from speakers.merging import AffiliationMerge, SpeakerMerge
from speakers.models import Affiliation, Authorship, Speaker, duplicate_affiliation_groups

# --- Merging ---------------------------------------------------------------------------------


def merge_action(model_admin, request, queryset, merge_class, template):
    """The confirmation page of a merge action, and the merge once confirmed."""
    opts = model_admin.model._meta
    candidates = list(model_admin.annotate_usage(queryset))
    if len(candidates) < 2:
        model_admin.message_user(
            request, f"Select at least two {opts.verbose_name_plural} to merge.", messages.WARNING
        )
        return None
    by_pk = {str(obj.pk): obj for obj in candidates}
    default = max(candidates, key=lambda obj: (obj.usage, -len(obj.name), -obj.pk))
    target = by_pk.get(request.POST.get("target"), default)
    plan = merge_class.plan(target, [obj for obj in candidates if obj is not target])
    confirmed = request.POST.get("post") == "yes"
    if confirmed and request.POST.get("previewed") == str(target.pk):
        talks = plan.talks_changed
        model_admin.log_deletions(request, plan.sources)
        plan.apply()
        model_admin.log_change(request, target, plan.summary())
        log_changes(request, talks, f"Byline: {plan.summary()}")
        merged = opts.verbose_name_plural if len(plan.sources) > 1 else opts.verbose_name
        model_admin.message_user(
            request, f"Merged {len(plan.sources)} {merged} into “{target}”.", messages.SUCCESS
        )
        return None
    if confirmed:
        model_admin.message_user(
            request,
            f"You chose to keep “{target}”: check what that merge does, then confirm.",
            messages.WARNING,
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Merge {opts.verbose_name_plural}",
        "subtitle": None,
        "opts": opts,
        "candidates": candidates,
        "target": target,
        "plan": plan,
        "queryset": queryset,
        "action_name": request.POST.get("action"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, template, context)


# --- Admins -----------------------------------------------------------------------------------


class MergeableMixin:
    """A list of records the committee can merge: the usage that picks the record kept by
    default (`annotate_usage`), the names merged into each one (imports and old public URLs
    follow them here), and the merge action with its confirmation page."""

    merge_class = None  # SpeakerMerge or AffiliationMerge
    merge_template = ""

    def get_queryset(self, request):
        return self.annotate_usage(super().get_queryset(request))

    @admin.display(description="merged names")
    def merged_names(self, obj):
        return ", ".join(alias.name for alias in obj.aliases.all()) or "—"

    @admin.action(
        description="Merge selected %(verbose_name_plural)s…", permissions=["change", "delete"]
    )
    def merge(self, request, queryset):
        return merge_action(self, request, queryset, self.merge_class, self.merge_template)


class LooksDuplicateFilter(ChoiceListFilter):
    title = "looks like a duplicate"
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", "Yes (same name but for case, punctuation or “Inc.”)")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        groups = duplicate_affiliation_groups(Affiliation.objects.only("pk", "name"))
        return queryset.filter(pk__in=[a.pk for group in groups for a in group])


@admin.register(Affiliation)
class AffiliationAdmin(MergeableMixin, PublicLinkMixin, admin.ModelAdmin):
    list_display = ["name", "speaker_count", "talk_count", "slug", "public_link"]
    search_fields = ["name", "slug", "aliases__name"]
    list_filter = [LooksDuplicateFilter]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge"]
    merge_class = AffiliationMerge
    merge_template = "admin/speakers/merge_affiliations.html"
    readonly_fields = ["speaker_count", "talk_count", "merged_names"]
    fields = ["name", "slug", "speaker_count", "talk_count", "merged_names"]

    @staticmethod
    def annotate_usage(queryset):
        return queryset.annotate(
            n_speakers=subquery_count(Speaker.objects.filter(affiliation=OuterRef("pk"))),
            n_talks=subquery_count(Authorship.objects.filter(affiliation=OuterRef("pk")), "talk"),
        ).annotate(usage=F("n_speakers") + F("n_talks"))

    def public_objects(self):
        return Affiliation.objects.public(Talk.objects.published())

    @admin.display(description="speakers", ordering="n_speakers")
    def speaker_count(self, obj):
        return changelist_link(Speaker, "affiliation__id__exact", obj.pk, obj.n_speakers)

    @admin.display(description="talks", ordering="n_talks")
    def talk_count(self, obj):
        return changelist_link(Authorship, "affiliation__id__exact", obj.pk, obj.n_talks)


class HasBioFilter(FilledInFilter):
    title = "bio"
    parameter_name = "bio"
    field = "bio"
    labels = ("Has a bio", "No bio")


class ConferenceOfSpeakerFilter(ChoiceListFilter):
    title = "conference"
    parameter_name = "conference"

    def lookups(self, request, model_admin):
        return [(c.pk, c.name) for c in Conference.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                pk__in=Authorship.objects.filter(talk__session__conference=self.value()).values(
                    "speaker"
                )
            )
        return queryset


class SpeakerAuthorshipInline(admin.TabularInline):
    """The talks of a speaker, read-only here: bylines are edited on the talk's page."""

    model = Authorship
    fields = ["talk_link", "conference", "position", "credited_name", "affiliation"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = "talk"
    verbose_name_plural = "talks (edit bylines on the talk's page)"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("talk__session__conference", "affiliation")
            .order_by("talk__session__start", "talk__order")
        )

    @admin.display(description="talk")
    def talk_link(self, obj):
        url = reverse("admin:program_talk_change", args=[obj.talk_id])
        return format_html('<a href="{}">{}</a>', url, obj.talk)

    @admin.display(description="conference")
    def conference(self, obj):
        return obj.talk.session.conference


@admin.register(Speaker)
class SpeakerAdmin(ConcurrentEditMixin, MergeableMixin, PublicLinkMixin, admin.ModelAdmin):
    list_display = ["name", "affiliation", "talk_count", "has_bio", "public_link"]
    list_select_related = ["affiliation"]
    search_fields = [
        "name",
        "slug",
        "affiliation__name",
        "authorships__credited_name",
        "aliases__name",
    ]
    list_filter = [ConferenceOfSpeakerFilter, HasBioFilter, "affiliation"]
    ordering = ["name", "pk"]
    autocomplete_fields = ["affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "affiliation", "bio", "merged_names"]
    readonly_fields = ["merged_names"]
    inlines = [SpeakerAuthorshipInline]
    actions = ["merge"]
    merge_class = SpeakerMerge
    merge_template = "admin/speakers/merge_speakers.html"

    @staticmethod
    def annotate_usage(queryset):
        return queryset.annotate(usage=Count("authorships", distinct=True))

    def public_objects(self):
        return Speaker.objects.presenting(Talk.objects.published())

    @admin.display(description="talks", ordering="usage")
    def talk_count(self, obj):
        return obj.usage

    @admin.display(description="bio", boolean=True)
    def has_bio(self, obj):
        return bool(obj.bio.strip())


@admin.register(Authorship)
class AuthorshipAdmin(admin.ModelAdmin):
    """Every byline entry; usually edited inline on the talk."""

    list_display = ["printed_name", "talk", "conference", "position", "speaker", "affiliation"]
    list_select_related = ["speaker", "affiliation", "talk__session__conference"]
    search_fields = ["credited_name", "speaker__name", "talk__title", "affiliation__name"]
    list_filter = [("talk__session__conference", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["talk", "speaker", "affiliation"]
    ordering = ["talk__title", "position"]

    @admin.display(description="printed name", ordering="credited_name")
    def printed_name(self, obj):
        return obj.printed_name

    @admin.display(description="conference", ordering="talk__session__conference__name")
    def conference(self, obj):
        return obj.talk.session.conference
