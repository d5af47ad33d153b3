"""A conference's public change log: the "Changes" page and its Atom feed, newest first.

Both only read the `ChangeLogEntry` rows that program/revisions.py writes when the program
changes (a talk added, withdrawn, moved, retitled, its speakers changed, a session's time)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.generic import ListView

from program.models import ChangeLogEntry, Conference
from speakers.text import printable

MAX_ENTRIES = 200


def changelog_entries(conference):
    """Newest first; entries of one change (one `changed_at`) in the order they were written,
    newest row first, so readers and the page never order them by chance."""
    return (
        ChangeLogEntry.objects.filter(conference=conference)
        .select_related("conference")
        .order_by("-changed_at", "-pk")[:MAX_ENTRIES]
    )


class ChangeLogView(ListView):
    """The Changes page of a published conference."""

    template_name = "program/changelog.html"
    context_object_name = "entries"

    def get_queryset(self):
        self.conference = get_object_or_404(
            Conference.objects.published(), slug=self.kwargs["slug"]
        )
        return changelog_entries(self.conference)

    def get_context_data(self, **kwargs):
        return super().get_context_data(conference=self.conference, **kwargs)


class ChangeLogFeed(Feed):
    """The same entries as Atom, for feed readers."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Conference.objects.published(), slug=slug)

    def get_feed(self, obj, request):
        """The feed with nothing XML 1.0 forbids in its text, whatever the database holds
        (Django's writer refuses control characters with an error and lets U+FFFF through)."""
        feed = super().get_feed(obj, request)
        feed.feed = printable_values(feed.feed)
        feed.items = [printable_values(item) for item in feed.items]
        return feed

    def title(self, conference):
        return f"{conference.program_title}: changes"

    def subtitle(self, conference):
        return f"What changed in the {conference.name} program, newest first."

    def link(self, conference):
        return reverse("program:changes", kwargs={"slug": conference.slug})

    def feed_url(self, conference):
        return reverse("program:changes_feed", kwargs={"slug": conference.slug})

    def author_name(self, conference):
        return conference.organizer_name or f"{conference.name} program committee"

    def author_link(self, conference):
        return conference.organizer_url or None

    def items(self, conference):
        return changelog_entries(conference)

    def item_title(self, entry):
        return entry.text

    def item_description(self, entry):
        return None  # the title says it all; a summary would say it twice

    def item_link(self, entry):
        return entry.public_path

    def item_guid(self, entry):
        """An absolute IRI (RFC 4287 §4.2.6) that never changes: a tag URI (RFC 4151) minted
        from the site's domain, the day of the change and the entry's number."""
        return (
            f"tag:{settings.SITE_DOMAIN},{entry.changed_at:%Y-%m-%d}:"
            f"{entry.conference.slug}/changes/{entry.pk}"
        )

    def item_guid_is_permalink(self, entry):
        return False

    def item_pubdate(self, entry):
        return entry.changed_at

    def item_updateddate(self, entry):
        return entry.changed_at


def printable_values(values):
    return {key: printable(v) if isinstance(v, str) else v for key, v in values.items()}
