"""What the admins of the program and of its people share: subquery counts, the "on the site"
column, the publish actions, the history entries of bulk changes, and the refusal of a change
form saved over a newer save."""

from datetime import datetime

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

# Links are https unless typed otherwise (Django 6's default, without its deprecation warning),
# and only web links are accepted: Django's own check also lets ftp:// through.
WEB_URL = URLValidator(
    schemes=["http", "https"],
    message="Enter a web address starting with http:// or https://.",
    code="not_web_url",  # the form field would replace the message of the code "invalid"
)
URL_FIELDS = {models.URLField: {"assume_scheme": "https", "validators": [WEB_URL]}}


def subquery_count(queryset, field="pk"):
    """COUNT(DISTINCT field) of `queryset` (filtered on an OuterRef) as a scalar subquery, so
    that several counts on one changelist never multiply each other's rows."""
    count = Func(F(field), function="COUNT", template="%(function)s(DISTINCT %(expressions)s)")
    return Coalesce(
        Subquery(queryset.order_by().annotate(n=count).values("n")[:1]),
        0,
        output_field=IntegerField(),
    )


def changelist_link(model, lookup, value, text):
    """A link to `model`'s changelist filtered on `lookup`=`value`, reading `text` (a count)."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return format_html('<a href="{}?{}={}">{}</a>', url, lookup, value, text)


class ChoiceListFilter(admin.SimpleListFilter):
    """A list filter that accepts only the values it offers: anything else in the URL (say
    `?conference=abc`) is refused the way Django's own filters refuse it (the changelist
    redirects with `?e=1`), instead of reaching the database."""

    def value(self):
        value = super().value()
        if value is not None and value not in {str(key) for key, _ in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}={value!r} is not offered.")
        return value


class FilledInFilter(ChoiceListFilter):
    """ "Has one" / "Missing" for a text or URL `field` the committee fills in."""

    field = ""
    labels = ("Has one", "Missing")

    def lookups(self, request, model_admin):
        return list(zip(["yes", "no"], self.labels, strict=True))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(**{self.field: ""})
        if self.value() == "no":
            return queryset.filter(**{self.field: ""})
        return queryset


class PublicLinkMixin:
    """A changelist column linking to the object's public page, or to its staff preview while
    the public cannot see it yet (a draft, or inside one). Which objects the public sees is the
    models' querysets' to say: `public_objects()` asks them, in the changelist's one query."""

    def public_objects(self):
        return self.model.objects.published()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(public=Exists(self.public_objects().filter(pk=OuterRef("pk"))))
        )

    @admin.display(description="on the site")
    def public_link(self, obj):
        if obj.public:
            return format_html('<a href="{}" target="_blank">View</a>', obj.get_absolute_url())
        return format_html(
            '<a href="{}" target="_blank" title="Hidden from the public; staff can preview it">'
            "Draft · preview</a>",
            obj.get_absolute_url(),
        )


def count_of(n, model):
    """ "1 conference", "8 sessions": a count followed by the model's verbose name in the right
    number (names come from each model's Meta, never a hand-added "s")."""
    opts = model._meta
    return f"{n} {opts.verbose_name if n == 1 else opts.verbose_name_plural}"


def log_changes(request, objects, message):
    """One history entry per object, for changes made in bulk (actions, merges)."""
    if objects:
        LogEntry.objects.log_actions(
            user_id=request.user.pk, queryset=objects, action_flag=CHANGE, change_message=message
        )


def log_published(request, objects):
    log_changes(request, objects, [{"changed": {"fields": ["published"]}}])


class PublishActionsMixin:
    """ "Publish" and "Unpublish" actions that record each change in the objects' history; the
    change itself is the queryset's `set_published`."""

    actions = ["publish", "unpublish"]

    def set_published(self, request, queryset, value):
        changed = queryset.set_published(value)
        log_published(request, changed)
        return changed

    @admin.action(description="Publish selected %(verbose_name_plural)s", permissions=["change"])
    def publish(self, request, queryset):
        changed = self.set_published(request, queryset, True)
        self.message_user(request, f"Published {count_of(len(changed), self.model)}.")

    @admin.action(
        description="Unpublish selected %(verbose_name_plural)s (back to draft)",
        permissions=["change"],
    )
    def unpublish(self, request, queryset):
        changed = self.set_published(request, queryset, False)
        self.message_user(request, f"Unpublished {count_of(len(changed), self.model)}.")


# --- No lost updates: a change form saved over someone else's newer save is refused ----------

VERSION_INPUT = "_loaded_version"


class ConcurrentEditMixin:
    """Optimistic concurrency for a change form, on the object's `updated_at`.

    The form carries the `updated_at` it was opened with (a hidden input, written by
    templates/admin/includes/loaded_version.html). If the object was saved since, by another
    member, an action or the importer, saving is refused with a message saying who changed what
    and when, and which fields the save would change from what is saved now; the form comes back
    with the user's values and the new version, so saving again keeps them, knowingly."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["loaded_version"] = obj.updated_at.isoformat()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form

        class VersionCheckedForm(form):
            def clean(self):
                cleaned_data = super().clean()
                message = edit_conflict(self, self.data.get(VERSION_INPUT, ""))
                if message:
                    raise ValidationError(message, code="edit_conflict")
                return cleaned_data

        VersionCheckedForm.__name__ = form.__name__
        return VersionCheckedForm


def edit_conflict(form, loaded):
    """Why this save must not go through (the object changed since `loaded`), or None."""
    instance = form.instance
    if not loaded or instance.pk is None or instance.updated_at.isoformat() == loaded:
        return None
    try:
        loaded_at = datetime.fromisoformat(loaded)
    except ValueError:
        loaded_at = instance.updated_at
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        action_time__gt=loaded_at,
    ).select_related("user")
    changes = "; ".join(
        f"{entry.user} at {clock(entry.action_time)}: {entry.get_change_message()}"
        for entry in entries.order_by("action_time")
    )
    who = changes or f"saved at {clock(instance.updated_at)}"
    differences = ", ".join(
        f"{form.fields[name].label} (saved now: {shown(instance, name)})"
        for name in form.changed_data
        if name in form.fields
    )
    name = instance._meta.verbose_name
    message = f"This {name} was changed after you opened this form ({who})."
    if differences:
        message += f" Saving would change, from what is saved now: {differences}."
    return message + " Check the values below, then save again to keep yours."


def clock(moment):
    return timezone.localtime(moment).strftime("%H:%M:%S %Z")


def shown(instance, name):
    """A field's saved value as a person reads it (a related object by its name)."""
    try:
        value = getattr(instance, name)
    except ObjectDoesNotExist:
        value = None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return "empty"
    text = str(value)
    return f"“{text[:80]}…”" if len(text) > 80 else f"“{text}”"
