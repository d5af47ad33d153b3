"""What the admins of the program and of its people share: subquery counts, the "on the site"
column, the publish actions and the history entries of bulk changes."""

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
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
