"""The sitemap (sitemap.xml): every public page, with when it last changed.

It lists thousands of pages (a 2,000-talk program has some 5,000), so each section reads value
rows, not models, in one query, and builds its paths from a `str.format` template made once per
URL name (program/links.py), not with a `reverse()` per row: every item is a (path, lastmod)
pair. Sections return lists, so Django's paginator takes their length instead of a COUNT.
Slugs go into the paths as they are: the URLs take only slugs and numbers, which reverse() would
not quote either."""

from django.contrib.sitemaps import Sitemap

from program.links import path_format
from program.models import Conference, Session, Talk
from speakers.models import Affiliation, Speaker


class PathSitemap(Sitemap):
    """A section whose items are (path, lastmod) pairs."""

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


class ConferenceSitemap(PathSitemap):
    priority = 1.0

    def items(self):
        path = path_format("program:conference_detail", slug="")
        rows = Conference.objects.published().values_list("slug", "updated_at")
        return [(path.format(slug=slug), updated_at) for slug, updated_at in rows]


class SessionSitemap(PathSitemap):
    def items(self):
        path = path_format("program:session_detail", conference_slug="", number=0)
        rows = Session.objects.published().values_list("conference__slug", "number", "updated_at")
        return [
            (path.format(conference_slug=conference, number=number), updated_at)
            for conference, number, updated_at in rows
        ]


class TalkSitemap(PathSitemap):
    def items(self):
        path = path_format("program:talk_detail", conference_slug="", slug="")
        rows = Talk.objects.published().values_list(
            "session__conference__slug", "slug", "updated_at"
        )
        return [
            (path.format(conference_slug=conference, slug=slug), updated_at)
            for conference, slug, updated_at in rows
        ]


class SpeakerSitemap(PathSitemap):
    priority = 0.4

    def items(self):
        path = path_format("speakers:speaker_detail", slug="")
        rows = Speaker.objects.presenting(Talk.objects.published()).values_list(
            "slug", "updated_at"
        )
        return [(path.format(slug=slug), updated_at) for slug, updated_at in rows]


class AffiliationSitemap(PathSitemap):
    priority = 0.3

    def items(self):
        path = path_format("speakers:affiliation_detail", slug="")
        rows = Affiliation.objects.public(Talk.objects.published()).values_list(
            "slug", "updated_at"
        )
        return [(path.format(slug=slug), updated_at) for slug, updated_at in rows]


SITEMAPS = {
    "conferences": ConferenceSitemap,
    "sessions": SessionSitemap,
    "talks": TalkSitemap,
    "speakers": SpeakerSitemap,
    "affiliations": AffiliationSitemap,
}
