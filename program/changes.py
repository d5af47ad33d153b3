"""A conference's public change log: the "Changes" page and its Atom feed, newest first.

Both only read the `ChangeLogEntry` rows that program/revisions.py writes when the program
changes (a talk added, withdrawn, moved, retitled, its speakers changed, a session's time)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.generic import ListView

from program.models import ChangeLogEntry, Conference
from speakers.text import printable

MAX_ENTRIES = 200


def changelog_entries(conference):
    return ChangeLogEntry.objects.filter(conference=conference)[:MAX_ENTRIES]


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

    def items(self, conference):
        return changelog_entries(conference)

    def item_title(self, entry):
        return entry.text

    def item_description(self, entry):
        return f"{entry.get_kind_display()}: {entry.text}"

    def item_link(self, entry):
        return entry.path or reverse("program:changes", kwargs={"slug": entry.conference.slug})

    def item_guid(self, entry):
        return f"change-{entry.pk}-{entry.uid or 'conference'}"

    def item_guid_is_permalink(self, entry):
        return False

    def item_pubdate(self, entry):
        return entry.changed_at

    def item_updateddate(self, entry):
        return entry.changed_at


def printable_values(values):
    return {key: printable(v) if isinstance(v, str) else v for key, v in values.items()}
